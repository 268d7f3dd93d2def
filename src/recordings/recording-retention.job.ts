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
    let removed = 0;
    let bytes = 0;
    for (const due of await this.queries.duePastRetention(cutoff, BATCH)) {
      if (await this.purge(due.id, now, 'retention')) {
        removed++;
        bytes += due.bytes;
      }
    }
    if (maxTotalGb !== null) {
      let total = await this.queries.totalBytes();
      const cap = maxTotalGb * GB;
      while (total > cap && removed < BATCH) {
        const oldest = await this.queries.oldestPurgeable(Math.min(50, BATCH - removed));
        if (oldest.length === 0) break;
        const before = removed;
        for (const r of oldest) {
          if (total <= cap) break;
          if (await this.purge(r.id, now, 'size_cap')) {
            removed++;
            bytes += r.bytes;
            total -= r.bytes;
          }
        }
        if (removed === before) break;
      }
    }
    if (removed > 0) this.logger.log(`Removed ${removed} recording(s), ${bytes} bytes`);
    return { removed, bytes };
  }

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
    if (!(await this.queries.deletePurged(id))) return false;
    await this.audit.recordOrDefer({
      actorType: 'system',
      action: 'recording.purged',
      targetType: 'remote_session',
      targetId: row.sessionId,
      details: { recordingId: id, channel: row.channel, bytes: Number(row.bytes), reason: why },
    });
    return true;
  }
}
