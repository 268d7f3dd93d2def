import { DESECBCipher } from '@novnc/novnc/core/crypto/des.js';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/**
 * The agent's end of the RFB (VNC) handshake, for a VNC server the agent started with a password:
 * towards the server the agent is the client and answers VNC Authentication (security type 2) with
 * the session's password; towards the technician's viewer it is the server and offers security type
 * None (1), so noVNC connects as it always has. After both handshakes the screen channel pipes the
 * remaining bytes (ClientInit, ServerInit and everything after); the viewer's go through the input
 * filter (rfb-input-filter.ts), which starts at ClientInit here.
 */

const SECURITY_NONE = 1;
const SECURITY_VNC_AUTH = 2;
const RFB_38 = Buffer.from('RFB 003.008\n', 'latin1');
/** The fixed key VNC password files are encrypted with (libvncserver's vncauth.c). */
const PASSWORD_FILE_KEY = Uint8Array.from([23, 82, 107, 6, 35, 78, 88, 7]);
const MAX_REASON = 4096;
/**
 * The most either side may send ahead of the handshake's reads. A real handshake never has more than
 * a few dozen bytes in flight (a refusal reason is at most MAX_REASON); anything beyond is hostile or
 * broken and ends the handshake, so a peer cannot make the agent buffer without bound.
 */
export const MAX_HANDSHAKE_BYTES = 8192;

export class RfbHandshakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RfbHandshakeError';
  }
}

/** One side of the handshake: read exact byte counts, write bytes. */
export interface RfbPeer {
  read(n: number): Promise<Buffer>;
  write(data: Buffer): void;
}

/**
 * Bytes pushed in from a socket or WebSocket, read back in exact counts; fails once its source ended,
 * or once more than `limit` bytes wait unread (the bytes are dropped and every later read fails).
 */
export class ByteQueue implements Pick<RfbPeer, 'read'> {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { n: number; resolve: (data: Buffer) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(private readonly limit = MAX_HANDSHAKE_BYTES) {}

  /** Why the queue failed (its source ended, it overflowed, or the handshake was abandoned), if it did. */
  get error(): Error | undefined {
    return this.failure;
  }

  push(chunk: Buffer): void {
    if (this.failure) return;
    if (this.buffered.length + chunk.length > this.limit) {
      this.buffered = Buffer.alloc(0);
      this.end(new RfbHandshakeError(`more than ${this.limit} bytes arrived during the handshake`));
      return;
    }
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.settle();
  }

  end(err: Error): void {
    this.failure ??= err;
    this.settle();
  }

  read(n: number): Promise<Buffer> {
    if (this.waiting) return Promise.reject(new Error('one read at a time'));
    if (n > this.limit)
      return Promise.reject(new RfbHandshakeError(`a read of ${n} bytes exceeds ${this.limit}`));
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.settle();
    });
  }

  /** Whatever arrived beyond the reads, handed to the byte pipe after the handshake. */
  takeRest(): Buffer {
    const rest = this.buffered;
    this.buffered = Buffer.alloc(0);
    return rest;
  }

  private settle(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.buffered.length >= waiting.n) {
      this.waiting = undefined;
      const out = this.buffered.subarray(0, waiting.n);
      this.buffered = this.buffered.subarray(waiting.n);
      waiting.resolve(out);
    } else if (this.failure) {
      this.waiting = undefined;
      waiting.reject(this.failure);
    }
  }
}

function des(key: Uint8Array, data: Buffer): Buffer {
  const cipher = DESECBCipher.importKey(key, { name: 'DES-ECB' }, false, ['encrypt']);
  const out = cipher.encrypt({ name: 'DES-ECB' }, new Uint8Array(data));
  if (!out) throw new Error('DES needs whole 8-byte blocks');
  return Buffer.from(out);
}

/** VNC uses the first 8 bytes of a password, zero-padded. */
function eightBytes(password: Buffer): Buffer {
  const out = Buffer.alloc(8);
  password.copy(out, 0, 0, 8);
  return out;
}

/** The answer to a VNC Authentication challenge: the 16 bytes DES-encrypted with the password as key. */
export function vncAuthResponse(password: Buffer, challenge: Buffer): Buffer {
  return des(new Uint8Array(eightBytes(password)), challenge);
}

/** A VNC password file (`-rfbauth`), byte for byte what `x11vnc -storepasswd` writes. */
export function vncPasswordFile(password: Buffer): Buffer {
  return des(PASSWORD_FILE_KEY, eightBytes(password));
}

/**
 * A random 8-byte VNC password. Each byte is 1–127: VNC's DES ignores the top bit of every key byte,
 * and a zero byte would end the password early when the server reads the file back (about 56 bits).
 */
export function randomVncPassword(): Buffer {
  const out: number[] = [];
  while (out.length < 8) {
    for (const b of randomBytes(16)) if ((b & 0x7f) !== 0 && out.length < 8) out.push(b & 0x7f);
  }
  return Buffer.from(out);
}

function parseVersion(data: Buffer, who: string): { major: number; minor: number } {
  const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(data.toString('latin1'));
  if (!m) throw new RfbHandshakeError(`${who} does not speak RFB`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** The protocol minor version both sides use: 3.3, 3.7 or 3.8 (later versions speak 3.8). */
function agreedMinor(v: { major: number; minor: number }): 3 | 7 | 8 {
  if (v.major > 3 || v.minor >= 8) return 8;
  return v.minor === 7 ? 7 : 3;
}

async function readReason(peer: RfbPeer): Promise<string> {
  const length = (await peer.read(4)).readUInt32BE(0);
  if (length > MAX_REASON) return '(reason too long)';
  return (await peer.read(length)).toString('utf8').replace(/[\u0000-\u001f\u007f]/g, ' ');
}

const u32 = (value: number): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value, 0);
  return out;
};

