import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditOutbox } from './audit-outbox';
import { auditErrors } from './audit.errors';
import { type AuditRow, auditQueries } from './audit.queries';
import { AuditActorType, AuditEvent } from './entities/audit-event.entity';

export interface AuditEntry {
  actorType: AuditActorType;
  actorId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** How an entry was kept by {@link AuditService.recordOrDefer}. */
export type AuditOutcome = 'recorded' | 'deferred' | 'held';

const SAVEPOINT = 'audit_record_or_defer';

function toRow(entry: AuditEntry): AuditRow {
  return {
    actorType: entry.actorType,
    actorId: entry.actorId ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    details: entry.details ?? {},
  };
}

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Appends to the audit trail; pass the transaction's manager so the entry commits with the change.
 * Three ways, by what the action needs:
 * - {@link record}: the entry is part of the change; its failure fails the change.
 * - {@link recordOrRefuse}: for an action the device carries out on someone's behalf — call it and
 *   await it *before* asking the device; a failure is a 503 `audit_unavailable` and nothing is sent.
 * - {@link recordOrDefer}: for a safety action (ending a session) that must happen whatever the trail
 *   does; the entry waits in the outbox (or, failing that, in memory) and reaches the trail later.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: AuditOutbox,
  ) {}

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    await auditQueries.insertEvent(manager ?? this.dataSource, toRow(entry));
  }

  /**
   * Writes the entry or throws `audit_unavailable` (503). Without a manager the entry is committed
   * when this resolves; with one, it commits with that transaction (which this failure aborts).
   */
  async recordOrRefuse(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    try {
      await this.record(entry, manager);
    } catch (err) {
      this.logger.error(
        `Refused ${entry.action} on ${entry.targetType ?? '-'} ${entry.targetId ?? '-'}: the audit trail did not take it (${reason(err)})`,
      );
      throw auditErrors.unavailable();
    }
  }

  /**
   * Never fails because of the trail. Inside a transaction the attempts run under a savepoint, so the
   * caller's change still commits: `audit_events` first, else `audit_outbox`, else memory (kept once
   * the transaction commits). The outbox flusher later moves the entry with its original time.
   */
  async recordOrDefer(entry: AuditEntry, manager?: EntityManager): Promise<AuditOutcome> {
    const row = toRow(entry);
    const label = `${entry.action} on ${entry.targetType ?? '-'} ${entry.targetId ?? '-'}`;
    const inTransaction = manager?.queryRunner?.isTransactionActive === true;
    const db = manager ?? this.dataSource;
    const attempt = async (write: () => Promise<void>): Promise<unknown> => {
      if (inTransaction) await auditQueries.savepoint(db, SAVEPOINT);
      try {
        await write();
        if (inTransaction) await auditQueries.releaseSavepoint(db, SAVEPOINT);
        return null;
      } catch (err) {
        if (inTransaction) await auditQueries.rollbackToSavepoint(db, SAVEPOINT);
        return err ?? new Error('unknown error');
      }
    };

    const eventError = await attempt(() => auditQueries.insertEvent(db, row));
    if (eventError === null) return 'recorded';
    const outboxError = await attempt(() => auditQueries.insertOutbox(db, row));
    if (outboxError === null) {
      this.logger.warn(`Audit entry ${label} deferred to the outbox: ${reason(eventError)}`);
      return 'deferred';
    }
    if (inTransaction) row.at = await this.transactionTime(db);
    this.outbox.hold(row, inTransaction ? manager?.queryRunner : undefined);
    this.logger.error(
      `AUDIT ENTRY HELD IN MEMORY ONLY (${label}): neither audit_events (${reason(eventError)}) nor audit_outbox (${reason(outboxError)}) took it; ${JSON.stringify(row)}`,
    );
    return 'held';
  }

  /** The transaction's `now()`, the time `audit_events` would have given the entry. */
  private async transactionTime(db: EntityManager | DataSource): Promise<Date> {
    try {
      return (await auditQueries.transactionTime(db)) ?? new Date();
    } catch (err) {
      this.logger.warn(`Using the portal's clock for a held audit entry: ${reason(err)}`);
      return new Date();
    }
  }

  /** Newest first, for one target. */
  async forTarget(targetType: string, targetId: string, limit = 50): Promise<AuditEvent[]> {
    return auditQueries.forTarget(this.dataSource, targetType, targetId, limit);
  }
}
