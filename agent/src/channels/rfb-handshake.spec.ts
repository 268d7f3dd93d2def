import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { closed, silentLogger, socketPair } from '../test-support/socket-pair';
import {
  ByteQueue,
  MAX_HANDSHAKE_BYTES,
  acceptViewerWithoutAuth,
  authenticateToServer,
  randomVncPassword,
  terminateRfbHandshake,
  vncAuthResponse,
  vncPasswordFile,
  type RfbPeer,
} from './rfb-handshake';
import { VNC_HANDSHAKE_FAILED_SENTENCE, openScreenChannel } from './screen-channel';
import type { X11VncLauncher } from './vnc-launcher';
import type WebSocket from 'ws';

const SERVER_INIT = (() => {
  const name = Buffer.from('fake desktop');
  const head = Buffer.alloc(24);
  head.writeUInt16BE(640, 0);
  head.writeUInt16BE(480, 2);
  head.writeUInt32BE(name.length, 20);
  return Buffer.concat([head, name]);
})();

/** Reads exact byte counts from a TCP socket. */
function socketReader(socket: Socket): (n: number) => Promise<Buffer> {
  const queue = new ByteQueue();
  socket.on('data', (d: Buffer) => queue.push(d));
  socket.on('close', () => queue.end(new Error('closed')));
  return (n) => queue.read(n);
}

/** Reads exact byte counts from the binary frames of a WebSocket. */
function wsReader(ws: WebSocket): (n: number) => Promise<Buffer> {
  const queue = new ByteQueue();
  ws.on('message', (d: Buffer, isBinary: boolean) => isBinary && queue.push(d));
  ws.on('close', () => queue.end(new Error('closed')));
  return (n) => queue.read(n);
}

/**
 * A fake VNC server speaking RFB 3.8 with VNC Authentication only (as x11vnc -rfbauth does). It checks
 * the response against the password, then answers ClientInit with a ServerInit.
 */