/** The agent as RFB client of a VNC server that wants the password: up to a successful SecurityResult. */
export async function authenticateToServer(server: RfbPeer, password: Buffer): Promise<void> {
  const minor = agreedMinor(parseVersion(await server.read(12), 'the VNC server'));
  server.write(Buffer.from(`RFB 003.00${minor}\n`, 'latin1'));
  if (minor === 3) {
    const type = (await server.read(4)).readUInt32BE(0);
    if (type === 0)
      throw new RfbHandshakeError(`the VNC server refused the connection: ${await readReason(server)}`);
    if (type !== SECURITY_VNC_AUTH)
      throw new RfbHandshakeError(`the VNC server asks for security type ${type}, not VNC authentication`);
  } else {
    const count = (await server.read(1))[0];
    if (count === 0)
      throw new RfbHandshakeError(`the VNC server refused the connection: ${await readReason(server)}`);
    const types = [...(await server.read(count))];
    if (!types.includes(SECURITY_VNC_AUTH)) {
      throw new RfbHandshakeError(
        `the VNC server does not offer VNC authentication (it offers ${types.join(', ')})`,
      );
    }
    server.write(Buffer.from([SECURITY_VNC_AUTH]));
  }
  server.write(vncAuthResponse(password, await server.read(16)));
  if ((await server.read(4)).readUInt32BE(0) !== 0) {
    const reason = minor === 8 ? `: ${await readReason(server)}` : '';
    throw new RfbHandshakeError(`the VNC server refused the password${reason}`);
  }
}

/** The agent as RFB server for the viewer: version, then security type None, up to the SecurityResult. */
export async function acceptViewerWithoutAuth(viewer: RfbPeer): Promise<void> {
  viewer.write(RFB_38);
  const minor = agreedMinor(parseVersion(await viewer.read(12), 'the viewer'));
  if (minor === 3) {
    viewer.write(u32(SECURITY_NONE));
    return;
  }
  viewer.write(Buffer.from([1, SECURITY_NONE]));
  const choice = (await viewer.read(1))[0];
  if (choice !== SECURITY_NONE) {
    if (minor === 8) {
      const reason = Buffer.from('Only security type None is offered.', 'latin1');
      viewer.write(Buffer.concat([u32(1), u32(reason.length), reason]));
    }
    throw new RfbHandshakeError(`the viewer chose security type ${choice}, which was not offered`);
  }
  if (minor === 8) viewer.write(u32(0));
}

/** Bytes that arrived past the handshake on each side, to be forwarded first. */
export interface HandshakeRest {
  fromServer: Buffer;
  fromViewer: Buffer;
}

/**
 * Runs both handshakes on a connected VNC server socket and a relay WebSocket: the server's first (it
 * answers at once), then the viewer's. Each side may have at most MAX_HANDSHAKE_BYTES unread, and the
 * whole handshake must finish within `timeoutMs`; either failure ends both sides' reads, so neither a
 * silent server nor a flooding viewer keeps it waiting. It removes its listeners and, on success,
 * leaves both sides paused, so the caller attaches its pipe, resumes them and forwards the rest;
 * rejects on failure (the caller then closes the socket and the channel).
 */
export async function terminateRfbHandshake(
  server: Socket,
  viewer: WebSocket,
  password: Buffer,
  timeoutMs = 120_000,
): Promise<HandshakeRest> {
  const fromServer = new ByteQueue();
  const fromViewer = new ByteQueue();
  /** Ends both sides' reads: whichever read is pending rejects, and so does the handshake. */
  const abandon = (err: Error): void => {
    fromServer.end(err);
    fromViewer.end(err);
  };
  const onData = (data: Buffer): void => {
    fromServer.push(data);
    if (fromServer.error) abandon(fromServer.error);
  };
  const onServerEnd = (): void =>
    abandon(new RfbHandshakeError('the VNC server closed the connection during the handshake'));
  const onMessage = (data: Buffer, isBinary: boolean): void => {
    if (!isBinary) return;
    fromViewer.push(data);
    if (fromViewer.error) abandon(fromViewer.error);
  };
  const onViewerEnd = (): void => abandon(new RfbHandshakeError('the viewer left during the handshake'));
  server.on('data', onData);
  server.on('close', onServerEnd);
  server.on('end', onServerEnd);
  viewer.on('message', onMessage);
  viewer.on('close', onViewerEnd);
  const timer = setTimeout(
    () => abandon(new RfbHandshakeError('the VNC handshake did not complete in time')),
    timeoutMs,
  );
  try {
    await authenticateToServer(
      { read: (n) => fromServer.read(n), write: (data) => server.write(data) },
      password,
    );
    await acceptViewerWithoutAuth({
      read: (n) => fromViewer.read(n),
      write: (data) => viewer.send(data, { binary: true }),
    });
    server.pause();
    viewer.pause();
    return { fromServer: fromServer.takeRest(), fromViewer: fromViewer.takeRest() };
  } finally {
    clearTimeout(timer);
    server.off('data', onData);
    server.off('close', onServerEnd);
    server.off('end', onServerEnd);
    viewer.off('message', onMessage);
    viewer.off('close', onViewerEnd);
  }
}
