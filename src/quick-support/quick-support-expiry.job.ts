import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config';
import { ScheduledJobs } from '../metrics/scheduled-jobs';
import { QuickSupportService } from './quick-support.service';
import { SupportSessionQueries } from './support-session.queries';

const EVERY_MS = 30_000;
const EXPIRY_JOB = 'quick-support-expiry';

/** Ends sessions past their expiry and forgets ended ones past the retention period. */
@Injectable()
export class QuickSupportExpiryJob {
  private readonly logger = new Logger(QuickSupportExpiryJob.name);

  constructor(
    private readonly quickSupport: QuickSupportService,
    private readonly queries: SupportSessionQueries,
    private readonly config: AppConfig,
    private readonly jobs: ScheduledJobs,
  ) {}

  @Interval(EXPIRY_JOB, EVERY_MS)
  tick(): Promise<void> {
    return this.jobs.run(EXPIRY_JOB, () => this.run());
  }

  /** One pass; returns what it did (tests call this directly). */
  async run(): Promise<{ expired: number; purged: number }> {
    const expired = await this.quickSupport.expireDue();
    const purgedCount = await this.queries.purgeEnded(this.config.retentionDays);
    if (expired || purgedCount)
      this.logger.log(`Expired ${expired} support session(s); removed ${purgedCount} past retention`);
    return { expired, purged: purgedCount };
  }
}
