/** Bulk throughput: 1 GiB in 64 KiB messages, net proxy vs relay, runs alternated. */
import { RelayTransport, type Transport } from './endpoints';
import { bulkThroughput } from './measure';
import { MIB, SIZES, TOKEN_KEY, rows, startServer, median, log, type Server } from './context';

type BulkKind = 'net' | 'relay' | 'relayMasked';
interface BulkRun {
  mibPerSec: number;
  serverCpuSecPerGiB: number;
}

/** Bulk: both servers up at once and runs alternated, so background load hits each alike. */
export async function bulk(): Promise<void> {
  const net = await startServer('net');
  const relay = await startServer('relay');
  const targets: Record<BulkKind, { server: Server; transport: Transport }> = {
    net: { server: net, transport: net.transport },
    relay: { server: relay, transport: relay.transport },
    relayMasked: { server: relay, transport: new RelayTransport(relay.child.port, TOKEN_KEY, true) },
  };
  const kinds = Object.keys(targets) as BulkKind[];
  const runs: Record<BulkKind, BulkRun[]> = { net: [], relay: [], relayMasked: [] };
  try {
    for (const kind of kinds) await bulkThroughput(targets[kind].transport, 64 * MIB);
    for (let i = 0; i < SIZES.bulkRuns; i++) {
      for (const kind of kinds) {
        const { server, transport } = targets[kind];
        const before = (await server.child.memory(false)).cpuUs;
        const r = await bulkThroughput(transport, SIZES.bulkBytes);
        const cpu = ((await server.child.memory(false)).cpuUs - before) / 1e6;
        runs[kind].push({
          mibPerSec: r.mbPerSec,
          serverCpuSecPerGiB: cpu / (SIZES.bulkBytes / (1024 * MIB)),
        });
      }
    }
  } finally {
    await Promise.all([net.child.stop(), relay.child.stop()]);
  }
  const med = (kind: BulkKind, f: keyof BulkRun): number => median(runs[kind].map((r) => r[f]));
  const best = (kind: BulkKind): number => Math.max(...runs[kind].map((r) => r.mibPerSec));
  for (const kind of kinds) {
    const list = runs[kind].map(
      (r) => `${r.mibPerSec.toFixed(0)} (${r.serverCpuSecPerGiB.toFixed(2)} s CPU/GiB)`,
    );
    log(`bulk ${kind}: ${list.join(', ')} MiB/s`);
  }
  const label = `${SIZES.bulkBytes / MIB} MiB in 64 KiB messages, median of ${SIZES.bulkRuns}`;
  const ratio = med('relay', 'mibPerSec') / med('net', 'mibPerSec');
  const maskedRatio = med('relayMasked', 'mibPerSec') / med('net', 'mibPerSec');
  rows.push({
    key: 'bulk_mib_per_s',
    label: `bulk throughput, ${label}`,
    unit: 'MiB/s',
    net: med('net', 'mibPerSec'),
    relay: med('relay', 'mibPerSec'),
    target: '',
    met: null,
    detail: { runs },
  });
  rows.push({
    key: 'bulk_ratio',
    label: 'bulk throughput ratio b/a',
    unit: '×',
    net: null,
    relay: ratio,
    target: '≥ 0.90',
    met: ratio >= 0.9,
  });
  rows.push({
    key: 'bulk_ratio_best',
    label: '  same, best run of each',
    unit: '×',
    net: null,
    relay: best('relay') / best('net'),
    target: '',
    met: null,
  });
  rows.push({
    key: 'bulk_ratio_masking_agent',
    label: '  same, agent masking every frame (the agent today)',
    unit: '×',
    net: null,
    relay: maskedRatio,
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
