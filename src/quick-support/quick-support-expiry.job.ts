import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config';
import { QuickSupportService } from './quick-support.service';
import { SupportSessionQueries } from './support-session.queries';

const EVERY_MS = 30_000;

/** Ends sessions past their expiry and forgets ended ones past the retention period. */
@Injectable()
export class QuickSupportExpiryJob {
  private readonly logger = new Logger(QuickSupportExpiryJob.name);
  private running = false;

  constructor(
    private readonly quickSupport: QuickSupportService,
    private readonly queries: SupportSessionQueries,
    private readonly config: AppConfig,
  ) {}

  @Interval('quick-support-expiry', EVERY_MS)
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.run();
    } catch (err) {
      this.logger.error(`Quick-support expiry failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running = false;
    }
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
