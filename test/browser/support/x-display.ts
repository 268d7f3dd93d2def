import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { openX11 } from '../../../agent/src/test-support/x11-wire';
import { stopChild } from '../../../agent/src/test-support/xvfb';
import type { Locator } from 'playwright-core';
import type { CanvasLike } from './chromium';

/**
 * A customer's desktop for the browser suite, from Debian's xvfb, x11vnc and x11-utils only: an
 * Xvfb display painted with known colours (by a few raw X11 requests, so no xsetroot or other
 * package is needed), and `xev -root` reporting the keys that reach it.
 */

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export interface FilledRect {
  x: number;
  y: number;
  width: number;
  height: number;
  colour: Rgb;
}

export const hasBinaries = (...names: string[]): boolean =>
  names.every((name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0);

/**
 * For a suite's describe block: fails the suite before anything starts when a binary it drives is
 * missing, naming the missing ones and how to install them (`install`, e.g. an apt-get line).
 */
export function needBinaries(names: string[], install: string): void {
  const missing = names.filter((name) => !hasBinaries(name));
  beforeAll(() => {
    if (missing.length) throw new Error(`Install ${missing.join(', ')} first (${install}); .ci/run does.`);
  });
}

function freeDisplayNumber(): number {
  for (let n = 400 + Math.floor(Math.random() * 400); ; n++) {
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Xvfb on a private display (`-noreset`: it must not reset when the last client leaves). */
export async function startXvfb(
  width: number,
  height: number,
): Promise<{ display: string; number: number; stop: () => Promise<void> }> {
  const n = freeDisplayNumber();
  const child = spawn(
    'Xvfb',
    [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-noreset', '-nolisten', 'tcp'],
    {
      stdio: 'ignore',
    },
  );
  await until(() => existsSync(`/tmp/.X11-unix/X${n}`) || child.exitCode !== null, 'Xvfb');
  if (child.exitCode !== null) throw new Error(`Xvfb :${n} exited with ${child.exitCode}`);
  return { display: `:${n}`, number: n, stop: () => stopChild(child) };
}

/**
 * Paints the root window: its background (which the server keeps, and redraws itself) and filled
 * rectangles on top. Speaks just enough of the X11 protocol (little-endian, no authentication, which
 * a local Xvfb without -auth accepts) for ChangeWindowAttributes, ClearArea, CreateGC and
 * PolyFillRectangle, then waits for a round trip so everything is drawn before it returns.
 * Pixel values are 0xRRGGBB: the 24-bit TrueColor visual of `Xvfb -screen 0 WxHx24`.
 */
export async function paintRoot(displayNumber: number, background: Rgb, rects: FilledRect[]): Promise<void> {
  const { socket, read, idBase, root } = await openX11(displayNumber);
  try {
    const pixel = ({ r, g, b }: Rgb): number => (r << 16) | (g << 8) | b;
    const request = (opcode: number, data: number, words: number[], tail?: Buffer): Buffer => {
      const length = 1 + words.length + (tail ? tail.length / 4 : 0);
      const out = Buffer.alloc(4 + words.length * 4);
      out.writeUInt8(opcode, 0);
      out.writeUInt8(data, 1);
      out.writeUInt16LE(length, 2);
      words.forEach((word, i) => out.writeUInt32LE(word >>> 0, 4 + i * 4));
      return tail ? Buffer.concat([out, tail]) : out;
    };
    const CW_BACK_PIXEL = 0x2;
    const GC_FOREGROUND = 0x4;
    socket.write(request(2, 0, [root, CW_BACK_PIXEL, pixel(background)])); // ChangeWindowAttributes
    socket.write(request(61, 0, [root, 0, 0])); // ClearArea: the whole window, no exposures
    rects.forEach((rect, i) => {
      const gc = idBase | (i + 1);
      socket.write(request(55, 0, [gc, root, GC_FOREGROUND, pixel(rect.colour)])); // CreateGC
      const shape = Buffer.alloc(8);
      shape.writeInt16LE(rect.x, 0);
      shape.writeInt16LE(rect.y, 2);
      shape.writeUInt16LE(rect.width, 4);
      shape.writeUInt16LE(rect.height, 6);
      socket.write(request(70, 0, [root, gc], shape)); // PolyFillRectangle
    });
    socket.write(request(43, 0, [])); // GetInputFocus: its reply means all of the above is done
    const reply = await read(32);
    if (reply[0] !== 1) throw new Error(`the X server reported error ${reply[1]} while painting`);
  } finally {
    socket.destroy();
  }
}

/** Keys pressed on the display, as xev reports them: their keysym names (`q`, `Control_L`, …). */
export class KeyWatcher {
  private output = '';
  private readonly child: ChildProcess;

  constructor(display: string) {
    this.child = spawn('xev', ['-root', '-event', 'keyboard'], {
      env: { ...process.env, DISPLAY: display },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child.stdout!.on('data', (data: Buffer) => (this.output += data.toString('latin1')));
  }

  /** Keysym names of every KeyPress so far, in order. */
  get pressed(): string[] {
    return [...this.output.matchAll(/KeyPress event[^]*?keysym 0x[0-9a-f]+, ([^)]+)\)/g)].map((m) => m[1]);
  }

  /** Forgets what was pressed so far. */
  clear(): void {
    this.output = '';
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/** A root-window property as xprop prints it (e.g. CUT_BUFFER0, which x11vnc fills from a paste). */
export function rootProperty(display: string, name: string): string {
  const result = spawnSync('xprop', ['-root', name], {
    env: { ...process.env, DISPLAY: display },
    encoding: 'utf8',
  });
  return result.stdout ?? '';
}

/** The colour noVNC drew at one pixel of the remote screen's canvas. */
export function canvasPixel(canvas: Locator, x: number, y: number): Promise<Rgb> {
  return canvas.evaluate(
    (element: CanvasLike, at: [number, number]) => {
      const [r, g, b] = Array.from(element.getContext('2d')!.getImageData(at[0], at[1], 1, 1).data);
      return { r, g, b };
    },
    [x, y] as [number, number],
  );
}

/** Equal within JPEG's rounding (noVNC's tight encoding at the default quality). */
export const nearColour = (a: Rgb, b: Rgb): boolean =>
  Math.abs(a.r - b.r) <= 6 && Math.abs(a.g - b.g) <= 6 && Math.abs(a.b - b.b) <= 6;
