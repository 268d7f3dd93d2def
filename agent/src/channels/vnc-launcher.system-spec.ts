import { connect } from 'node:net';
import { hasBinary, startXvfb } from '../test-support/xvfb';
import { silentLogger } from '../test-support/socket-pair';
import { X11VncLauncher } from './vnc-launcher';

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
});
