import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { ScheduledJobs } from '../metrics/scheduled-jobs';
import { RecordingStoreRef } from './recording-store.provider';
import { RecordingQueries } from './recording.queries';

const EVERY_MS = 15 * 60_000;
const RETENTION_JOB = 'recording-retention';
const DAY_MS = 86_400_000;
const GB = 1024 ** 3;
/** Recordings removed per run at most (the next run takes the rest). */
const BATCH = 200;

/**
 * Retention of recordings: removes those past RECORDING_RETENTION_DAYS (by end, or start for one
 * never finished) and, with RECORDING_MAX_TOTAL_GB, the oldest until the total fits. Never one on
 * legal hold or still recording. Resumable: the row is marked (`purge_started_at`) first, then the
 * store's objects removed, then the row deleted; a run that stops half-way is finished by the next.
 */
@Injectable()
export class RecordingRetentionJob {
  private readonly logger = new Logger(RecordingRetentionJob.name);

  constructor(
    private readonly queries: RecordingQueries,
    private readonly storeRef: RecordingStoreRef,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
    private readonly clock: Clock,
  ) {}

  @Interval(RETENTION_JOB, EVERY_MS)
  tick(): Promise<void> {
    return this.jobs.run(RETENTION_JOB, async () => {
      await this.run();
    });
  }

  /** One pass; returns what it removed (tests call this directly). */
  async run(): Promise<{ removed: number; bytes: number }> {
    const now = this.clock.now();
    const { retentionDays, maxTotalGb } = this.config.recording;
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
    const gone: { id: string; bytes: number }[] = [];
    for (const due of await this.queries.duePastRetention(cutoff, BATCH)) {
      if (await this.purge(due.id, now, 'retention')) gone.push(due);
    }
    if (maxTotalGb !== null) await this.enforceCap(maxTotalGb * GB, now, gone);
    const bytes = gone.reduce((n, r) => n + r.bytes, 0);
    if (gone.length > 0)
      this.logger.log(
        `Removed ${gone.length} recording(s), ${bytes} bytes: ${gone.map((r) => `${r.id} (${r.bytes} bytes)`).join(', ')}`,
      );
    return { removed: gone.length, bytes };
  }

  /**
   * The size cap weighs every recording but can only remove the unheld, finished ones: their budget
   * is the cap less what is held or live. When that alone exceeds the cap, nothing is removed for it
   * (removing everything else would not make it fit) and a warning says so, once per run.
   */
  private async enforceCap(cap: number, now: Date, gone: { id: string; bytes: number }[]): Promise<void> {
    const pinned = await this.queries.pinnedBytes();
    if (pinned >= cap) {
      this.logger.warn(
        `Recordings on legal hold or still recording take ${pinned} bytes, at or over RECORDING_MAX_TOTAL_GB (${cap} bytes); the size cap removes nothing until they are released or finish`,
      );
      return;
    }
    let purgeable = (await this.queries.totalBytes()) - pinned;
    const budget = cap - pinned;
    while (purgeable > budget && gone.length < BATCH) {
      const oldest = await this.queries.oldestPurgeable(Math.min(50, BATCH - gone.length));
      if (oldest.length === 0) break;
      const before = gone.length;
      for (const r of oldest) {
        if (purgeable <= budget) break;
        if (await this.purge(r.id, now, 'size_cap')) {
          gone.push(r);
          purgeable -= r.bytes;
        }
      }
      if (gone.length === before) break;
    }
  }

  /**
   * Marks the row, removes the store's objects, audits, then deletes the row: a crash after the
   * audit leaves a marked row the next run finishes (the purge is on record either way).
   */
  private async purge(id: string, now: Date, why: 'retention' | 'size_cap'): Promise<boolean> {
    const row = await this.queries.markPurging(id, now);
    if (!row) return false;
    try {
      await this.storeRef.store.remove(id);
    } catch (err) {
      this.logger.warn(
        `Removing recording ${id} from the store failed (retried next run): ${(err as Error).message}`,
      );
      return false;
    }
    await this.audit.recordOrDefer({
      actorType: 'system',
      action: 'recording.purged',
      targetType: 'remote_session',
      targetId: row.sessionId,
      details: { recordingId: id, channel: row.channel, bytes: Number(row.bytes), reason: why },
    });
    return this.queries.deletePurged(id);
  }
}
