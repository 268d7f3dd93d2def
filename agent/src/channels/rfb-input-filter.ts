/**
 * View-only enforcement on the device: an incremental parser of the RFB client→server stream (RFC 6143,
 * protocol 3.3, 3.7 and 3.8, plus the extensions noVNC 1.7 sends) that passes, drops or rewrites whole
 * client messages. In 'control' every message passes unchanged; in 'view_only' KeyEvent, QEMU extended
 * key events, ClientCutText (both forms) and PointerEvents with any button pressed are dropped, while
 * framebuffer requests, SetEncodings, SetPixelFormat, fences, continuous updates, SetDesktopSize, xvp
 * and pointer moves (no button) pass, so the technician still sees the screen and the cursor.
 *
 * Hostile input: the parser never trusts a length it has not bounded. An unknown message type, an
 * unknown QEMU subtype, a Fence payload over 64 bytes or a ClientCutText longer than
 * MAX_CLIENT_CUT_TEXT is an RfbFilterError; the caller closes the channel. Memory is bounded whatever
 * the input: at most one message's fixed part (≤ 20 bytes) is held between chunks; variable tails
 * (encoding lists, cut text, screens, fence payload) stream through or are skipped without being held.
 * Pass-through bytes are handed on as subarrays of the incoming chunk (no copy) unless a message's
 * fixed part was split across chunks.
 *
 * Where it starts: for the x11vnc the agent starts, rfb-handshake.ts has already consumed the viewer's
 * ProtocolVersion and security choice, so the filter starts at ClientInit ('client-init'). For a VNC
 * server the customer runs, the bytes are raw from the first one ('version'): the filter follows the
 * client's side of the handshake (ProtocolVersion, security type choice, the VNC Authentication
 * response, ClientInit). In 3.3 the server chooses the security type, so the caller shows the filter
 * the server's first 16 bytes (observeServer). A security type other than None (1) and VNC
 * Authentication (2) has a sub-handshake the filter cannot follow from one side: the stream is then
 * passed opaquely, which is fine in 'control', and switching such a channel to 'view_only' fails.
 *
 * The 7-byte extended PointerEvent (marker bit 0x80, ExtendedMouseButtons) is always forwarded as the
 * 6-byte form with the marker bit clear, in every mode: the filter does not read the server's stream,
 * so it cannot know whether the server confirmed the extension, and a server that did not would read
 * 6 of the 7 bytes and from then on frame the stream differently from the filter (a viewer could use
 * that to hide input from view-only). The cost: mouse buttons 8 and 9 (back/forward) do not reach the
 * device; noVNC sends them only in the extended form.
 */

export type RfbInputMode = 'control' | 'view_only';

/**
 * Longest ClientCutText (either form) accepted: 1 MiB, the relay's default maxPayload, so with the
 * default relay no paste that reached the agent before is refused now.
 */
export const MAX_CLIENT_CUT_TEXT = 1024 * 1024;
/** RFC 6143 §7.5.x / rfbproto Fence: the payload is at most 64 bytes. */
const MAX_FENCE_PAYLOAD = 64;
/** Keys held down that are remembered for release; more are not tracked (bounded memory). */
const MAX_HELD_KEYS = 256;

const SECURITY_NONE = 1;
const SECURITY_VNC_AUTH = 2;

export class RfbFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RfbFilterError';
  }
}

export interface RfbInputFilterOptions {
  /** 'version' for a raw pipe from the first byte; 'client-init' after rfb-handshake.ts. */
  start: 'version' | 'client-init';
  mode?: RfbInputMode;
  /** Receives the bytes to forward to the VNC server, in order. */
  emit: (chunk: Buffer) => void;
}

type State =
  | 'version'
  | 'security-choice'
  | 'security-33'
  | 'vnc-auth'
  | 'client-init'
  | 'message'
  | 'opaque'
  | 'failed';

