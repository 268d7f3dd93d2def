/**
 * The files benchmark (started by bench/files.bench.ts as plain JavaScript). The relay and the agent run
 * in child processes; the viewer runs here, as a browser would drive the Files tab: text requests, data
 * frames with the 4-byte id, acks every MiB, the window respected. Loopback only.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { mintRelayToken } from '../../contracts/node/relay-token';
import {
  FILES_DATA_HEADER_BYTES,
  FILES_LIMITS,
  encodeFilesData,
  parseFilesReply,
  type FilesReply,
} from '../../contracts/agent-protocol/files-frames';
import { relayConnectUrl, relayWebSocketProtocols } from '../../contracts/relay-connect';
import { BenchChild } from './children';
import { BENCH_ORIGIN, RelayTransport } from './endpoints';
import { bulkThroughput } from './measure';
import { MIB, QUICK, TOKEN_KEY, log, startServer } from './context';

const BYTES = (QUICK ? 256 : 1024) * MIB;
const BULK_RUNS = QUICK ? 1 : 3;

interface Row {
  key: string;
  label: string;
  unit: string;
  value: number;
  target: string;
  met: boolean | null;
}
const rows: Row[] = [];

/** The viewer's end of the files channel (tech side of the relay). */
class Viewer {
  private readonly waiting: { match: (r: FilesReply) => boolean; resolve: (r: FilesReply) => void }[] = [];
  onData: ((data: Buffer) => void) | undefined;
  onReply: ((reply: FilesReply) => void) | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (isBinary) return this.onData?.(raw);
      const parsed = parseFilesReply(raw.toString('utf8'));
      if (!parsed.ok) throw new Error(parsed.error);
      this.onReply?.(parsed.value);
      const at = this.waiting.findIndex((w) => w.match(parsed.value));
      if (at >= 0) this.waiting.splice(at, 1)[0].resolve(parsed.value);
    });
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  reply(id: number, types: string[]): Promise<FilesReply> {
    return new Promise((resolve) =>
      this.waiting.push({
        match: (r) => r.id === id && (types.includes(r.type) || r.type === 'error'),
        resolve,
      }),
    );
  }
}

/** Samples a child's RSS every 200 ms until stopped; the peak. */
function peakRss(child: BenchChild): { stop: () => Promise<{ rss: number; arrayBuffers: number }> } {
  let rss = 0;
  let arrayBuffers = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const m = await child.memory(false);
      rss = Math.max(rss, m.rss);
      arrayBuffers = Math.max(arrayBuffers, m.arrayBuffers);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { rss, arrayBuffers };
    },
  };
}

async function measured<T>(
  agent: BenchChild,
  relay: BenchChild,
  run: () => Promise<T>,
): Promise<{
  result: T;
  seconds: number;
  agentGrowth: number;
  relayGrowth: number;
  agentArrayBuffers: number;
  agentRetained: number;
}> {
  const agentStart = await agent.memory(true);
  const relayStart = await relay.memory(true);
  const agentBase = agentStart.rss;
  const relayBase = relayStart.rss;
  const a = peakRss(agent);
  const r = peakRss(relay);
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const agentPeak = await a.stop();
  const relayPeak = await r.stop();
  const agentEnd = await agent.memory(true);
  const relayEnd = await relay.memory(true);
  log(
    `  CPU: agent ${((agentEnd.cpuUs - agentStart.cpuUs) / 1e6).toFixed(1)} s, relay ${((relayEnd.cpuUs - relayStart.cpuUs) / 1e6).toFixed(1)} s, viewer ${(process.cpuUsage().user / 1e6).toFixed(1)} s so far; agent array buffers after GC ${(agentEnd.arrayBuffers / 1e6).toFixed(1)} MB`,
  );
  return {
    result,
    seconds,
    agentGrowth: agentPeak.rss - agentBase,
    relayGrowth: relayPeak.rss - relayBase,
    // Buffers alive or not yet collected at the peak (ws frames: V8 collects them in batches).
    agentArrayBuffers: agentPeak.arrayBuffers,
    // What stays once garbage is collected: the transfer's own lasting cost (a leak would show here).
    agentRetained: agentEnd.rss - agentBase,
  };
}