async function fakeVncServer(
  password: Buffer,
): Promise<{ port: number; server: Server; clientInits: number[]; authFailures: number }> {
  const state = { clientInits: [] as number[], authFailures: 0 };
  const server = createServer((socket) => {
    const read = socketReader(socket);
    void (async () => {
      socket.write('RFB 003.008\n');
      await read(12);
      socket.write(Buffer.from([1, 2]));
      if ((await read(1))[0] !== 2) return socket.destroy();
      const challenge = randomBytes(16);
      socket.write(challenge);
      const response = await read(16);
      if (!response.equals(vncAuthResponse(password, challenge))) {
        state.authFailures += 1;
        const reason = Buffer.from('Authentication failed');
        const head = Buffer.alloc(8);
        head.writeUInt32BE(1, 0);
        head.writeUInt32BE(reason.length, 4);
        socket.end(Buffer.concat([head, reason]));
        return;
      }
      socket.write(Buffer.alloc(4));
      state.clientInits.push((await read(1))[0]);
      socket.write(SERVER_INIT);
    })().catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { port: (server.address() as AddressInfo).port, server });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** A launcher that "started" the fake server, as X11VncLauncher reports x11vnc (on a one-head display). */
function fakeLauncher(port: number, password: Buffer): X11VncLauncher {
  return {
    listMonitors: () => Promise.resolve([]),
    acquire: () => Promise.resolve({ host: '127.0.0.1', port, password }),
    release: jest.fn(),
  } as unknown as X11VncLauncher;
}

describe('VNC passwords', () => {
  it('writes the password file byte for byte as `x11vnc -storepasswd secret` does', () => {
    expect(vncPasswordFile(Buffer.from('secret')).toString('hex')).toBe('2e2dbf576eb06c9e');
  });

  it('makes a fresh 8-byte password of bytes 1–127 each time', () => {
    const a = randomVncPassword();
    expect(a).toHaveLength(8);
    expect([...a].every((b) => b >= 1 && b <= 127)).toBe(true);
    expect(a.equals(randomVncPassword())).toBe(false);
  });
});

describe('screen channel to a VNC server the agent started with a password', () => {
  const password = Buffer.from('Pw3xQ9zA');

  async function open(serverPassword: Buffer) {
    const fake = await fakeVncServer(serverPassword);
    const pair = await socketPair();
    const channel = await openScreenChannel(
      { ws: pair.agent, ref: { sessionId: 's1', channel: 'screen' }, logger: silentLogger },
      {
        target: { host: '127.0.0.1', port: await closedPort() },
        launcher: fakeLauncher(fake.port, password),
      },
    );
    return { fake, pair, channel, read: wsReader(pair.viewer) };
  }

  it('answers the server’s VNC Authentication itself and offers the viewer security None (RFB 3.8), then pipes ServerInit', async () => {
    const { fake, pair, channel, read } = await open(password);
    try {
      expect((await read(12)).toString()).toBe('RFB 003.008\n');
      pair.viewer.send(Buffer.from('RFB 003.008\n'), { binary: true });
      expect([...(await read(2))]).toEqual([1, 1]); // one type: None
      pair.viewer.send(Buffer.from([1]), { binary: true });
      expect((await read(4)).readUInt32BE(0)).toBe(0); // SecurityResult OK
      pair.viewer.send(Buffer.from([1]), { binary: true }); // ClientInit, shared
      expect((await read(SERVER_INIT.length)).equals(SERVER_INIT)).toBe(true);
      expect(fake.clientInits).toEqual([1]);
      expect(fake.authFailures).toBe(0);
      channel.close(RelayCloseCode.EndedByTechnician, 'bye');
    } finally {
      await pair.close();
      fake.server.close();
    }
  });

  it('speaks RFB 3.3 to an old viewer: security None as a 32-bit type, no SecurityResult', async () => {
    const { fake, pair, channel, read } = await open(password);
    try {
      await read(12);
      pair.viewer.send(Buffer.from('RFB 003.003\n'), { binary: true });
      expect((await read(4)).readUInt32BE(0)).toBe(1);
      pair.viewer.send(Buffer.from([0]), { binary: true }); // ClientInit, exclusive
      expect((await read(SERVER_INIT.length)).equals(SERVER_INIT)).toBe(true);
      expect(fake.clientInits).toEqual([0]);
      channel.close(RelayCloseCode.EndedByTechnician, 'bye');
    } finally {
      await pair.close();
      fake.server.close();
    }
  });

  it('ends the channel with 4103 and a sentence when the server refuses the password; the viewer gets nothing of the server', async () => {
    const { fake, pair, channel } = await open(Buffer.from('another!'));
    const received: Buffer[] = [];
    pair.viewer.on('message', (d: Buffer) => received.push(d));
    const end = closed(pair.viewer);
    try {
      await expect(end).resolves.toEqual({
        code: RelayCloseCode.VncConnectFailed,
        reason: VNC_HANDSHAKE_FAILED_SENTENCE,
      });
      await expect(channel.ended).resolves.toMatchObject({ code: RelayCloseCode.VncConnectFailed });
      expect(fake.authFailures).toBe(1);
      expect(Buffer.concat(received).toString()).not.toContain('RFB');
    } finally {
      await pair.close();
      fake.server.close();
    }
  });
});

describe('ByteQueue', () => {
  it('hands out exact counts across chunks, keeps the rest, and fails a pending read when its source ends', async () => {
    const q = new ByteQueue();
    const first = q.read(5);
    q.push(Buffer.from('ab'));
    q.push(Buffer.from('cdefg'));
    await expect(first).resolves.toEqual(Buffer.from('abcde'));
    expect(q.takeRest()).toEqual(Buffer.from('fg'));
    const pending = q.read(1);
    q.end(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });
});

/** A peer that has sent `input` and then closed; what the agent writes to it is kept. */
function scriptedPeer(...input: Buffer[]): { peer: RfbPeer; written: () => Buffer } {
  const queue = new ByteQueue();
  for (const chunk of input) queue.push(chunk);
  queue.end(new Error('the peer closed'));
  const written: Buffer[] = [];
  return {
    peer: { read: (n) => queue.read(n), write: (d) => written.push(d) },
    written: () => Buffer.concat(written),
  };
}

const u32 = (n: number): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n, 0);
  return out;
};
const rfb = (v: string): Buffer => Buffer.from(`RFB ${v}\n`, 'latin1');

describe('RFB handshake against a hostile or unusual VNC server', () => {
  const password = Buffer.from('Pw3xQ9zA');

  it('reports a refusal (security type list of 0) without reading a reason longer than 4096 bytes', async () => {
    // Claims a 1 GB reason and sends only a little of it: the agent must not wait for (or buffer) the rest.
    const { peer } = scriptedPeer(
      rfb('003.008'),
      Buffer.from([0]),
      u32(1_000_000_000),
      Buffer.alloc(100, 0x41),
    );
    await expect(authenticateToServer(peer, password)).rejects.toThrow(
      'the VNC server refused the connection: (reason too long)',
    );
  });

  it('refuses a server whose security types do not include VNC authentication, sending nothing after the version', async () => {
    const { peer, written } = scriptedPeer(rfb('003.008'), Buffer.from([2, 1, 16]));
    await expect(authenticateToServer(peer, password)).rejects.toThrow(
      'the VNC server does not offer VNC authentication (it offers 1, 16)',
    );
    expect(written()).toEqual(rfb('003.008'));
  });

  it('refuses a server that does not greet with an RFB version, answering nothing', async () => {
    const { peer, written } = scriptedPeer(Buffer.from('HTTP/1.1 200\n'));
    await expect(authenticateToServer(peer, password)).rejects.toThrow('the VNC server does not speak RFB');
    expect(written()).toHaveLength(0);
  });

  it('speaks RFB 3.7 to a 3.7 server: a type list, then a SecurityResult without a reason', async () => {
    const challenge = randomBytes(16);
    const ok = scriptedPeer(rfb('003.007'), Buffer.from([1, 2]), challenge, u32(0));
    await expect(authenticateToServer(ok.peer, password)).resolves.toBeUndefined();
    expect(ok.written()).toEqual(
      Buffer.concat([rfb('003.007'), Buffer.from([2]), vncAuthResponse(password, challenge)]),
    );
    const refused = scriptedPeer(rfb('003.007'), Buffer.from([1, 2]), challenge, u32(1));
    await expect(authenticateToServer(refused.peer, password)).rejects.toThrow(
      /^the VNC server refused the password$/,
    );
  });
});

describe('RFB handshake with a viewer choosing something other than None', () => {
  it('RFB 3.8: answers a failed SecurityResult with a reason and gives up', async () => {
    const { peer, written } = scriptedPeer(rfb('003.008'), Buffer.from([2]));
    await expect(acceptViewerWithoutAuth(peer)).rejects.toThrow(
      'the viewer chose security type 2, which was not offered',
    );
    const reason = Buffer.from('Only security type None is offered.');
    expect(written()).toEqual(
      Buffer.concat([rfb('003.008'), Buffer.from([1, 1]), u32(1), u32(reason.length), reason]),
    );
  });

  it('RFB 3.7: gives up without a SecurityResult', async () => {
    const { peer, written } = scriptedPeer(rfb('003.007'), Buffer.from([16]));
    await expect(acceptViewerWithoutAuth(peer)).rejects.toThrow('the viewer chose security type 16');
    expect(written()).toEqual(Buffer.concat([rfb('003.008'), Buffer.from([1, 1])]));
  });
});

describe('RFB handshake limits (a peer cannot keep the agent waiting or buffering)', () => {
  /** A loopback TCP server that accepts and then does whatever `onSocket` does; returns the agent's socket. */
  async function tcpPeer(onSocket: (s: Socket) => void): Promise<{ agentSide: Socket; close: () => void }> {
    const server = createServer((s) => {
      s.on('error', (err) => expect(err.message).toMatch(/ECONNRESET|EPIPE/)); // the agent side hung up first
      onSocket(s);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { createConnection } = await import('node:net');
    const agentSide = createConnection((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => agentSide.once('connect', () => resolve()));
    return {
      agentSide,
      close: () => {
        agentSide.destroy();
        server.close();
      },
    };
  }

  it('fails a read beyond the cap and every read after an overflow', async () => {
    const q = new ByteQueue(16);
    await expect(q.read(17)).rejects.toThrow('exceeds 16');
    const pending = q.read(4);
    q.push(Buffer.alloc(17));
    await expect(pending).rejects.toThrow('more than 16 bytes arrived during the handshake');
    q.push(Buffer.from('late'));
    await expect(q.read(1)).rejects.toThrow('more than 16 bytes');
    expect(MAX_HANDSHAKE_BYTES).toBe(8192);
  });

  it('gives up when the VNC server never greets (the timer ends the server side too)', async () => {
    const sockets: Socket[] = [];
    const tcp = await tcpPeer((s) => sockets.push(s)); // accepts, says nothing
    const pair = await socketPair();
    try {
      const started = Date.now();
      await expect(
        terminateRfbHandshake(tcp.agentSide, pair.agent, Buffer.from('secret!!'), 300),
      ).rejects.toThrow('the VNC handshake did not complete in time');
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      tcp.close();
      await pair.close();
    }
  });

  it('gives up at once when the viewer floods more than the cap while the server is still silent', async () => {
    const sockets: Socket[] = [];
    const tcp = await tcpPeer((s) => sockets.push(s));
    const pair = await socketPair();
    try {
      const handshake = terminateRfbHandshake(tcp.agentSide, pair.agent, Buffer.from('secret!!'), 600_000);
      pair.viewer.send(Buffer.alloc(MAX_HANDSHAKE_BYTES + 1, 0x41), { binary: true });
      await expect(handshake).rejects.toThrow(
        `more than ${MAX_HANDSHAKE_BYTES} bytes arrived during the handshake`,
      );
    } finally {
      sockets.forEach((s) => s.destroy());
      tcp.close();
      await pair.close();
    }
  });

  it('gives up at once when the server sends more than the cap in its greeting', async () => {
    const tcp = await tcpPeer((s) => s.write(Buffer.concat([rfb('003.008'), Buffer.alloc(64 * 1024, 1)])));
    const pair = await socketPair();
    try {
      await expect(
        terminateRfbHandshake(tcp.agentSide, pair.agent, Buffer.from('secret!!'), 600_000),
      ).rejects.toThrow(/more than 8192 bytes arrived|does not offer VNC authentication/);
    } finally {
      tcp.close();
      await pair.close();
    }
  });
});
