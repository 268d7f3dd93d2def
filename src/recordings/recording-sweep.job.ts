import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { ScheduledJobs } from '../metrics/scheduled-jobs';
import { RecordingIntegrityService } from './recording-integrity.service';
import { RecordingQueries } from './recording.queries';

const EVERY_MS = 5 * 60_000;
const SWEEP_JOB = 'recording-sweep';
/** A row still `recording` this long after its session ended lost its `recording_finished`. */
export const RECORDING_STALE_AFTER_MS = 10 * 60_000;
/** Rows closed and checks re-queued per run at most (the next run takes the rest). */
const BATCH = 100;

/**
 * Repairs what a lost event leaves behind (a DB error while applying it, a portal restart with
 * events still queued in memory): a row still `recording` whose session ended more than
 * {@link RECORDING_STALE_AFTER_MS} ago is closed from its manifest (`complete` only when the manifest
 * says so and holds exactly the chunks the relay signed; otherwise `incomplete`, `relay_crashed`) and
 * checked; a finished row left `unchecked` (its queued check was lost) is checked again. Without this,
 * retention never removes a row stuck in `recording`.
 */
@Injectable()
export class RecordingSweepJob {
  private readonly logger = new Logger(RecordingSweepJob.name);

  constructor(
    private readonly queries: RecordingQueries,
    private readonly integrity: RecordingIntegrityService,
    private readonly jobs: ScheduledJobs,
    private readonly clock: Clock,
  ) {}

  @Interval(SWEEP_JOB, EVERY_MS)
  tick(): Promise<void> {
    return this.jobs.run(SWEEP_JOB, async () => {
      await this.run();
    });
  }

  /** One pass; returns the rows it closed and the checks it queued (tests call this directly). */
  async run(): Promise<{ closed: string[]; requeued: number }> {
    const now = this.clock.now();
    const closed: string[] = [];
    for (const id of await this.queries.staleRecording(
      new Date(now.getTime() - RECORDING_STALE_AFTER_MS),
      BATCH,
    )) {
      if (await this.close(id, now)) closed.push(id);
    }
    const unchecked = await this.queries.finishedUnchecked(BATCH);
    for (const id of unchecked) this.integrity.enqueue(id);
    if (closed.length > 0)
      this.logger.warn(
        `Closed ${closed.length} recording(s) whose finish never arrived: ${closed.join(', ')}`,
      );
    return { closed, requeued: unchecked.length };
  }

  private async close(id: string, now: Date): Promise<boolean> {
    const row = await this.queries.find(id);
    if (!row || row.status !== 'recording') return false;
    let complete = false;
    let endedAt = now;
    try {
      const read = await this.integrity.readManifest(row);
      if (read.manifest) {
        const chain = this.integrity.checkChain({ ...row, status: 'complete' }, read.manifest);
        complete =
          read.manifest.complete && chain.brokenAt === null && read.manifest.chunks.length === row.chunks;
        if (read.manifest.endedAt) endedAt = new Date(read.manifest.endedAt);
      }
    } catch (err) {
      this.logger.warn(`Recording ${id} stays open until the store can be read: ${(err as Error).message}`);
      return false;
    }
    if (!(await this.queries.closeStale(id, complete, endedAt))) return false;
    this.integrity.enqueue(id);
    return true;
  }
}