async function main(): Promise<void> {
  const load = loadavg()[0] ?? 0;
  log(
    `files benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}, load ${load.toFixed(2)}${QUICK ? ' (quick)' : ''}`,
  );
  const home = await mkdtemp(join(tmpdir(), 'files-bench-'));
  // Loopback without TLS: the relay's production checks allow it only when told (a lab).
  const relay = await startServer('relay', { ALLOW_INSECURE_TRANSPORT: 'true' });
  let agent: BenchChild | undefined;
  try {
    // The file to download: BYTES of a repeated random chunk, its SHA-256 computed as it is written.
    const pattern = randomBytes(FILES_LIMITS.chunkBytes);
    const fileHash = createHash('sha256');
    const fd = await open(join(home, 'download.bin'), 'w');
    for (let at = 0; at < BYTES; at += pattern.length) {
      await fd.write(pattern);
      fileHash.update(pattern);
    }
    await fd.close();
    const fileSha = fileHash.digest('hex');

    // Raw bulk through the same relay, the reference figure.
    const transport = new RelayTransport(relay.child.port, TOKEN_KEY);
    await bulkThroughput(transport, 64 * MIB);
    const bulk: number[] = [];
    for (let i = 0; i < BULK_RUNS; i++) bulk.push((await bulkThroughput(transport, BYTES)).mbPerSec);
    bulk.sort((x, y) => x - y);
    const raw = bulk[Math.floor(bulk.length / 2)];
    log(`raw bulk through the relay: ${bulk.map((b) => b.toFixed(0)).join(', ')} MiB/s`);

    // The files channel: the agent in its own process dials the relay; the viewer joins.
    const sid = randomUUID();
    const agentToken = await mintRelayToken(
      TOKEN_KEY.secret,
      TOKEN_KEY.kid,
      { sid, ch: 'files', role: 'agent' },
      600,
    );
    const techToken = await mintRelayToken(
      TOKEN_KEY.secret,
      TOKEN_KEY.kid,
      { sid, ch: 'files', role: 'tech' },
      600,
    );
    agent = await BenchChild.start('files-agent-child.ts', {
      BENCH_RELAY_URL: `ws://127.0.0.1:${relay.child.port}`,
      BENCH_AGENT_TOKEN: agentToken,
      BENCH_SID: sid,
      BENCH_HOME: home,
    });
    const ws = new WebSocket(
      relayConnectUrl(`ws://127.0.0.1:${relay.child.port}`, { sid, ch: 'files', role: 'tech' }),
      relayWebSocketProtocols(techToken),
      { perMessageDeflate: false, origin: BENCH_ORIGIN },
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const viewer = new Viewer(ws);
    viewer.send({ op: 'places', id: 1 });
    await viewer.reply(1, ['places']);
    viewer.send({ op: 'list', id: 2, path: home });
    await viewer.reply(2, ['listing']);

    // Download: count, hash, ack every MiB.
    const down = await measured(agent, relay.child, async () => {
      let received = 0;
      let acked = 0;
      const hash = createHash('sha256');
      viewer.onData = (frame) => {
        const data = frame.subarray(FILES_DATA_HEADER_BYTES);
        hash.update(data);
        received += data.length;
        if (received - acked >= FILES_LIMITS.ackEveryBytes) {
          acked = received;
          viewer.send({ op: 'ack', id: 3, bytes: received });
        }
      };
      viewer.send({ op: 'download', id: 3, dir: home, name: 'download.bin' });
      const end = await viewer.reply(3, ['download_end']);
      if (end.type !== 'download_end') throw new Error(`download failed: ${JSON.stringify(end)}`);
      const sha = hash.digest('hex');
      if (sha !== fileSha || end.sha256 !== fileSha || received !== BYTES)
        throw new Error('download bytes differ');
      return received;
    });
    viewer.onData = undefined;

    // Upload: the same pattern, within the window the agent's acks allow.
    const up = await measured(agent, relay.child, async () => {
      let acked = 0;
      let wake: (() => void) | undefined;
      viewer.onReply = (r) => {
        if (r.type === 'ack' && r.id === 4) {
          acked = r.bytes;
          wake?.();
        }
      };
      viewer.send({
        op: 'upload',
        id: 4,
        dir: home,
        name: 'upload.bin',
        size: BYTES,
        overwrite: false,
        resumeKey: 'bench-resume-key-0001',
      });
      const ready = await viewer.reply(4, ['upload_ready']);
      if (ready.type !== 'upload_ready') throw new Error(`upload refused: ${JSON.stringify(ready)}`);
      const frame = encodeFilesData(4, pattern);
      let sent = 0;
      while (sent < BYTES) {
        while (sent + pattern.length - acked > FILES_LIMITS.windowBytes)
          await new Promise<void>((resolve) => (wake = resolve));
        const flushed = new Promise<void>((resolve) => ws.send(frame, { binary: true }, () => resolve()));
        sent += pattern.length;
        if (ws.bufferedAmount > 2 * FILES_LIMITS.chunkBytes) await flushed;
      }
      viewer.send({ op: 'upload_end', id: 4, sha256: fileSha });
      const done = await viewer.reply(4, ['done']);
      if (done.type !== 'done' || done.sha256 !== fileSha)
        throw new Error(`upload failed: ${JSON.stringify(done)}`);
      return sent;
    });
    ws.close();

    for (const [name, m] of [
      ['download', down],
      ['upload', up],
    ] as const)
      log(
        `${name}: ${m.seconds.toFixed(1)} s; agent peak array buffers ${(m.agentArrayBuffers / 1e6).toFixed(1)} MB, agent RSS after GC ${(m.agentRetained / 1e6).toFixed(1)} MB above its start`,
      );
    const downRate = BYTES / MIB / down.seconds;
    const upRate = BYTES / MIB / up.seconds;
    const size = `${BYTES / MIB} MiB`;
    rows.push(
      {
        key: 'raw_bulk_mib_per_s',
        label: `raw bulk through the relay, ${size}, median of ${BULK_RUNS}`,
        unit: 'MiB/s',
        value: raw,
        target: '',
        met: null,
      },
      {
        key: 'download_mib_per_s',
        label: `download ${size} (agent → relay → viewer)`,
        unit: 'MiB/s',
        value: downRate,
        target: '',
        met: null,
      },
      {
        key: 'download_ratio',
        label: '  download / raw bulk',
        unit: '×',
        value: downRate / raw,
        target: '≥ 0.50',
        met: downRate / raw >= 0.5,
      },
      {
        key: 'upload_mib_per_s',
        label: `upload ${size} (viewer → relay → agent, verified)`,
        unit: 'MiB/s',
        value: upRate,
        target: '',
        met: null,
      },
      {
        key: 'upload_ratio',
        label: '  upload / raw bulk',
        unit: '×',
        value: upRate / raw,
        target: '≥ 0.50',
        met: upRate / raw >= 0.5,
      },
      {
        key: 'download_agent_rss_growth_mb',
        label: 'agent RSS growth during the download',
        unit: 'MB',
        value: down.agentGrowth / 1e6,
        target: '≤ 64',
        met: down.agentGrowth / 1e6 <= 64,
      },
      {
        key: 'download_agent_rss_retained_mb',
        label: '  agent RSS after GC, above its start',
        unit: 'MB',
        value: down.agentRetained / 1e6,
        target: '',
        met: null,
      },
      {
        key: 'download_relay_rss_growth_mb',
        label: 'relay RSS growth during the download',
        unit: 'MB',
        value: down.relayGrowth / 1e6,
        target: '≤ 64',
        met: down.relayGrowth / 1e6 <= 64,
      },
      {
        key: 'upload_agent_rss_growth_mb',
        label: 'agent RSS growth during the upload',
        unit: 'MB',
        value: up.agentGrowth / 1e6,
        target: '≤ 64',
        met: up.agentGrowth / 1e6 <= 64,
      },
      {
        key: 'upload_agent_rss_retained_mb',
        label: '  agent RSS after GC, above its start',
        unit: 'MB',
        value: up.agentRetained / 1e6,
        target: '',
        met: null,
      },
      {
        key: 'upload_relay_rss_growth_mb',
        label: 'relay RSS growth during the upload',
        unit: 'MB',
        value: up.relayGrowth / 1e6,
        target: '≤ 64',
        met: up.relayGrowth / 1e6 <= 64,
      },
    );
  } finally {
    await agent?.stop();
    await relay.child.stop();
    await rm(home, { recursive: true, force: true });
  }

  const fmt = (v: number): string =>
    Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2);
  const header = ['measurement', 'unit', 'value', 'target', 'met'];
  const body = rows.map((r) => [
    r.label,
    r.unit,
    fmt(r.value),
    r.target,
    r.met === null ? '' : r.met ? 'yes' : 'no',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(
    `${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}\n`,
  );
  const result = {
    date: new Date().toISOString(),
    quick: QUICK,
    bytes: BYTES,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
      loadAverageAtStart: load,
      loadAverageAtEnd: loadavg()[0],
    },
    setup: {
      relay: 'the relay (relay/relay-server.ts) as in production, own process',
      agent:
        "agent/src/files/files-channel.ts over the agent's relay dialer, own process, files on the local disk",
      viewer: 'this process, a browser-like ws: acks every MiB, 8 MiB window, SHA-256 checked both ways',
      rss: 'growth = peak RSS sampled every 200 ms during the transfer − RSS after garbage collection before it',
    },
    results: rows,
  };
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'files.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write('\nwrote bench/results/files.json\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
