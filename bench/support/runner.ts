/**
 * The benchmark itself (started by bench/relay.bench.ts as plain JavaScript). Servers run in child
 * processes; the measuring clients run here; the saturating bulk session of the latency test runs in
 * a child of its own. Loopback only; every loop is bounded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deriveRelayKey } from '../../contracts/relay-keys';
import { RELAY_DEFAULTS } from '../../relay/config';
import { TURN_BYTES } from '../../relay/pair';
import { BenchChild } from './children';
import { BENCH_ORIGIN, NetTransport, RawRelayClient, RelayTransport, type Transport } from './endpoints';
import {
  bulkThroughput,
  closeAll,
  openIdlePairs,
  pumpBytes,
  roundTrip,
  setupPairs,
  type LatencyResult,
} from './measure';

const MIB = 1024 * 1024;
const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = {
  bulkBytes: (QUICK ? 256 : 1024) * MIB,
  bulkRuns: QUICK ? 1 : 5,
  latencyRate: 1000,
  latencySamples: QUICK ? 1000 : 5000,
  latencyWarmup: 500,
  /** The per-session cap used for the "capped" latency row. */
  cappedRate: 64 * MIB,
  idlePairs: QUICK ? 1000 : 5000,
  stalledPairs: 4,
  stalledMs: 2000,
  setupPairs: QUICK ? 1000 : 3000,
  setupRounds: QUICK ? 1 : 3,
  setupConcurrency: 64,
};
const SECRET = `bench-${randomBytes(32).toString('base64url')}`;
const TOKEN_KEY = deriveRelayKey(SECRET, 'token');

type Kind = 'net' | 'relay' | 'floor';

