import { connect } from 'node:net';
import { hasBinary, startXvfb } from '../test-support/xvfb';
import { silentLogger } from '../test-support/socket-pair';
import { defineMonitors } from '../test-support/x-monitors';
import { authenticateToServer, ByteQueue } from './rfb-handshake';
import { X11VncLauncher, type VncTarget } from './vnc-launcher';

/** The framebuffer size a launcher's x11vnc announces, reached as the agent reaches it (its password). */
async function framebufferSize(target: VncTarget): Promise<{ width: number; height: number }> {
  const socket = connect(target.port, target.host);
  const queue = new ByteQueue();
  socket.on('data', (d: Buffer) => queue.push(d));
  socket.once('error', (err) => queue.end(err));
  try {
    await authenticateToServer(
      { read: (n) => queue.read(n), write: (d) => socket.write(d) },
      target.password!,
    );
    socket.write(Buffer.from([1])); // ClientInit, shared
    const init = await queue.read(4);
    return { width: init.readUInt16BE(0), height: init.readUInt16BE(2) };
  } finally {
    socket.destroy();
  }
}

/** Needs a real X server and x11vnc (npm run test:e2e; .ci/run installs them). */
const MISSING_X = ['Xvfb', 'x11vnc'].filter((b) => !hasBinary(b));

describe('X11VncLauncher (real Xvfb + x11vnc)', () => {
  beforeAll(() => {
    if (MISSING_X.length)
      throw new Error(`Install ${MISSING_X.join(', ')} first (apt-get install xvfb x11vnc); .ci/run does.`);
  });

  it('starts x11vnc on loopback for the session and stops it after the last user', async () => {
    const xvfb = await startXvfb();
    try {
      const launcher = X11VncLauncher.detect(silentLogger, { DISPLAY: xvfb.display })!;
      expect(launcher).toBeDefined();
      const target = await launcher.acquire();
      expect(target.host).toBe('127.0.0.1');
      const greeting = await new Promise<string>((resolve, reject) => {
        const s = connect(target.port, target.host);
        s.once('data', (d) => {
          s.destroy();
          resolve(d.toString());
        });
        s.once('error', reject);
      });
      expect(greeting).toMatch(/^RFB 003\.00\d\n/);
      expect(launcher.running).toBe(true);
      launcher.release();
      expect(launcher.running).toBe(false);
    } finally {
      await xvfb.stop();
    }
  }, 30_000);

  it('lists a two-monitor desktop and shares the second monitor alone, beside the whole desktop', async () => {
    const xvfb = await startXvfb('1440x600');
    const launcher = X11VncLauncher.detect(silentLogger, { DISPLAY: xvfb.display })!;
    try {
      await defineMonitors(xvfb.number, [
        { x: 0, y: 0, width: 800, height: 600 },
        { x: 800, y: 0, width: 640, height: 480 },
      ]);
      await expect(launcher.listMonitors()).resolves.toEqual([
        { x: 0, y: 0, width: 800, height: 600 },
        { x: 800, y: 0, width: 640, height: 480 },
      ]);
      const second = launcher.forMonitor(1);
      expect(launcher.forMonitor(1)).toBe(second);
      await expect(framebufferSize(await second.acquire())).resolves.toEqual({ width: 640, height: 480 });
      await expect(framebufferSize(await launcher.acquire())).resolves.toEqual({ width: 1440, height: 600 });
      // The whole desktop's last user leaving does not stop the monitor's x11vnc.
      launcher.release();
      expect(launcher.running).toBe(false);
      expect(second.running).toBe(true);
      second.release();
      expect(second.running).toBe(false);
    } finally {
      await launcher.stop();
      await xvfb.stop();
    }
  }, 60_000);
});
