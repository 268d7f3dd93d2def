import { createServer, type AddressInfo, type Server } from 'node:net';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { collectUntil, closed, silentLogger, socketPair } from '../test-support/socket-pair';
import { NO_VNC_SERVER_SENTENCE, openScreenChannel, VIEWER_INPUT_REJECTED_SENTENCE } from './screen-channel';
import type { X11VncLauncher } from './vnc-launcher';

const TWO_MONITORS = [
  { x: 0, y: 0, width: 800, height: 600 },
  { x: 800, y: 0, width: 640, height: 480 },
];

/** A launcher that lists two monitors and records which x11vnc it was asked for (none can start). */
function fakeLauncher(): { launcher: X11VncLauncher; asked: (number | 'desktop')[] } {
  const asked: (number | 'desktop')[] = [];
  const make = (monitor?: number): X11VncLauncher =>
    ({
      listMonitors: () => Promise.resolve(TWO_MONITORS),
      forMonitor: (index: number) => make(index),
      acquire: () => {
        asked.push(monitor ?? 'desktop');
        return Promise.reject(new Error('no x11vnc here'));
      },
      release: () => undefined,
    }) as unknown as X11VncLauncher;
  return { launcher: make(), asked };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

describe('screen channel', () => {
  it('pipes bytes both ways between the relay and the VNC server', async () => {
    const received: Buffer[] = [];
    const vnc = createServer((socket) => {
      socket.write('RFB 003.008\n');
      socket.on('data', (d) => {
        received.push(d);
        socket.write(Buffer.concat([Buffer.from('echo:'), d]));
      });
    });
    const port = await listen(vnc);
    const pair = await socketPair();
    try {
      const channel = await openScreenChannel(
        { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger },
        { target: { host: '127.0.0.1', port } },
      );
      await expect(collectUntil(pair.viewer, (t) => t.includes('RFB 003.008'))).resolves.toContain(
        'RFB 003.008\n',
      );
      pair.viewer.send(Buffer.from('RFB 003.008\n'), { binary: true });
      await expect(collectUntil(pair.viewer, (t) => t.includes('echo:RFB'))).resolves.toContain(
        'echo:RFB 003.008',
      );
      expect(Buffer.concat(received).toString()).toBe('RFB 003.008\n');
      channel.close(RelayCloseCode.EndedByTechnician, 'bye');
      await expect(channel.ended).resolves.toEqual({ code: 4100, reason: 'bye' });
    } finally {
      await pair.close();
      vnc.close();
    }
  });

  it('drops the viewer’s keys in view-only mode and closes on input it does not accept', async () => {
    let received = Buffer.alloc(0);
    let gotUpdate!: () => void;
    const updateArrived = new Promise<void>((resolve) => (gotUpdate = resolve));
    const vnc = createServer((socket) => {
      socket.write('RFB 003.008\n\x01\x01');
      socket.on('data', (d) => {
        received = Buffer.concat([received, d]);
        if (received.includes(Buffer.from([3, 1, 0, 0, 0, 0, 0, 8, 0, 8]))) gotUpdate();
      });
    });
    const port = await listen(vnc);
    const pair = await socketPair();
    try {
      const channel = await openScreenChannel(
        { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger },
        { target: { host: '127.0.0.1', port } },
      );
      await collectUntil(pair.viewer, (t) => t.includes('RFB 003.008'));
      channel.setInputMode('view_only');
      const end = closed(pair.viewer);
      const handshake = Buffer.from('RFB 003.008\n\x01\x01');
      const key = Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61]);
      const update = Buffer.from([3, 1, 0, 0, 0, 0, 0, 8, 0, 8]);
      pair.viewer.send(Buffer.concat([handshake, key, update]), { binary: true });
      await updateArrived;
      expect(received).toEqual(Buffer.concat([handshake, update]));
      pair.viewer.send(Buffer.from([7]), { binary: true });
      await expect(end).resolves.toEqual({
        code: RelayCloseCode.InputRefused,
        reason: VIEWER_INPUT_REJECTED_SENTENCE,
      });
      await expect(channel.ended).resolves.toMatchObject({ code: RelayCloseCode.InputRefused });
    } finally {
      await pair.close();
      vnc.close();
    }
  });

  it('closes with 4102 and the sentence when no VNC server listens, once the viewer is there', async () => {
    const port = await freePort();
    const pair = await socketPair();
    try {
      const channel = await openScreenChannel(
        { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger },
        { target: { host: '127.0.0.1', port } },
      );
      const end = closed(pair.viewer);
      await collectUntil(pair.viewer, (t) => t.startsWith('RFB 003.008\n'));
      pair.viewer.send(Buffer.from('RFB 003.008\n'), { binary: true });
      await expect(end).resolves.toEqual({
        code: RelayCloseCode.NoVncServer,
        reason: NO_VNC_SERVER_SENTENCE,
      });
      await expect(channel.ended).resolves.toEqual({ code: 4102, reason: NO_VNC_SERVER_SENTENCE });
    } finally {
      await pair.close();
    }
  });

  it('tells the viewer when the VNC server goes away mid-session', async () => {
    const vnc = createServer((socket) => {
      socket.write('RFB 003.008\n');
      setTimeout(() => socket.destroy(), 100);
    });
    const port = await listen(vnc);
    const pair = await socketPair();
    try {
      const end = closed(pair.viewer);
      await openScreenChannel(
        { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger },
        { target: { host: '127.0.0.1', port } },
      );
      await expect(end).resolves.toMatchObject({ code: RelayCloseCode.VncConnectFailed });
    } finally {
      await pair.close();
      vnc.close();
    }
  });

  it('reports the monitors, and shows a chosen monitor through its own x11vnc rather than the running server', async () => {
    let connections = 0;
    const vnc = createServer((socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.write('RFB 003.008\n');
    });
    const port = await listen(vnc);
    const { launcher, asked } = fakeLauncher();
    const pair = await socketPair();
    try {
      const chosen = await openScreenChannel(
        { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger, monitor: 1 },
        { target: { host: '127.0.0.1', port }, launcher },
      );
      expect(chosen.opened).toEqual({ monitors: TWO_MONITORS, monitor: 1 });
      expect(asked).toEqual([1]);
      expect(connections).toBe(0);
      chosen.close(RelayCloseCode.EndedByTechnician, 'bye');
    } finally {
      await pair.close();
    }
    const again = await socketPair();
    try {
      // A monitor that is gone: the whole desktop, from the server that runs.
      const whole = await openScreenChannel(
        { ws: again.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger, monitor: 5 },
        { target: { host: '127.0.0.1', port }, launcher },
      );
      expect(whole.opened).toEqual({ monitors: TWO_MONITORS });
      expect(asked).toEqual([1]);
      await eventuallyTrue(() => connections === 1);
      whole.close(RelayCloseCode.EndedByTechnician, 'bye');
    } finally {
      await again.close();
      vnc.close();
    }
  });

  it('reports nothing about monitors when it cannot start x11vnc itself', async () => {
    const pair = await socketPair();
    try {
      const channel = await openScreenChannel(
        { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger, monitor: 1 },
        { target: { host: '127.0.0.1', port: await freePort() } },
      );
      expect(channel.opened).toBeUndefined();
      channel.close(RelayCloseCode.EndedByTechnician, 'bye');
    } finally {
      await pair.close();
    }
  });
});

async function eventuallyTrue(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
