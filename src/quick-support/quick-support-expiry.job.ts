import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { returningRows } from '../database/returning-rows';
import { QuickSupportService } from './quick-support.service';

const EVERY_MS = 30_000;

/** Ends sessions past their expiry and forgets ended ones past the retention period. */
@Injectable()
export class QuickSupportExpiryJob {
  private readonly logger = new Logger(QuickSupportExpiryJob.name);
  private running = false;

  constructor(
    private readonly quickSupport: QuickSupportService,
    private readonly dataSource: DataSource,
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
    const purged = await returningRows<{ id: string }>(
      this.dataSource,
      `DELETE FROM support_sessions WHERE status = 'ended' AND ended_at < now() - make_interval(days => $1) RETURNING id`,
      [this.config.retentionDays],
    );
    const purgedCount = purged.length;
    if (expired || purgedCount)
      this.logger.log(`Expired ${expired} support session(s); removed ${purgedCount} past retention`);
    return { expired, purged: purgedCount };
  }
}
