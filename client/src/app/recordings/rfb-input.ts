/*
 * The technician's input as a screen recording holds it: RFB client messages (direction 1 records,
 * one WebSocket message each as the viewer sent it). The player shows activity (keystrokes per
 * second, clicks), never what was typed unless the portal allows it (RECORDING_REVEAL_KEYS). Plain
 * TypeScript without Angular, so a unit test can import it.
 */

/** A key pressed or released (RFB KeyEvent) or the pointer moved/clicked (RFB PointerEvent). */
export type RfbInputEvent =
  { kind: 'key'; down: boolean; keysym: number } | { kind: 'pointer'; buttons: number; x: number; y: number };

/** Client-to-server message types (RFC 6143 § 7.5, and the extensions noVNC sends). */
const SET_PIXEL_FORMAT = 0;
const SET_ENCODINGS = 2;
const FRAMEBUFFER_UPDATE_REQUEST = 3;
const KEY_EVENT = 4;
const POINTER_EVENT = 5;
const CLIENT_CUT_TEXT = 6;
/** EnableContinuousUpdates: type, flag, x, y, w, h (u16 each). */
const ENABLE_CONTINUOUS_UPDATES = 150;
/** Fence: type, 3 padding, flags u32, length u8, then that many bytes. */
const FENCE = 248;
/** xvp: type, padding, version, code. */
const XVP = 250;
/** SetDesktopSize: type, padding, w, h (u16), screen count u8, padding, 16 bytes a screen. */
const SET_DESKTOP_SIZE = 251;
/** QEMU client message; subtype 0 is the extended key event (down u16, keysym u32, keycode u32). */
const QEMU = 255;

/**
 * The key and pointer events in one recorded client message (or several back to back). Other known
 * messages are skipped by their lengths; an unknown type (an extension this parser does not know) or a
 * message cut short ends the parse of this record: what came before is returned.
 */
export function parseRfbClientMessages(data: Uint8Array): RfbInputEvent[] {
  const out: RfbInputEvent[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at < data.length) {
    const type = data[at];
    const left = data.length - at;
    let size: number;
    switch (type) {
      case SET_PIXEL_FORMAT:
        size = 20;
        break;
      case SET_ENCODINGS:
        if (left < 4) return out;
        size = 4 + 4 * view.getUint16(at + 2);
        break;
      case FRAMEBUFFER_UPDATE_REQUEST:
        size = 10;
        break;
      case KEY_EVENT:
        size = 8;
        if (left >= size) out.push({ kind: 'key', down: data[at + 1] !== 0, keysym: view.getUint32(at + 4) });
        break;
      case POINTER_EVENT:
        size = 6;
        if (left >= size)
          out.push({
            kind: 'pointer',
            buttons: data[at + 1],
            x: view.getUint16(at + 2),
            y: view.getUint16(at + 4),
          });
        break;
      case CLIENT_CUT_TEXT:
        if (left < 8) return out;
        // A negative length (extended clipboard pseudo-encoding) is the byte count, made negative.
        size = 8 + Math.abs(view.getInt32(at + 4));
        break;
      case ENABLE_CONTINUOUS_UPDATES:
        size = 10;
        break;
      case FENCE:
        if (left < 9) return out;
        size = 9 + data[at + 8];
        break;
      case XVP:
        size = 4;
        break;
      case SET_DESKTOP_SIZE:
        if (left < 8) return out;
        size = 8 + 16 * data[at + 6];
        break;
      case QEMU:
        if (left < 2 || data[at + 1] !== 0) return out;
        size = 12;
        if (left >= size)
          out.push({ kind: 'key', down: view.getUint16(at + 2) !== 0, keysym: view.getUint32(at + 4) });
        break;
      default:
        return out;
    }
    if (left < size) return out;
    at += size;
  }
  return out;
}

/** Names shown for keys that are not characters (when keys may be revealed). */
const KEY_NAMES: Readonly<Record<number, string>> = {
  0xff08: '⌫',
  0xff09: '⇥',
  0xff0d: '⏎',
  0xff1b: '⎋',
  0xffff: '⌦',
  0xff51: '←',
  0xff52: '↑',
  0xff53: '→',
  0xff54: '↓',
};

/** Modifier keysyms (Shift, Control, Alt, Meta, Super…): not counted as keystrokes. */
function isModifier(keysym: number): boolean {
  return keysym >= 0xffe1 && keysym <= 0xffee;
}

/**
 * A keysym as the text shown when keys may be revealed: Latin-1 and Unicode keysyms as their
 * character, a few named keys as symbols, any other as `‹hex›`. Control characters never reach the page.
 */
export function keysymText(keysym: number): string {
  if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff))
    return String.fromCodePoint(keysym);
  if (keysym >= 0x01000100 && keysym <= 0x0110ffff) {
    const code = keysym - 0x01000000;
    if (code >= 0xd800 && code <= 0xdfff) return '‹?›';
    return String.fromCodePoint(code);
  }
  return KEY_NAMES[keysym] ?? `‹${keysym.toString(16)}›`;
}

/** What the overlay shows at a moment of the recording. */
export interface InputActivitySnapshot {
  /** Key presses (modifiers aside) in the last second of recording time. */
  keysPerSecond: number;
  /** Button presses since the start (or the last reset). */
  clicks: number;
  /** Where the last click was, in framebuffer pixels. */
  lastClick: { x: number; y: number; atMs: number } | null;
  /** The last characters typed; empty unless keys may be revealed. */
  typed: string;
}

const WINDOW_MS = 1000;
const TYPED_MAX = 60;

/**
 * Counts the technician's input as the recording plays: fed every direction-1 record in order (also
 * while seeking), read with {@link snapshot} at the current position.
 */
export class InputActivity {
  private keyTimes: number[] = [];
  private clicks = 0;
  private lastClick: InputActivitySnapshot['lastClick'] = null;
  private buttons = 0;
  private typed = '';

  constructor(private readonly revealKeys: boolean) {}

  push(atMs: number, data: Uint8Array): void {
    for (const event of parseRfbClientMessages(data)) {
      if (event.kind === 'key') {
        if (!event.down || isModifier(event.keysym)) continue;
        this.keyTimes.push(atMs);
        if (this.revealKeys) this.typed = (this.typed + keysymText(event.keysym)).slice(-TYPED_MAX);
      } else {
        // Buttons 1–3 (left, middle, right) going down; wheel "buttons" 4–7 are not clicks.
        const pressed = event.buttons & ~this.buttons & 0b111;
        if (pressed !== 0) {
          this.clicks++;
          this.lastClick = { x: event.x, y: event.y, atMs };
        }
        this.buttons = event.buttons;
      }
    }
    const cutoff = atMs - WINDOW_MS;
    let drop = 0;
    while (drop < this.keyTimes.length && this.keyTimes[drop] <= cutoff) drop++;
    if (drop > 0) this.keyTimes.splice(0, drop);
  }

  snapshot(positionMs: number): InputActivitySnapshot {
    const cutoff = positionMs - WINDOW_MS;
    return {
      keysPerSecond: this.keyTimes.filter((t) => t > cutoff && t <= positionMs).length,
      clicks: this.clicks,
      lastClick: this.lastClick,
      typed: this.revealKeys ? this.typed : '',
    };
  }

  reset(): void {
    this.keyTimes = [];
    this.clicks = 0;
    this.lastClick = null;
    this.buttons = 0;
    this.typed = '';
  }
}
