import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { ByteQueue } from '../../agent/src/channels/rfb-handshake';
import { openScreenChannel } from '../../agent/src/channels/screen-channel';
import { X11VncLauncher, type VncTarget } from '../../agent/src/channels/vnc-launcher';
import { freePort, hasBinary, startXvfb } from '../../agent/src/test-support/xvfb';
import { silentLogger, socketPair } from '../../agent/src/test-support/socket-pair';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import { rfbHandshake } from '../agent/support/rfb-client';

jest.setTimeout(60_000);

/** Needs a real X server and x11vnc (npm run test:e2e; .ci/run installs them). */
const MISSING_X = ['Xvfb', 'x11vnc'].filter((b) => !hasBinary(b));

/** A plain RFB client on the x11vnc port, as another local user would open one. */
async function plainClient(
  target: VncTarget,
): Promise<{ socket: Socket; read: (n: number) => Promise<Buffer> }> {
  const socket = connect(target.port, target.host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const queue = new ByteQueue();
  socket.on('data', (d: Buffer) => queue.push(d));
  socket.on('close', () => queue.end(new Error('x11vnc closed the connection')));
  return { socket, read: (n) => queue.read(n) };
}

/** Everything short of the password: RFB 3.8, then security type None if offered. Resolves with how far it got. */
async function tryWithoutPassword(target: VncTarget): Promise<{ offered: number[]; outcome: string }> {
  const { socket, read } = await plainClient(target);
  try {
    await read(12);
    socket.write('RFB 003.008\n');
    const count = (await read(1))[0];
    const offered = [...(await read(count))];
    socket.write(Buffer.from([1])); // None, offered or not
    const result = await read(4).catch(() => undefined);
    if (!result || result.readUInt32BE(0) !== 0) return { offered, outcome: 'refused' };
    socket.write(Buffer.from([1])); // ClientInit, shared
    const init = await read(24).catch(() => undefined);
    return { offered, outcome: init ? 'ServerInit' : 'refused' };
  } finally {
    socket.destroy();
  }
}

/**
 * Issue 10 ("also fix"): the customer's x11vnc ran with `-nopw -shared`, so any local user could join
 * the shared desktop on its loopback port. Now it wants a random per-session password from a file
 * only the agent can read, and the agent's screen bridge answers it.
 */
describe('the x11vnc the agent starts wants the session password (real Xvfb + x11vnc)', () => {
  let stopX: (() => Promise<void>) | undefined;
  let launcher: X11VncLauncher;
  let target: VncTarget;

  beforeAll(async () => {
    if (MISSING_X.length)
      throw new Error(`Install ${MISSING_X.join(', ')} first (apt-get install xvfb x11vnc); .ci/run does.`);
    const xvfb = await startXvfb();
    stopX = xvfb.stop;
    launcher = X11VncLauncher.detect(silentLogger, { DISPLAY: xvfb.display })!;
    target = await launcher.acquire();
  });

  afterAll(async () => {
    await launcher?.stop();
    await stopX?.();
  });

  it('keeps the password in a 0600 file in a 0700 folder readable by the agent only', () => {
    const dir = launcher.passwordDir!;
    expect(dir).toBeDefined();
    const [file] = readdirSync(dir);
    const self = process.getuid?.();
    expect({ dir: statSync(dir).mode & 0o777, file: statSync(join(dir, file)).mode & 0o777 }).toEqual({
      dir: 0o700,
      file: 0o600,
    });
    expect([statSync(dir).uid, statSync(join(dir, file)).uid]).toEqual([self, self]);
  });

  it('a plain RFB client without the password is refused: VNC Authentication only, and None does not reach ServerInit', async () => {
    await expect(tryWithoutPassword(target)).resolves.toEqual({ offered: [2], outcome: 'refused' });
  });

  it('the agent’s screen bridge authenticates and the viewer (offered None) gets the ServerInit and a framebuffer update', async () => {
    const pair = await socketPair();
    try {
      const channel = await openScreenChannel(
        { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger },
        // Nothing listens on the configured port, so the channel uses the launcher's x11vnc.
        {
          target: { host: '127.0.0.1', port: await freePort() },
          launcher,
        },
      );
      const rfb = await rfbHandshake(pair.viewer);
      expect(rfb).toMatchObject({ greeting: 'RFB 003.008\n', width: 640, height: 480, updateType: 0 });
      expect(rfb.rects).toBeGreaterThan(0);
      channel.close(RelayCloseCode.EndedByTechnician, 'done');
      await channel.ended;
    } finally {
      await pair.close();
    }
  });

  it('a client with a wrong password gets a failed SecurityResult', async () => {
    const { socket, read } = await plainClient(target);
    try {
      await read(12);
      socket.write('RFB 003.008\n');
      const types = [...(await read((await read(1))[0]))];
      expect(types).toEqual([2]);
      socket.write(Buffer.from([2]));
      await read(16);
      socket.write(Buffer.alloc(16)); // not the DES of the challenge under the session password
      expect((await read(4)).readUInt32BE(0)).not.toBe(0);
    } finally {
      socket.destroy();
    }
  });

  it('removes the password folder when x11vnc stops', async () => {
    const dir = launcher.passwordDir!;
    await launcher.stop();
    expect(launcher.running).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});

/**
 * Issue 10 review (M2): the launcher probed a free port, closed the probe and then started x11vnc on
 * it, so another local user who bound that port in between received the agent's connection. Now
 * x11vnc binds the port itself (`-autoport`) and the agent connects to the port x11vnc announces.
 */
describe('the agent connects only to the port x11vnc itself listens on (real Xvfb + x11vnc)', () => {
  let stopX: (() => Promise<void>) | undefined;
  let display: string;

  beforeAll(async () => {
    if (MISSING_X.length)
      throw new Error(`Install ${MISSING_X.join(', ')} first (apt-get install xvfb x11vnc); .ci/run does.`);
    const xvfb = await startXvfb();
    stopX = xvfb.stop;
    display = xvfb.display;
  });

  afterAll(async () => {
    await stopX?.();
  });

  it('a squatter on the probed port gets no connection; the target is x11vnc on another port', async () => {
    // Another local user's listener on exactly the port the launcher's probe found free.
    const squatter = createServer((socket) => {
      squatterConnections += 1;
      socket.end('RFB 003.008\n');
    });
    let squatterConnections = 0;
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const squatted = (squatter.address() as AddressInfo).port;
    const launcher = new X11VncLauncher(display, silentLogger, () => Promise.resolve(squatted));
    try {
      const target = await launcher.acquire();
      expect(target.port).not.toBe(squatted);
      await expect(tryWithoutPassword(target)).resolves.toEqual({ offered: [2], outcome: 'refused' });
      expect(squatterConnections).toBe(0);
    } finally {
      await launcher.stop();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
