import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type WebSocket from 'ws';
import { openScreenChannel, type ScreenChannel } from '../../agent/src/channels/screen-channel';
import { X11VncLauncher, type VncTarget } from '../../agent/src/channels/vnc-launcher';
import { silentLogger, socketPair } from '../../agent/src/test-support/socket-pair';
import { freePort, hasBinary, startX11vnc, startXvfb, stopChild } from '../../agent/src/test-support/xvfb';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import { rfbHandshake } from '../agent/support/rfb-client';

jest.setTimeout(60_000);

/** Needs a real X server, x11vnc, xev and xdotool (npm run test:e2e; .ci/run installs them). */
const MISSING = ['Xvfb', 'x11vnc', 'xev', 'xdotool'].filter((b) => !hasBinary(b));

const keyEvent = (keysym: number, down: boolean): Buffer => {
  const out = Buffer.from([4, down ? 1 : 0, 0, 0, 0, 0, 0, 0]);
  out.writeUInt32BE(keysym, 4);
  return out;
};
const pointerEvent = (mask: number, x: number, y: number): Buffer => {
  const out = Buffer.from([5, mask, 0, 0, 0, 0]);
  out.writeUInt16BE(x, 2);
  out.writeUInt16BE(y, 4);
  return out;
};
const clientCutText = (text: string): Buffer => {
  const head = Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([head, Buffer.from(text)]);
};
const FULL_UPDATE_REQUEST = Buffer.from([3, 0, 0, 0, 0, 0, 0x02, 0x80, 0x01, 0xe0]); // 640×480

/** Watches the X server's root window for key and button events, as the customer's desktop would get them. */
function watchInput(display: string): { child: ChildProcess; output: () => string } {
  let text = '';
  const child = spawn('xev', ['-root', '-event', 'keyboard', '-event', 'button'], {
    env: { ...process.env, DISPLAY: display },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  child.stdout.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return { child, output: () => text };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the VNC server has sent nothing for `quietMs`, then counts what arrives next. */
async function quietThenCount(
  ws: WebSocket,
  quietMs = 300,
): Promise<{ first: () => number; bytes: () => number }> {
  let last = Date.now();
  let count = 0;
  let firstByte = -1;
  let counting = false;
  ws.on('message', (data: Buffer) => {
    last = Date.now();
    if (!counting) return;
    if (firstByte < 0) firstByte = data[0];
    count += data.length;
  });
  await until(() => Date.now() - last > quietMs, 'the first framebuffer update to finish');
  counting = true;
  return { first: () => firstByte, bytes: () => count };
}

function pointerAt(display: string): string {
  return spawnSync('xdotool', ['getmouselocation'], { env: { ...process.env, DISPLAY: display } })
    .stdout.toString()
    .trim();
}

/**
 * Issue 12: with the screen channel in view-only, the viewer's keys, clicks and clipboard never reach
 * the customer's display, while the screen still updates and the cursor follows the pointer. The
 * switch back to control shows the same key does arrive, so the check is not blind.
 */
describe.each([
  ['the x11vnc the agent starts (handshake ended by the agent)', 'launcher'],
  ['a VNC server the customer runs (raw pipe)', 'customer'],
] as const)('view-only on real Xvfb + x11vnc: %s', (_name, kind) => {
  let stopX: (() => Promise<void>) | undefined;
  let stopVnc: (() => Promise<void>) | undefined;
  let launcher: X11VncLauncher | undefined;
  let display: string;
  let target: VncTarget;

  beforeAll(async () => {
    if (MISSING.length)
      throw new Error(`Install ${MISSING.join(', ')} first (apt-get install xvfb x11vnc x11-utils xdotool).`);
    const xvfb = await startXvfb();
    stopX = xvfb.stop;
    display = xvfb.display;
    if (kind === 'launcher') {
      launcher = X11VncLauncher.detect(silentLogger, { DISPLAY: display })!;
      target = { host: '127.0.0.1', port: await freePort() }; // nothing there: the launcher's x11vnc is used
    } else {
      const vnc = await startX11vnc(display);
      stopVnc = vnc.stop;
      target = { host: '127.0.0.1', port: vnc.port };
    }
  });

  afterAll(async () => {
    await launcher?.stop();
    await stopVnc?.();
    await stopX?.();
  });

  it('keys, clicks and clipboard never reach the display; updates and pointer moves do; control lets keys through', async () => {
    const xev = watchInput(display);
    const pair = await socketPair();
    let channel: ScreenChannel | undefined;
    try {
      channel = await openScreenChannel(
        { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger },
        { target, launcher },
      );
      channel.setInputMode('view_only');
      await rfbHandshake(pair.viewer);
      const counter = await quietThenCount(pair.viewer);
      const send = (data: Buffer): void => pair.viewer.send(data, { binary: true });
      send(
        Buffer.concat([
          keyEvent(0x61, true),
          keyEvent(0x61, false),
          pointerEvent(0, 123, 45),
          pointerEvent(1, 123, 45),
          pointerEvent(0, 123, 45),
          clientCutText('secret'),
          FULL_UPDATE_REQUEST,
        ]),
      );
      await until(() => counter.bytes() > 640 * 480, 'a full framebuffer update');
      expect(counter.first()).toBe(0); // FramebufferUpdate
      await until(() => pointerAt(display).startsWith('x:123 y:45'), 'the pointer move');
      await new Promise((r) => setTimeout(r, 500));
      expect(xev.output()).not.toMatch(/KeyPress|KeyRelease|ButtonPress|ButtonRelease/);

      channel.setInputMode('control');
      send(Buffer.concat([keyEvent(0x61, true), keyEvent(0x61, false)]));
      await until(
        () => /KeyPress event[\s\S]*keysym 0x61, a\)/.test(xev.output()),
        'the key in control mode',
      );
      channel.close(RelayCloseCode.EndedByTechnician, 'done');
      await channel.ended;
    } finally {
      channel?.close(RelayCloseCode.EndedByTechnician, 'done');
      await pair.close();
      await stopChild(xev.child);
    }
  });
});
