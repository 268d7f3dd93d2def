import { connect } from 'node:net';
import { hasBinary, startXvfb } from '../test-support/xvfb';
import { silentLogger } from '../test-support/socket-pair';
import { X11VncLauncher, findDisplay, x11vncArgs } from './vnc-launcher';

describe('findDisplay', () => {
  it('prefers DISPLAY and refuses odd values', () => {
    expect(findDisplay({ DISPLAY: ':3' }, '/nonexistent')).toBe(':3');
    expect(findDisplay({ DISPLAY: ':3; rm -rf /' }, '/nonexistent')).toBeUndefined();
    expect(findDisplay({}, '/nonexistent')).toBeUndefined();
  });
});

describe('x11vncArgs', () => {
  it('binds to loopback only and guesses the X authority only when asked', () => {
    expect(x11vncArgs(':5', 5999, false)).toEqual(['-localhost', '-rfbport', '5999', '-display', ':5', '-nopw', '-forever', '-shared', '-quiet', '-noxdamage']);
    expect(x11vncArgs(':5', 5999, true).slice(-2)).toEqual(['-auth', 'guess']);
  });
});

const describeX = hasBinary('Xvfb') && hasBinary('x11vnc') ? describe : describe.skip;

describeX('X11VncLauncher (real Xvfb + x11vnc)', () => {
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
});