interface Row {
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

const rows: Row[] = [];
let eventsUrl = '';

interface Server {
  readonly child: BenchChild;
  readonly transport: Transport;
}

/** The Node.js flag recommended for relays with many idle pairs (docs/operations.md). */
const SEMI_SPACE_FLAG = '--max-semi-space-size=4';

async function startServer(
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
  const child = await BenchChild.start('relay-child.ts', {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    RELAY_SECRET: SECRET,
    PORTAL_ORIGIN: BENCH_ORIGIN,
    RELAY_PORT: '0',
    RELAY_HOST: '127.0.0.1',
    RELAY_EVENTS_URL: eventsUrl,
    RELAY_MAX_CONNECTIONS: '20000',
    ...env,
  });
  return { child, transport: new RelayTransport(child.port, TOKEN_KEY) };
}

async function withServer<T>(
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

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Bulk: both servers up at once and runs alternated, so background noise hits both alike. */
async function bulk(): Promise<void> {
  const servers = { net: await startServer('net'), relay: await startServer('relay') };
  const runs: Record<'net' | 'relay', Array<{ mibPerSec: number; serverCpuSecPerGiB: number }>> = {
    net: [],
    relay: [],
  };
  try {
    for (const s of Object.values(servers)) await bulkThroughput(s.transport, 64 * MIB);
    for (let i = 0; i < SIZES.bulkRuns; i++) {
      for (const kind of ['net', 'relay'] as const) {
        const before = (await servers[kind].child.memory(false)).cpuUs;
        const r = await bulkThroughput(servers[kind].transport, SIZES.bulkBytes);
        const cpu = ((await servers[kind].child.memory(false)).cpuUs - before) / 1e6;
        runs[kind].push({
          mibPerSec: r.mbPerSec,
          serverCpuSecPerGiB: cpu / (SIZES.bulkBytes / (1024 * MIB)),
        });
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.child.stop()));
  }
  const med = (kind: 'net' | 'relay', f: 'mibPerSec' | 'serverCpuSecPerGiB'): number =>
    median(runs[kind].map((r) => r[f]));
  const best = (kind: 'net' | 'relay'): number => Math.max(...runs[kind].map((r) => r.mibPerSec));
  for (const kind of ['net', 'relay'] as const)
    log(
      `bulk ${kind}: ${runs[kind].map((r) => `${r.mibPerSec.toFixed(0)} MiB/s (${r.serverCpuSecPerGiB.toFixed(2)} s CPU/GiB)`).join(', ')}`,
    );
  const ratio = med('relay', 'mibPerSec') / med('net', 'mibPerSec');
  const label = `${SIZES.bulkBytes / MIB} MiB in 64 KiB messages`;
  rows.push({
    key: 'bulk_mib_per_s',
    label: `bulk throughput, ${label} (median of ${SIZES.bulkRuns})`,
    unit: 'MiB/s',
    net: med('net', 'mibPerSec'),
    relay: med('relay', 'mibPerSec'),
    target: '',
    met: null,
    detail: { runs },
  });
  rows.push({
    key: 'bulk_ratio',
    label: 'bulk throughput ratio b/a (medians)',
    unit: '×',
    net: null,
    relay: ratio,
    target: '≥ 0.90',
    met: ratio >= 0.9,
  });
  rows.push({
    key: 'bulk_ratio_best',
    label: 'bulk throughput ratio b/a (best runs)',
    unit: '×',
    net: null,
    relay: best('relay') / best('net'),
    target: '',
    met: null,
  });
  rows.push({
    key: 'bulk_server_cpu_s_per_gib',
    label: 'server CPU per GiB relayed (median)',
    unit: 's',
    net: med('net', 'serverCpuSecPerGiB'),
    relay: med('relay', 'serverCpuSecPerGiB'),
    target: '',
    met: null,
  });
}

async function latencyRun(
  kind: 'net' | 'relay',
  env: NodeJS.ProcessEnv = {},
): Promise<{ alone: LatencyResult; loaded: LatencyResult; bulkMiBs: number }> {
  return withServer(
    kind,
    async ({ child, transport }) => {
      await roundTrip(transport, SIZES.latencyRate, 500, 0);
      const alone = await roundTrip(transport, SIZES.latencyRate, SIZES.latencySamples, SIZES.latencyWarmup);
      const load = await BenchChild.start('bulk-child.ts', {
        BENCH_MODE: kind,
        BENCH_PORT: String(child.port),
        RELAY_SECRET: SECRET,
      });
      await pause(1000);
      const loaded = await roundTrip(transport, SIZES.latencyRate, SIZES.latencySamples, SIZES.latencyWarmup);
      const stopped = await load.stop();
      const bulkMiBs = stopped?.bytes && stopped.seconds ? stopped.bytes / MIB / stopped.seconds : 0;
      return { alone, loaded, bulkMiBs };
    },
    env,
  );
}

async function latency(): Promise<void> {
  const net = await latencyRun('net');
  const relay = await latencyRun('relay');
  const capped = await latencyRun('relay', { RELAY_SESSION_RATE_BYTES_PER_SEC: String(SIZES.cappedRate) });
  const fmt = (r: LatencyResult): string => `p50 ${r.p50Ms.toFixed(3)} / p99 ${r.p99Ms.toFixed(3)} ms`;
  for (const [name, r] of [
    ['net', net],
    ['relay', relay],
    ['relay, capped', capped],
  ] as const) {
    log(
      `latency ${name}: ${fmt(r.alone)} alone; ${fmt(r.loaded)} beside ${r.bulkMiBs.toFixed(0)} MiB/s bulk`,
    );
  }
  const label = `round trip, 1 KiB at ${SIZES.latencyRate}/s`;
  rows.push({
    key: 'rtt_p50_alone_ms',
    label: `${label}, alone, p50`,
    unit: 'ms',
    net: net.alone.p50Ms,
    relay: relay.alone.p50Ms,
    target: '',
    met: null,
  });
  rows.push({
    key: 'rtt_p99_alone_ms',
    label: `${label}, alone, p99`,
    unit: 'ms',
    net: net.alone.p99Ms,
    relay: relay.alone.p99Ms,
    target: '≤ 1.2',
    met: relay.alone.p99Ms <= 1.2,
  });
  rows.push({
    key: 'rtt_p50_bulk_ms',
    label: `${label}, beside one saturating bulk session, p50`,
    unit: 'ms',
    net: net.loaded.p50Ms,
    relay: relay.loaded.p50Ms,
    target: '',
    met: null,
  });
  rows.push({
    key: 'rtt_p99_bulk_ms',
    label: `${label}, beside one saturating bulk session, p99`,
    unit: 'ms',
    net: net.loaded.p99Ms,
    relay: relay.loaded.p99Ms,
    target: '≤ 5',
    met: relay.loaded.p99Ms <= 5,
  });
  rows.push({
    key: 'bulk_beside_latency_mib_per_s',
    label: '  that bulk session meanwhile',
    unit: 'MiB/s',
    net: net.bulkMiBs,
    relay: relay.bulkMiBs,
    target: '',
    met: null,
  });
  const cap = `${SIZES.cappedRate / MIB} MiB/s`;
  rows.push({
    key: 'rtt_p99_bulk_capped_ms',
    label: `${label}, beside a bulk session capped at ${cap}, p99`,
    unit: 'ms',
    net: null,
    relay: capped.loaded.p99Ms,
    target: '≤ 5',
    met: capped.loaded.p99Ms <= 5,
    detail: {
      RELAY_SESSION_RATE_BYTES_PER_SEC: SIZES.cappedRate,
      alone: capped.alone,
      loaded: capped.loaded,
    },
  });
  rows.push({
    key: 'bulk_capped_mib_per_s',
    label: '  that capped bulk session meanwhile',
    unit: 'MiB/s',
    net: null,
    relay: capped.bulkMiBs,
    target: '',
    met: null,
  });
}

async function idleRssPerPair(
  kind: Kind,
  nodeFlags: readonly string[] = [],
): Promise<{ rss: number; heap: number }> {
  return withServer(
    kind,
    async ({ child, transport }) => {
      const ids = Array.from({ length: SIZES.idlePairs }, () => randomUUID());
      if (transport instanceof RelayTransport && kind === 'relay') await transport.premint(ids);
      closeAll(
        await openIdlePairs(
          transport,
          Array.from({ length: 100 }, () => randomUUID()),
          20,
        ),
      );
      await pause(500);
      const before = await child.memory();
      const pairs = await openIdlePairs(transport, ids, 100);
      await pause(500);
      const after = await child.memory();
      closeAll(pairs);
      return {
        rss: (after.rss - before.rss) / pairs.length / 1024,
        heap: (after.heapUsed - before.heapUsed) / pairs.length / 1024,
      };
    },
    {},
    nodeFlags,
  );
}

async function idle(): Promise<void> {
  const results: Record<string, { rss: number; heap: number }> = {};
  for (const kind of ['net', 'relay', 'floor'] as const) {
    results[kind] = await idleRssPerPair(kind);
    results[`${kind}+flag`] = await idleRssPerPair(kind, [SEMI_SPACE_FLAG]);
  }
  const show = (k: string): string => `${results[k].rss.toFixed(2)} (${results[k].heap.toFixed(2)})`;
  log(
    `idle pairs, RSS (JS heap) KB per pair: net ${show('net')}, relay ${show('relay')}, ws floor ${show('floor')}`,
  );
  log(
    `  with ${SEMI_SPACE_FLAG}: net ${show('net+flag')}, relay ${show('relay+flag')}, ws floor ${show('floor+flag')}`,
  );
  const label = `RSS per idle pair, ${SIZES.idlePairs} pairs`;
  const row = (key: string, text: string, suffix: string, target: string): Row => ({
    key,
    label: text,
    unit: 'KB',
    net: results[`net${suffix}`].rss,
    relay: results[`relay${suffix}`].rss,
    floor: results[`floor${suffix}`].rss,
    target,
    met: target ? results[`relay${suffix}`].rss <= 8 : null,
  });
  rows.push(row('rss_per_idle_pair_kb', `${label}, default Node.js flags`, '', '≤ 8'));
  rows.push(
    row('rss_per_idle_pair_semi4_kb', `${label}, node ${SEMI_SPACE_FLAG} (recommended)`, '+flag', '≤ 8'),
  );
  rows.push({
    key: 'heap_per_idle_pair_kb',
    label: '  of which JS heap',
    unit: 'KB',
    net: results.net.heap,
    relay: results.relay.heap,
    floor: results.floor.heap,
    target: '',
    met: null,
  });
}

async function stalledGrowth(kind: 'net' | 'relay'): Promise<number> {
  return withServer(kind, async ({ child, transport }) => {
    await bulkThroughput(transport, 64 * MIB);
    const before = await child.memory();
    const pairs = await Promise.all(
      Array.from({ length: SIZES.stalledPairs }, () => transport.openPair(randomUUID())),
    );
    for (const p of pairs) p.tech.pauseReading();
    const chunk = randomBytes(64 * 1024);
    const deadline = performance.now() + SIZES.stalledMs;
    await Promise.all(pairs.map((p) => pumpBytes(p.agent, 4096 * MIB, chunk, 8 * MIB, deadline)));
    const after = await child.memory();
    closeAll(pairs);
    return (after.rss - before.rss) / pairs.length / MIB;
  });
}

async function stalled(): Promise<void> {
  const net = await stalledGrowth('net');
  const relay = await stalledGrowth('relay');
  log(`stalled readers, RSS growth per pair: net ${net.toFixed(2)} MB, relay ${relay.toFixed(2)} MB`);
  rows.push({
    key: 'rss_growth_per_stalled_pair_mb',
    label: `RSS growth per pair whose reader never reads (${SIZES.stalledPairs} pairs pushed for ${SIZES.stalledMs / 1000} s)`,
    unit: 'MB',
    net,
    relay,
    target: '≤ 8',
    met: relay <= 8,
  });
}

async function setupRate(kind: Kind): Promise<number> {
  return withServer(kind, async ({ child, transport }) => {
    const rates: number[] = [];
    for (let round = 0; round <= SIZES.setupRounds; round++) {
      const count = round === 0 ? 300 : SIZES.setupPairs;
      const ids = Array.from({ length: count }, () => randomUUID());
      let seconds: number;
      if (kind === 'net') {
        const r = await setupPairs(transport, ids, SIZES.setupConcurrency);
        seconds = r.seconds;
        closeAll(r.pairs);
      } else {
        const raw = new RawRelayClient(child.port, TOKEN_KEY);
        await raw.premint(ids);
        const sockets: Array<{ destroy(): void }> = [];
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: SIZES.setupConcurrency }, async () => {
            while (next < ids.length) sockets.push(...(await raw.setupPair(ids[next++])));
          }),
        );
        seconds = (performance.now() - started) / 1000;
        for (const s of sockets) s.destroy();
      }
      if (round > 0) rates.push(count / seconds);
      await pause(1000);
    }
    return median(rates);
  });
}

