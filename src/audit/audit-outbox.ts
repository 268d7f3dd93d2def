import { Injectable, Logger } from '@nestjs/common';
import {
  DataSource,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import { type AuditRow, auditQueries } from './audit.queries';

/** Entries kept in memory when even the outbox table refuses them; the oldest is dropped beyond this. */
export const MEMORY_QUEUE_LIMIT = 1000;
/** Outbox rows moved per statement, and statements per flush. */
const BATCH = 200;
const MAX_BATCHES = 20;
/** While the trail keeps failing, say so at most this often. */
const FAILURE_LOG_EVERY_MS = 60_000;

/**
 * Where audit entries wait when `audit_events` refuses them: the `audit_outbox` table (committed with
 * the action that produced them) and, should that fail too, a bounded queue in this process. An entry
 * made inside a transaction joins the queue only once that transaction commits — an action that rolled
 * back leaves no line. {@link flush} moves everything into `audit_events`, keeping each entry's time.
 */
@Injectable()
export class AuditOutbox implements EntitySubscriberInterface {
  private readonly logger = new Logger(AuditOutbox.name);
  private readonly memory: AuditRow[] = [];
  private readonly awaitingCommit = new WeakMap<QueryRunner, AuditRow[]>();
  private flushing = false;
  private failingSince: number | null = null;
  private lastFailureLog = 0;

  constructor(private readonly dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  /** Entries held in this process (not in any table yet). */
  get held(): number {
    return this.memory.length;
  }

  /** Keeps an entry in memory: at once, or when `queryRunner`'s transaction commits. */
  hold(row: AuditRow, queryRunner?: QueryRunner): void {
    const stamped = { ...row, at: row.at ?? new Date() };
    if (queryRunner?.isTransactionActive) {
      const list = this.awaitingCommit.get(queryRunner) ?? [];
      list.push(stamped);
      this.awaitingCommit.set(queryRunner, list);
      return;
    }
    this.enqueue(stamped);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.isTransactionActive) return; // a nested savepoint, not the real commit
    const list = this.awaitingCommit.get(event.queryRunner);
    if (!list) return;
    this.awaitingCommit.delete(event.queryRunner);
    for (const row of list) this.enqueue(row);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (event.queryRunner.isTransactionActive) return;
    const list = this.awaitingCommit.get(event.queryRunner);
    if (!list) return;
    this.awaitingCommit.delete(event.queryRunner);
    this.logger.warn(`Dropped ${list.length} held audit entr(ies): their action rolled back`);
  }

  /**
   * Moves held entries into the outbox (or straight into the trail), then outbox rows into
   * `audit_events`. Never throws: a trail that still fails is logged (at most once a minute) and
   * tried again on the next call. Returns how many entries reached `audit_events`.
   */
  async flush(): Promise<number> {
    if (this.flushing) return 0;
    this.flushing = true;
    let moved = 0;
    try {
      // Held entries first into a table (the outbox survives a restart; memory does not).
      while (this.memory.length > 0) {
        const row = this.memory[0];
        const direct = await auditQueries.insertOutbox(this.dataSource, row).then(
          () => false,
          async () => {
            await auditQueries.insertEvent(this.dataSource, row);
            return true;
          },
        );
        this.memory.shift();
        if (direct) moved += 1;
      }
      for (let i = 0; i < MAX_BATCHES; i++) {
        const n = await auditQueries.moveOutboxBatch(this.dataSource, BATCH);
        moved += n;
        if (n < BATCH) break;
      }
      if (this.failingSince !== null || moved > 0) {
        this.logger.log(`Audit trail writable again: moved ${moved} deferred entr(ies) into audit_events`);
      }
      this.failingSince = null;
    } catch (err) {
      this.failed(err, moved);
    } finally {
      this.flushing = false;
    }
    return moved;
  }

  private failed(err: unknown, moved: number): void {
    const now = Date.now();
    this.failingSince ??= now;
    if (now - this.lastFailureLog < FAILURE_LOG_EVERY_MS) return;
    this.lastFailureLog = now;
    this.logger.error(
      `Audit trail still refuses writes (since ${new Date(this.failingSince).toISOString()}; moved ${moved} this pass, ${this.memory.length} held in memory): ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  private enqueue(row: AuditRow): void {
    if (this.memory.length >= MEMORY_QUEUE_LIMIT) {
      const dropped = this.memory.shift();
      this.logger.error(
        `AUDIT ENTRY LOST (memory queue full, ${MEMORY_QUEUE_LIMIT} held): ${JSON.stringify(dropped)}`,
      );
    }
    this.memory.push(row);
  }
}