/** Fixed part of each client message by type (the QEMU and pointer sizes are refined in headNeed). */
const FIXED_SIZE: ReadonlyMap<number, number> = new Map([
  [0, 20], // SetPixelFormat
  [2, 4], // SetEncodings, then 4 × count
  [3, 10], // FramebufferUpdateRequest
  [4, 8], // KeyEvent
  [5, 6], // PointerEvent (7 with the ExtendedMouseButtons marker bit)
  [6, 8], // ClientCutText, then |length|
  [150, 10], // EnableContinuousUpdates
  [248, 9], // Fence, then payload length
  [250, 4], // xvp
  [251, 8], // SetDesktopSize, then 16 × screens
  [255, 12], // QEMU client message, subtype 0: extended key event
]);

const HEAD_CAPACITY = 20;

export class RfbInputFilter {
  private state: State;
  private currentMode: RfbInputMode;
  private readonly emit: (chunk: Buffer) => void;
  private readonly raw: boolean;
  /** The fixed part of the current message or handshake step, copied as it arrives. */
  private readonly head = Buffer.alloc(HEAD_CAPACITY);
  private headLen = 0;
  /** Bytes of the current message's variable tail still to come, and whether they pass. */
  private tail = 0;
  private tailPasses = true;
  private readonly server = Buffer.alloc(16);
  private serverSeen = 0;
  private failure: RfbFilterError | undefined;
  private opaqueType = 0;
  private pendingRelease = false;
  private buttons = 0;
  private pointerX = 0;
  private pointerY = 0;
  /** Release messages for keys the server last saw pressed, by key. */
  private readonly heldKeys = new Map<string, Buffer>();

  constructor(options: RfbInputFilterOptions) {
    this.state = options.start;
    this.raw = options.start === 'version';
    this.currentMode = options.mode ?? 'control';
    this.emit = options.emit;
  }

  get mode(): RfbInputMode {
    return this.currentMode;
  }

  /** Why the filter stopped, once it has; every later push throws it again. */
  get error(): RfbFilterError | undefined {
    return this.failure;
  }

  /** True while the filter still needs the server's first bytes (raw pipe, before the 3.3 security type). */
  get watchingServer(): boolean {
    return (
      this.raw &&
      this.serverSeen < this.server.length &&
      (this.state === 'version' || this.state === 'security-33')
    );
  }

  /** The server→client stream, only while watchingServer: its ProtocolVersion and 3.3 security type. */
  observeServer(chunk: Buffer): void {
    if (!this.watchingServer) return;
    this.serverSeen += chunk.copy(this.server, this.serverSeen, 0, this.server.length - this.serverSeen);
  }

  /**
   * Changes the mode between messages: a message whose tail is already streaming completes in the mode
   * it started in. Switching to view-only releases whatever the server last saw pressed (buttons, keys).
   * Throws RfbFilterError when view-only cannot be enforced (a security type the filter cannot follow).
   */
  setMode(mode: RfbInputMode): void {
    if (this.failure) throw this.failure;
    if (mode === 'view_only' && this.state === 'opaque') {
      throw new RfbFilterError(
        `view-only cannot be enforced: the viewer chose security type ${this.opaqueType}, whose handshake the agent cannot follow`,
      );
    }
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    this.pendingRelease = false;
    if (mode === 'view_only') {
      this.pendingRelease = true;
      if (this.tail === 0) this.releaseHeld();
    }
  }

