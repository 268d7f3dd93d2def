import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { relayConnectUrl, relayWebSocketProtocols } from '../../contracts/relay-connect';
import type { RelayKey } from '../../contracts/node/relay-keys';
import { mintRelayToken, type RelayRecordingClaim, type RelayRole } from '../../contracts/node/relay-token';

/** One side of a pair as the benchmark drives it, over the relay (WebSocket) or the net proxy (TCP). */
export interface Endpoint {
  send(data: Buffer): void;
  /** Sends and resolves once the bytes left this process's queue. */
  sendFlushed(data: Buffer): Promise<void>;
  readonly queued: number;
  onData(listener: (data: Buffer) => void): void;
  pauseReading(): void;
  close(): void;
}

export interface PairEndpoints {
  readonly agent: Endpoint;
  readonly tech: Endpoint;
}

export interface Transport {
  readonly name: string;
  openPair(id: string): Promise<PairEndpoints>;
}

export const BENCH_ORIGIN = 'http://localhost:4200';
const ZERO_MASK = (mask: Buffer): void => void mask.fill(0);

class WsEndpoint implements Endpoint {
  constructor(readonly ws: WebSocket) {}
  send(data: Buffer): void {
    this.ws.send(data);
  }
  sendFlushed(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.ws.send(data, (err) => (err ? reject(err) : resolve())));
  }
  get queued(): number {
    return this.ws.bufferedAmount;
  }
  onData(listener: (data: Buffer) => void): void {
    this.ws.on('message', listener);
  }
  pauseReading(): void {
    this.ws.pause();
  }
  close(): void {
    this.ws.terminate();
  }
}

class NetEndpoint implements Endpoint {
  constructor(readonly socket: Socket) {}
  send(data: Buffer): void {
    this.socket.write(data);
  }
  async sendFlushed(data: Buffer): Promise<void> {
    if (!this.socket.write(data)) await once(this.socket, 'drain');
  }
  get queued(): number {
    return this.socket.writableLength;
  }
  onData(listener: (data: Buffer) => void): void {
    this.socket.on('data', listener);
  }
  pauseReading(): void {
    this.socket.pause();
  }
  close(): void {
    this.socket.destroy();
  }
}

/**
 * Our relay: the agent side uses `Authorization` (like the agent) and, unless `agentMasks`, an all-zero
 * mask (`ws` then skips masking; see docs/adr/0005); the tech side a browser-like handshake.
 */
export class RelayTransport implements Transport {
  readonly name = 'relay';
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly port: number,
    private readonly key: RelayKey,
    private readonly agentMasks = false,
    /** Set: the tokens carry this `rec` claim, so the relay records the pair. */
    private readonly rec?: RelayRecordingClaim,
  ) {}

  /** Mints tokens ahead of time: minting is the portal's work, not part of a pair setup. */
  async premint(ids: readonly string[], channel = 'screen'): Promise<void> {
    for (const id of ids) {
      for (const role of ['agent', 'tech'] as const) {
        this.tokens.set(
          `${id}:${role}`,
          await mintRelayToken(
            this.key.secret,
            this.key.kid,
            { sid: id, ch: channel, role, rec: this.rec },
            600,
          ),
        );
      }
    }
  }

  async openPair(id: string, channel = 'screen'): Promise<PairEndpoints> {
    const agent = await this.dial(id, channel, 'agent');
    const tech = await this.dial(id, channel, 'tech');
    return { agent: new WsEndpoint(agent), tech: new WsEndpoint(tech) };
  }

  private async dial(sid: string, ch: string, role: RelayRole): Promise<WebSocket> {
    const key = `${sid}:${role}`;
    const token =
      this.tokens.get(key) ??
      (await mintRelayToken(this.key.secret, this.key.kid, { sid, ch, role, rec: this.rec }, 600));
    this.tokens.delete(key);
    const url = relayConnectUrl(`ws://127.0.0.1:${this.port}`, { sid, ch, role });
    const ws =
      role === 'agent'
        ? new WebSocket(url, {
            perMessageDeflate: false,
            headers: { authorization: `Bearer ${token}` },
            ...(this.agentMasks ? {} : { generateMask: ZERO_MASK }),
          })
        : new WebSocket(url, relayWebSocketProtocols(token), {
            perMessageDeflate: false,
            origin: BENCH_ORIGIN,
          });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('error', () => ws.terminate());
    return ws;
  }
}

/** Baseline: the raw `net` pipe proxy (net-proxy-child.ts). */
export class NetTransport implements Transport {
  readonly name = 'net';

  constructor(private readonly port: number) {}

  async openPair(id: string): Promise<PairEndpoints> {
    const agent = await this.dial(id);
    const tech = await this.dial(id);
    return { agent: new NetEndpoint(agent), tech: new NetEndpoint(tech) };
  }

  private async dial(id: string): Promise<Socket> {
    const socket = connect(this.port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    socket.on('error', () => socket.destroy());
    socket.write(`${id.padEnd(36, '_').slice(0, 36)}x`);
    return socket;
  }
}

/**
 * A load generator for pair setups: a bare WebSocket handshake and frames written on a raw socket, so
 * the measurement is the relay's cost, not the `ws` client's (which costs about as much as the server
 * and shares this 2-core machine). The 101 answer is checked; the accept hash is not (a load generator).
 */
export class RawRelayClient {
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly port: number,
    private readonly key: RelayKey,
  ) {}

  async premint(ids: readonly string[], channel = 'screen'): Promise<void> {
    for (const id of ids) {
      for (const role of ['agent', 'tech'] as const) {
        this.tokens.set(
          `${id}:${role}`,
          await mintRelayToken(this.key.secret, this.key.kid, { sid: id, ch: channel, role }, 600),
        );
      }
    }
  }

  /** Agent and tech handshake; the agent sends one byte; resolves when the tech received it. */
  async setupPair(id: string): Promise<Socket[]> {
    const agent = await this.handshake(id, 'agent');
    const tech = await this.handshake(id, 'tech');
    const arrived = new Promise<void>((resolve) => tech.once('data', () => resolve()));
    agent.write(MASKED_ONE_BYTE_FRAME);
    await arrived;
    return [agent, tech];
  }

  private async handshake(sid: string, role: RelayRole): Promise<Socket> {
    const token = this.tokens.get(`${sid}:${role}`) ?? '';
    this.tokens.delete(`${sid}:${role}`);
    const auth =
      role === 'agent'
        ? `Authorization: Bearer ${token}\r\n`
        : `Origin: ${BENCH_ORIGIN}\r\nSec-WebSocket-Protocol: relay.v1, bearer.${token}\r\n`;
    const socket = connect(this.port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.write(
      `GET /ws?sid=${sid}&ch=screen&role=${role} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${auth}\r\n`,
    );
    const [head] = (await once(socket, 'data')) as [Buffer];
    if (!head.subarray(0, 12).equals(SWITCHING))
      throw new Error(`handshake refused: ${head.toString('latin1', 0, 40)}`);
    return socket;
  }
}

const SWITCHING = Buffer.from('HTTP/1.1 101');
/** FIN + binary, masked, length 1, zero mask, payload 0x01. */
const MASKED_ONE_BYTE_FRAME = Buffer.from([0x82, 0x81, 0, 0, 0, 0, 0x01]);
