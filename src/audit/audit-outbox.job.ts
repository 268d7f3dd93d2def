import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AuditOutbox } from './audit-outbox';

/** How often deferred audit entries are retried. */
export const AUDIT_FLUSH_EVERY_MS = 3_000;

/** Moves deferred audit entries into the trail: once at boot (left by a previous run), then every few seconds. */
@Injectable()
export class AuditOutboxJob implements OnApplicationBootstrap {
  constructor(private readonly outbox: AuditOutbox) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.outbox.flush();
  }

  @Interval('audit-outbox-flush', AUDIT_FLUSH_EVERY_MS)
  async tick(): Promise<void> {
    await this.outbox.flush();
  }
}
