/** Memory: RSS per idle pair, and RSS growth while readers never read. */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RelayTransport } from './endpoints';
import { bulkThroughput, closeAll, openIdlePairs, pumpBytes } from './measure';
import { MIB, SIZES, rows, withServer, pause, log, SEMI_SPACE_FLAG, type Kind, type Row } from './context';

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

export async function idle(): Promise<void> {
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

export async function stalled(): Promise<void> {
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
