/**
 * Recording: bulk throughput of a recorded pair beside an unrecorded one on the same relay (runs
 * alternated), and the relay's RSS growth per recorded session while several record at once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayTransport } from './endpoints';
import { bulkThroughput, closeAll, pumpBytes } from './measure';
import { MIB, QUICK, SIZES, TOKEN_KEY, log, median, pause, rows, startServer } from './context';

const REC = { mode: 'required', tech: null, device: null } as const;
/** Each recorded run writes its bytes to disk: smaller than the bulk section's GiB. */
const RUN_BYTES = (QUICK ? 128 : 512) * MIB;
const RUNS = QUICK ? 1 : Math.max(3, SIZES.bulkRuns);
const CONCURRENT = 8;
const PER_SESSION_BYTES = (QUICK ? 32 : 128) * MIB;

export async function recording(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-rec-'));
  const recDir = join(dir, 'recordings');
  const server = await startServer('relay', { RECORDING_DIR: recDir });
  const plain = server.transport as RelayTransport;
  const recorded = new RelayTransport(server.child.port, TOKEN_KEY, false, REC);
  const runs = { plain: [] as number[], recorded: [] as number[] };
  let growthPerSession = 0;
  let peakGrowth = 0;
  try {
    await bulkThroughput(plain, 64 * MIB);
    await bulkThroughput(recorded, 64 * MIB);
    for (let i = 0; i < RUNS; i++) {
      runs.plain.push((await bulkThroughput(plain, RUN_BYTES)).mbPerSec);
      runs.recorded.push((await bulkThroughput(recorded, RUN_BYTES)).mbPerSec);
      await pause(300); // the last chunk's fsync and manifest
      rmSync(recDir, { recursive: true, force: true });
    }

    // Memory: several recorded sessions at full speed at once; peak RSS over the idle baseline.
    const before = await server.child.memory();
    const pairs = await Promise.all(
      Array.from({ length: CONCURRENT }, () => recorded.openPair(randomUUID())),
    );
    let peak = before.rss;
    let sampling = true;
    const sampler = (async (): Promise<void> => {
      while (sampling) {
        peak = Math.max(peak, (await server.child.memory(false)).rss);
        await pause(100);
      }
    })();
    const chunk = randomBytes(64 * 1024);
    await Promise.all(
      pairs.map(async ({ agent, tech }) => {
        let got = 0;
        const done = new Promise<void>((resolve) =>
          tech.onData((d) => {
            if ((got += d.length) >= PER_SESSION_BYTES) resolve();
          }),
        );
        await pumpBytes(agent, PER_SESSION_BYTES, chunk);
        await done;
      }),
    );
    sampling = false;
    await sampler;
    closeAll(pairs);
    peakGrowth = (peak - before.rss) / MIB;
    growthPerSession = peakGrowth / CONCURRENT;
  } finally {
    await server.child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  log(`recording: unrecorded ${runs.plain.map((v) => v.toFixed(0)).join(', ')} MiB/s`);
  log(`recording: recorded ${runs.recorded.map((v) => v.toFixed(0)).join(', ')} MiB/s`);
  log(`recording: peak RSS growth ${peakGrowth.toFixed(1)} MiB with ${CONCURRENT} recorded sessions`);
  const ratio = median(runs.recorded) / median(runs.plain);
  const label = `${RUN_BYTES / MIB} MiB in 64 KiB messages, median of ${RUNS}`;
  rows.push({
    key: 'recording_bulk_unrecorded_mib_per_s',
    label: `bulk throughput, unrecorded pair, ${label}`,
    unit: 'MiB/s',
    net: null,
    relay: median(runs.plain),
    target: '',
    met: null,
    detail: { runs: runs.plain },
  });
  rows.push({
    key: 'recording_bulk_recorded_mib_per_s',
    label: '  same, recorded pair (screen records to the folder store), same relay, runs alternated',
    unit: 'MiB/s',
    net: null,
    relay: median(runs.recorded),
    target: '',
    met: null,
    detail: { runs: runs.recorded },
  });
  rows.push({
    key: 'recording_bulk_ratio',
    label: 'recorded / unrecorded bulk throughput',
    unit: '×',
    net: null,
    relay: ratio,
    target: '≥ 0.80',
    met: ratio >= 0.8,
  });
  rows.push({
    key: 'recording_rss_growth_mib_per_session',
    label: `RSS growth per recorded session, ${CONCURRENT} at full speed (peak over idle)`,
    unit: 'MiB',
    net: null,
    relay: growthPerSession,
    target: '',
    met: null,
    detail: { concurrent: CONCURRENT, bytesPerSession: PER_SESSION_BYTES, peakGrowthMiB: peakGrowth },
  });
}
