import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import WebSocket, { type ClientOptions } from 'ws';
import { RELAY_CLOSE_CODE_HEADER } from '../../../contracts/relay-close-codes';
import { relayConnectUrl, relayWebSocketProtocols } from '../../../contracts/relay-connect';
import { deriveRelayKey } from '../../../contracts/node/relay-keys';
import { mintRelayToken, type RelayRole, type RelayTokenSubject } from '../../../contracts/node/relay-token';
import { loadRelayConfig, type RelayConfig } from '../../../relay/config';
import { startRelay, type RelayServer } from '../../../relay/relay-server';

/** A running relay: in-process (startRelay) or a child process; only its URL matters to clients. */
export type RelayTarget = Pick<RelayServer, 'url'>;

export const TEST_SECRET = 'relay-test-secret-0123456789abcdef-0123456789abcdef';
export const OTHER_SECRET = 'another-relay-secret-0123456789abcdef-0123456789ab';
export const TECH_ORIGIN = 'http://localhost:4200';
export const TOKEN_KEY = deriveRelayKey(TEST_SECRET, 'token');
export const SIGNING_KEY = deriveRelayKey(TEST_SECRET, 'signing');

/** A relay config for tests: port 0 on loopback, events off, quiet logs; override anything. */
export function testRelayConfig(
  overrides: Partial<RelayConfig> = {},
  env: NodeJS.ProcessEnv = {},
): RelayConfig {
  const base = loadRelayConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    RELAY_SECRET: TEST_SECRET,
    RELAY_PORT: '0',
    RELAY_HOST: '127.0.0.1',
    RELAY_EVENTS_URL: 'off',
    RELAY_ALLOWED_ORIGINS: TECH_ORIGIN,
    RELAY_AUTH_FAILURES_PER_MIN: '0',
    ...env,
  });
  return { ...base, ...overrides };
}

export async function withRelay(overrides: Partial<RelayConfig> = {}): Promise<RelayServer> {
  return startRelay(testRelayConfig(overrides));
}

export function wsUrl(relay: RelayTarget, subject: RelayTokenSubject): string {
  return relayConnectUrl(relay.url.replace(/^http/, 'ws'), subject);
}

export function subjectFor(role: RelayRole, sid: string = randomUUID(), ch = 'screen'): RelayTokenSubject {
  return { sid, ch, role };
}

export function mint(
  subject: RelayTokenSubject,
  opts: { ttlSec?: number; now?: number; key?: typeof TOKEN_KEY } = {},
): Promise<string> {
  const key = opts.key ?? TOKEN_KEY;
  return mintRelayToken(key.secret, key.kid, subject, opts.ttlSec ?? 60, opts.now);
}

export interface ConnectOptions {
  token?: string;
  via?: 'protocol' | 'header';
  origin?: string | null;
  url?: string;
  ws?: ClientOptions;
}

/** Starts dialing without waiting for the upgrade (to attach listeners before `open`). */
export async function dial(
  relay: RelayTarget,
  subject: RelayTokenSubject,
  opts: ConnectOptions = {},
): Promise<WebSocket> {
  return createClient(relay, subject, await tokenFor(subject, opts), opts);
}

/** Opens a client as the given side; the token goes where real clients put it. */
export async function openClient(
  relay: RelayTarget,
  subject: RelayTokenSubject,
  opts: ConnectOptions = {},
): Promise<WebSocket> {
  return opened(await dial(relay, subject, opts));
}

export async function opened(ws: WebSocket): Promise<WebSocket> {
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res: IncomingMessage) =>
      reject(new Error(`unexpected ${res.statusCode}`)),
    );
  });
  return ws;
}

export interface Refusal {
  status: number;
  closeCode: number;
  body: { code: string; closeCode: number; message: string };
}

/** Attempts a connection that must be refused before the upgrade; returns what the client saw. */
export async function expectRefused(
  relay: RelayTarget,
  subject: RelayTokenSubject,
  opts: ConnectOptions = {},
): Promise<Refusal> {
  const ws = createClient(relay, subject, await tokenFor(subject, opts), opts);
  return new Promise<Refusal>((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the relay upgraded a connection it should have refused'));
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          closeCode: Number(res.headers[RELAY_CLOSE_CODE_HEADER]),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Refusal['body'],
        });
      });
    });
    ws.once('error', (err) => reject(err));
  });
}

function createClient(
  relay: RelayTarget,
  subject: RelayTokenSubject,
  token: string,
  opts: ConnectOptions,
): WebSocket {
  const url = opts.url ?? wsUrl(relay, subject);
  const origin =
    opts.origin === undefined
      ? subject.role === 'tech'
        ? TECH_ORIGIN
        : undefined
      : (opts.origin ?? undefined);
  const via = opts.via ?? (subject.role === 'tech' ? 'protocol' : 'header');
  const options: ClientOptions = { perMessageDeflate: false, ...opts.ws, ...(origin ? { origin } : {}) };
  if (via === 'header')
    return new WebSocket(url, {
      ...options,
      headers: { authorization: `Bearer ${token}`, ...opts.ws?.headers },
    });
  return new WebSocket(url, relayWebSocketProtocols(token), options);
}

async function tokenFor(subject: RelayTokenSubject, opts: ConnectOptions): Promise<string> {
  return opts.token ?? mint(subject);
}

/** Connects an agent and a tech for one (session, channel). */
export async function openPair(
  relay: RelayTarget,
  sid: string = randomUUID(),
  ch = 'screen',
  agentWs: ClientOptions = {},
  techWs: ClientOptions = {},
): Promise<{ agent: WebSocket; tech: WebSocket; sid: string }> {
  const agent = await openClient(relay, subjectFor('agent', sid, ch), { ws: agentWs });
  const tech = await openClient(relay, subjectFor('tech', sid, ch), { ws: techWs });
  return { agent, tech, sid };
}

export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'));
  return new Promise((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
}

export function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })),
  );
}

export async function until(check: () => boolean, timeoutMs = 5000, stepMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A client mask of zeros: ws then skips masking (agents do this for bulk data; browsers cannot). */
export const ZERO_MASK = { generateMask: (mask: Buffer): void => void mask.fill(0) } as ClientOptions;

/**
 * Sends `count` messages from `next(i)`, keeping at most `maxBuffered` bytes queued in the client;
 * stops early (returning what was sent) once `deadline` passes.
 */
export async function pump(
  ws: WebSocket,
  count: number,
  next: (i: number) => Buffer,
  maxBuffered = 4 * 1024 * 1024,
  deadline = Infinity,
): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const chunk = next(i);
    if (ws.bufferedAmount > maxBuffered) {
      const flushed = new Promise<void>((resolve, reject) =>
        ws.send(chunk, (err) => (err ? reject(err) : resolve())),
      );
      if (deadline === Infinity) await flushed;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          flushed,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
        ]);
        clearTimeout(timer);
        if (Date.now() >= deadline) return bytes + chunk.length;
      }
    } else ws.send(chunk);
    bytes += chunk.length;
  }
  return bytes;
}

/** Reads a gauge or counter from GET /metrics (the relay allows loopback callers). */
export async function readMetric(relay: RelayTarget, name: string): Promise<number> {
  const res = await fetch(`${relay.url}/metrics`);
  const text = await res.text();
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`metric ${name} not found`);
  return Number(match[1]);
}
