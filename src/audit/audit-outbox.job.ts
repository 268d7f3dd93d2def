import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ScheduledJobs } from '../metrics/scheduled-jobs';
import { AuditOutbox } from './audit-outbox';

/** How often deferred audit entries are retried. */
export const AUDIT_FLUSH_EVERY_MS = 3_000;
const FLUSH_JOB = 'audit-outbox-flush';

/** Moves deferred audit entries into the trail: once at boot (left by a previous run), then every few seconds. */
@Injectable()
export class AuditOutboxJob implements OnApplicationBootstrap {
  constructor(
    private readonly outbox: AuditOutbox,
    private readonly jobs: ScheduledJobs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.outbox.flush();
  }

  @Interval(FLUSH_JOB, AUDIT_FLUSH_EVERY_MS)
  tick(): Promise<void> {
    return this.jobs.run(FLUSH_JOB, () => this.outbox.flush());
  }
}
