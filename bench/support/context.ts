/** What the benchmark's sections share: sizes, the secret, the results table, and server start-up. */
import { randomBytes } from 'node:crypto';
import { deriveRelayKey } from '../../contracts/node/relay-keys';
import { BenchChild } from './children';
import { BENCH_ORIGIN, NetTransport, RelayTransport, type Transport } from './endpoints';

export const MIB = 1024 * 1024;
export const QUICK = process.env.BENCH_QUICK === '1';
export const SIZES = {
  bulkBytes: (QUICK ? 256 : 1024) * MIB,
  bulkRuns: QUICK ? 1 : 5,
  latencyRate: 1000,
  latencySamples: QUICK ? 1000 : 5000,
  latencyWarmup: 500,
  latencyTrials: QUICK ? 1 : 3,
  /** The per-session cap used for the "capped" latency row. */
  cappedRate: 64 * MIB,
  idlePairs: QUICK ? 1000 : 5000,
  stalledPairs: 4,
  stalledMs: 2000,
  setupPairs: QUICK ? 1000 : 3000,
  setupRounds: QUICK ? 1 : 3,
  setupConcurrency: 64,
};
export const SECRET = `bench-${randomBytes(32).toString('base64url')}`;
export const TOKEN_KEY = deriveRelayKey(SECRET, 'token');

export type Kind = 'net' | 'relay' | 'floor';

export interface Row {
  key: string;
  label: string;
  unit: string;
  net: number | null;
  relay: number | null;
  /** Reference (c): bare `ws` pairing server, where measured. */
  floor?: number | null;
  target: string;
  met: boolean | null;
  detail?: Record<string, unknown>;
}

export const rows: Row[] = [];
let eventsUrl = '';

/** Where relays started from now on report their events (a local sink in runner.ts). */
export function setEventsUrl(url: string): void {
  eventsUrl = url;
}

export interface Server {
  readonly child: BenchChild;
  readonly transport: Transport;
}

/** The Node.js flag recommended for relays with many idle pairs (docs/operations.md). */
export const SEMI_SPACE_FLAG = '--max-semi-space-size=4';

export async function startServer(
  kind: Kind,
  env: NodeJS.ProcessEnv = {},
  nodeFlags: readonly string[] = [],
): Promise<Server> {
  if (kind === 'net') {
    const child = await BenchChild.start('net-proxy-child.ts', {}, nodeFlags);
    return { child, transport: new NetTransport(child.port) };
  }
  if (kind === 'floor') {
    const child = await BenchChild.start('ws-floor-child.ts', {}, nodeFlags);
    return { child, transport: new RelayTransport(child.port, TOKEN_KEY) };
  }
  const child = await BenchChild.start(
    'relay-child.ts',
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      RELAY_SECRET: SECRET,
      PORTAL_ORIGIN: BENCH_ORIGIN,
      // Loopback only: the production transport policy (https origins) has nothing to protect here.
      ALLOW_INSECURE_TRANSPORT: 'true',
      RELAY_PORT: '0',
      RELAY_HOST: '127.0.0.1',
      RELAY_EVENTS_URL: eventsUrl,
      RELAY_MAX_CONNECTIONS: '20000',
      ...env,
    },
    nodeFlags,
  );
  return { child, transport: new RelayTransport(child.port, TOKEN_KEY) };
}

export async function withServer<T>(
  kind: Kind,
  run: (s: Server) => Promise<T>,
  env: NodeJS.ProcessEnv = {},
  nodeFlags: readonly string[] = [],
): Promise<T> {
  const server = await startServer(kind, env, nodeFlags);
  try {
    return await run(server);
  } finally {
    await server.child.stop();
  }
}

export const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}
