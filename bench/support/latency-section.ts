/** Round trips of 1 KiB messages at 1000/s, alone and beside a saturating (or capped) bulk session. */
import { BenchChild } from './children';
import { roundTrip, type LatencyResult } from './measure';
import { MIB, SIZES, SECRET, rows, withServer, median, pause, log } from './context';

interface LatencyTrial {
  readonly alone: LatencyResult;
  readonly loaded: LatencyResult;
  readonly bulkMiBs: number;
}

/** Median of each figure over the trials (background load on a shared machine hits single trials). */
function medianTrial(trials: readonly LatencyTrial[]): LatencyTrial {
  const of = (pick: (t: LatencyTrial) => LatencyResult): LatencyResult => ({
    samples: trials.reduce((n, t) => n + pick(t).samples, 0),
    p50Ms: median(trials.map((t) => pick(t).p50Ms)),
    p99Ms: median(trials.map((t) => pick(t).p99Ms)),
    maxMs: median(trials.map((t) => pick(t).maxMs)),
  });
  return {
    alone: of((t) => t.alone),
    loaded: of((t) => t.loaded),
    bulkMiBs: median(trials.map((t) => t.bulkMiBs)),
  };
}

async function latencyRun(
  kind: 'net' | 'relay',
  env: NodeJS.ProcessEnv = {},
): Promise<LatencyTrial & { trials: LatencyTrial[] }> {
  return withServer(
    kind,
    async ({ child, transport }) => {
      await roundTrip(transport, SIZES.latencyRate, 500, 0);
      const trials: LatencyTrial[] = [];
      for (let i = 0; i < SIZES.latencyTrials; i++) {
        const alone = await roundTrip(
          transport,
          SIZES.latencyRate,
          SIZES.latencySamples,
          SIZES.latencyWarmup,
        );
        const load = await BenchChild.start('bulk-child.ts', {
          BENCH_MODE: kind,
          BENCH_PORT: String(child.port),
          RELAY_SECRET: SECRET,
        });
        await pause(1000);
        const loaded = await roundTrip(
          transport,
          SIZES.latencyRate,
          SIZES.latencySamples,
          SIZES.latencyWarmup,
        );
        const stopped = await load.stop();
        const bulkMiBs = stopped?.bytes && stopped.seconds ? stopped.bytes / MIB / stopped.seconds : 0;
        trials.push({ alone, loaded, bulkMiBs });
      }
      return { ...medianTrial(trials), trials };
    },
    env,
  );
}

export async function latency(): Promise<void> {
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
  const label = `round trip, 1 KiB at ${SIZES.latencyRate}/s (median of ${SIZES.latencyTrials} trials)`;
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
    detail: { net: net.trials, relay: relay.trials },
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
    detail: { RELAY_SESSION_RATE_BYTES_PER_SEC: SIZES.cappedRate, trials: capped.trials },
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