  /** Parses one chunk from the viewer and emits what passes. Throws RfbFilterError on hostile input. */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    try {
      this.parse(chunk);
    } catch (err) {
      if (err instanceof RfbFilterError) {
        this.failure = err;
        this.state = 'failed';
      }
      throw err;
    }
  }

  private parse(chunk: Buffer): void {
    let i = 0;
    /** Start of the bytes of this chunk that pass but were not emitted yet. */
    let run = 0;
    /** Where the current fixed part began in this chunk, or -1 if it began in an earlier one. */
    let headStart = this.headLen === 0 ? 0 : -1;
    const flush = (end: number): void => {
      if (end > run) this.emit(chunk.subarray(run, end));
      run = end;
    };
    while (i < chunk.length) {
      if (this.tail > 0) {
        const n = Math.min(this.tail, chunk.length - i);
        if (!this.tailPasses) {
          flush(i);
          run = i + n;
        }
        i += n;
        this.tail -= n;
        if (this.tail === 0 && this.pendingRelease) {
          flush(i);
          this.releaseHeld();
        }
        headStart = i;
        continue;
      }
      if (this.state === 'opaque') break;
      if (this.state === 'security-33') {
        this.resolveSecurity33();
        continue;
      }
      if (this.headLen === 0) headStart = i;
      const need = this.headNeed();
      const take = Math.min(need - this.headLen, chunk.length - i);
      chunk.copy(this.head, this.headLen, i, i + take);
      this.headLen += take;
      i += take;
      if (this.headLen < need || this.headNeed() > need) continue;
      const verdict = this.complete();
      if (verdict === 'pass') {
        if (headStart < 0) {
          this.emit(Buffer.from(this.head.subarray(0, need)));
          run = i;
        }
      } else {
        flush(headStart < 0 ? run : headStart);
        run = i;
        if (verdict !== 'drop') this.emit(verdict);
      }
      this.headLen = 0;
      headStart = i;
    }
    // an incomplete fixed part stays in `head` until its verdict
    flush(this.headLen > 0 ? Math.max(headStart, run) : chunk.length);
  }

  /** How many bytes the current fixed part has, given what of it has arrived. */
  private headNeed(): number {
    switch (this.state) {
      case 'version':
        return 12;
      case 'security-choice':
      case 'client-init':
        return 1;
      case 'vnc-auth':
        return 16;
      case 'message':
        break;
      case 'security-33':
      case 'opaque':
      case 'failed':
        throw new Error(`no fixed part in state ${this.state}`);
    }
    if (this.headLen === 0) return 1;
    const type = this.head[0];
    const size = FIXED_SIZE.get(type);
    if (size === undefined) throw new RfbFilterError(`the viewer sent an unknown RFB message type ${type}`);
    if (type === 5) return this.headLen < 2 ? 2 : (this.head[1] & 0x80) !== 0 ? 7 : 6;
    if (type === 255) {
      if (this.headLen < 2) return 2;
      if (this.head[1] !== 0)
        throw new RfbFilterError(`the viewer sent an unknown QEMU message subtype ${this.head[1]}`);
    }
    return size;
  }

  /** Acts on a complete fixed part: the handshake moves on, a message gets its verdict. */
  private complete(): 'pass' | 'drop' | Buffer {
    const h = this.head;
    switch (this.state) {
      case 'version': {
        const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(h.toString('latin1', 0, 12));
        if (!m) throw new RfbFilterError('the viewer does not speak RFB');
        const major = Number(m[1]);
        const minor = Number(m[2]);
        // 3.7 and later (3.8, 4.x) let the viewer choose the security type; 3.3 lets the server choose
        this.state = major > 3 || minor >= 7 ? 'security-choice' : 'security-33';
        return 'pass';
      }
      case 'security-choice':
        this.afterSecurity(h[0]);
        return 'pass';
      case 'vnc-auth':
        this.state = 'client-init';
        return 'pass';
      case 'client-init':
        this.state = 'message';
        return 'pass';
      case 'message':
        return this.judge();
      case 'security-33':
      case 'opaque':
      case 'failed':
        throw new Error(`no fixed part in state ${this.state}`);
    }
  }

  /** In 3.3 the server chose the security type; the viewer may only speak once it has. */
  private resolveSecurity33(): void {
    if (this.serverSeen < 16) {
      throw new RfbFilterError('the viewer sent data before the VNC server chose a security type');
    }
    const type = this.server.readUInt32BE(12);
    if (type === 0) throw new RfbFilterError('the viewer sent data after the VNC server refused it');
    this.afterSecurity(type);
  }

  private afterSecurity(type: number): void {
    if (type === SECURITY_NONE) this.state = 'client-init';
    else if (type === SECURITY_VNC_AUTH) this.state = 'vnc-auth';
    else if (this.currentMode === 'view_only') {
      throw new RfbFilterError(`view-only cannot be enforced with security type ${type}`);
    } else {
      this.opaqueType = type;
      this.state = 'opaque';
    }
  }

  private judge(): 'pass' | 'drop' | Buffer {
    const h = this.head;
    const viewOnly = this.currentMode === 'view_only';
    switch (h[0]) {
      case 2:
        return this.startTail(4 * h.readUInt16BE(2), true);
      case 4:
        if (viewOnly) return 'drop';
        this.trackKey(`k${h.readUInt32BE(4)}`, h[1] !== 0, 8);
        return 'pass';
      case 5: {
        const extended = (h[1] & 0x80) !== 0;
        const buttons = (h[1] & 0x7f) | (extended ? h[6] << 7 : 0);
        if (viewOnly && buttons !== 0) return 'drop';
        this.buttons = buttons;
        this.pointerX = h.readUInt16BE(2);
        this.pointerY = h.readUInt16BE(4);
        // The 7-byte form always leaves as the 6-byte one (marker bit clear), which every server reads
        // the same way: a server that never confirmed ExtendedMouseButtons would read 6 bytes of a 7-byte
        // message and from then on split the stream differently from this filter.
        return extended ? this.pointerMessage() : 'pass';
      }
      case 6: {
        const length = h.readInt32BE(4);
        const size = Math.abs(length);
        if (size > MAX_CLIENT_CUT_TEXT) {
          throw new RfbFilterError(
            `the viewer sent clipboard text of ${size} bytes (at most ${MAX_CLIENT_CUT_TEXT} are accepted)`,
          );
        }
        return this.startTail(size, !viewOnly);
      }
      case 248: {
        const size = h[8];
        if (size > MAX_FENCE_PAYLOAD)
          throw new RfbFilterError(`the viewer sent a fence payload of ${size} bytes (at most 64)`);
        return this.startTail(size, true);
      }
      case 251:
        return this.startTail(16 * h[6], true);
      case 255:
        if (viewOnly) return 'drop';
        this.trackKey(`q${h.readUInt32BE(4)}:${h.readUInt32BE(8)}`, h.readUInt16BE(2) !== 0, 12);
        return 'pass';
      default:
        return 'pass'; // 0, 3, 150, 250: fixed size, allowed in every mode
    }
  }

  private startTail(size: number, passes: boolean): 'pass' | 'drop' {
    this.tail = size;
    this.tailPasses = passes;
    return passes ? 'pass' : 'drop';
  }

  /** Remembers a key the server saw go down (with the message that releases it), forgets it on release. */
  private trackKey(key: string, down: boolean, size: number): void {
    if (!down) {
      this.heldKeys.delete(key);
    } else if (this.heldKeys.size < MAX_HELD_KEYS || this.heldKeys.has(key)) {
      const release = Buffer.from(this.head.subarray(0, size));
      if (size === 8) release[1] = 0;
      else release.writeUInt16BE(0, 2);
      this.heldKeys.set(key, release);
    }
  }

  private pointerMessage(): Buffer {
    const out = Buffer.alloc(6);
    out[0] = 5;
    out[1] = this.buttons & 0x7f;
    out.writeUInt16BE(this.pointerX, 2);
    out.writeUInt16BE(this.pointerY, 4);
    return out;
  }

  /** Tells the server that every key and button it last saw pressed is up (on entering view-only). */
  private releaseHeld(): void {
    this.pendingRelease = false;
    for (const release of this.heldKeys.values()) this.emit(release);
    this.heldKeys.clear();
    if (this.buttons !== 0) {
      this.buttons = 0;
      this.emit(this.pointerMessage());
    }
  }
}
