/**
 * The benchmark itself (started by bench/relay.bench.ts as plain JavaScript). Servers run in child
 * processes; the measuring clients run here; the saturating bulk session of the latency test runs in
 * a child of its own. Loopback only; every loop is bounded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { RELAY_DEFAULTS } from '../../relay/config';
import { TURN_BYTES } from '../../relay/pair';
import { bulk } from './bulk-section';
import { QUICK, SIZES, log, rows, setEventsUrl } from './context';
import { latency } from './latency-section';
import { recording } from './recording-section';
import { idle, stalled } from './memory-sections';
import { setups } from './setup-section';

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
  setEventsUrl(`http://127.0.0.1:${(sink.address() as AddressInfo).port}/api/relay/events`);
  const started = Date.now();
  const load = loadavg()[0];
  log(
    `relay benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}, load ${load.toFixed(2)}${QUICK ? ' (quick)' : ''}`,
  );

  const only = process.env.BENCH_ONLY?.split(',');
  // Latency first, while this process's heap is small: its own garbage collections would show up as
  // latency. Each section starts from collected garbage.
  const sections: Record<string, () => Promise<void>> = { latency, bulk, recording, setups, stalled, idle };
  for (const [name, run] of Object.entries(sections)) {
    if (only && !only.includes(name)) continue;
    (globalThis as { gc?: () => void }).gc?.();
    await run();
  }

  sink.closeAllConnections();
  sink.close();
  printTable();
  const result = {
    date: new Date().toISOString(),
    durationSec: Math.round((Date.now() - started) / 1000),
    quick: QUICK,
    loadAverageAtEnd: loadavg()[0],
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