async function setups(): Promise<void> {
  const net = await setupRate('net');
  const relay = await setupRate('relay');
  const floor = await setupRate('floor');
  log(`pair setups: net ${net.toFixed(0)}/s, relay ${relay.toFixed(0)}/s, ws floor ${floor.toFixed(0)}/s`);
  rows.push({
    key: 'pair_setups_per_s',
    label: `pair setups per second (${SIZES.setupPairs} pairs, ${SIZES.setupConcurrency} in flight, median of ${SIZES.setupRounds})`,
    unit: '/s',
    net,
    relay,
    floor,
    target: '≥ 3000',
    met: relay >= 3000,
  });
}

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}

function printTable(): void {
  const header = ['measurement', 'unit', '(a) net', '(b) relay', '(c) ws floor', 'target', 'met'];
  const body = rows.map((r) => [
    r.label,
    r.unit,
    fmt(r.net),
    fmt(r.relay),
    fmt(r.floor),
    r.target,
    r.met === null ? '' : r.met ? 'yes' : 'no',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(
    `${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}\n`,
  );
}

async function main(): Promise<void> {
  let eventsReceived = 0;
  const sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      eventsReceived += (JSON.parse(Buffer.concat(chunks).toString()) as { events: unknown[] }).events.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  eventsUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/api/relay/events`;
  const started = Date.now();
  const load = loadavg()[0];
  log(
    `relay benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}, load ${load.toFixed(2)}${QUICK ? ' (quick)' : ''}`,
  );

  const only = process.env.BENCH_ONLY?.split(',');
  const sections: Record<string, () => Promise<void>> = { idle, stalled, setups, bulk, latency };
  for (const [name, run] of Object.entries(sections)) if (!only || only.includes(name)) await run();

  sink.closeAllConnections();
  sink.close();
  printTable();
  const result = {
    date: new Date().toISOString(),
    durationSec: Math.round((Date.now() - started) / 1000),
    quick: QUICK,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
      platform: process.platform,
      loadAverageAtStart: load,
    },
    setup: {
      a: 'raw node:net pipe proxy (socket.pipe both ways), own process',
      b: 'the relay (relay/relay-server.ts) as in production: NODE_ENV=production, info logs, signed events to a local sink, own process',
      c: 'bare ws pairing server: no token, no limits, no timers, no logs, own process',
      clients:
        'this process; agent side = ws with a zero mask, tech side = ws like a browser; pair setups use a raw-socket load generator',
      relayDefaults: {
        highWatermarkBytes: RELAY_DEFAULTS.highWatermarkBytes,
        maxPayloadBytes: RELAY_DEFAULTS.maxPayloadBytes,
        turnBytes: TURN_BYTES,
        perMessageDeflate: false,
      },
    },
    sizes: SIZES,
    eventsReceived,
    results: rows,
  };
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'relay.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwrote bench/results/relay.json (${result.durationSec} s)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
