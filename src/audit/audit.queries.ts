import type { DataSource, EntityManager } from 'typeorm';
import { type AuditActorType, AuditEvent } from './entities/audit-event.entity';

/** One audit line as written: who, what, on what, and when (the database's time when `at` is unset). */
export interface AuditRow {
  actorType: AuditActorType;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  /** Set for entries written late, so the trail keeps the time the action happened. */
  at?: Date;
}

type Db = EntityManager | DataSource;

const COLUMNS = `at, actor_type, actor_id, action, target_type, target_id, details`;

function params(row: AuditRow): unknown[] {
  return [
    row.at ?? null,
    row.actorType,
    row.actorId,
    row.action,
    row.targetType,
    row.targetId,
    JSON.stringify(row.details),
  ];
}

/**
 * The SQL of `audit_events` and `audit_outbox` (both append-only from the portal's point of view), and
 * the savepoint statements AuditService.recordOrDefer wraps its attempts in. Each takes the caller's
 * transaction's manager (or the data source) first.
 */
export const auditQueries = {
  async insertEvent(db: Db, row: AuditRow): Promise<void> {
    await db.query(
      `INSERT INTO audit_events (${COLUMNS}) VALUES (coalesce($1::timestamptz, now()), $2, $3, $4, $5, $6, $7::jsonb)`,
      params(row),
    );
  },

  async insertOutbox(db: Db, row: AuditRow): Promise<void> {
    await db.query(
      `INSERT INTO audit_outbox (${COLUMNS}) VALUES (coalesce($1::timestamptz, now()), $2, $3, $4, $5, $6, $7::jsonb)`,
      params(row),
    );
  },

  /**
   * Moves up to `limit` outbox entries into `audit_events` in one statement: deleted and inserted
   * together, so each entry lands exactly once; rows another portal is moving are skipped, not waited
   * for. Returns how many moved.
   */
  async moveOutboxBatch(db: Db, limit: number): Promise<number> {
    const rows: unknown[] = await db.query(
      `WITH moved AS (
         DELETE FROM audit_outbox
          WHERE id IN (SELECT id FROM audit_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, ${COLUMNS})
       INSERT INTO audit_events (${COLUMNS})
       SELECT ${COLUMNS} FROM moved ORDER BY id
       RETURNING id`,
      [limit],
    );
    return rows.length;
  },

  /** Newest first, for one target. */
  forTarget(db: Db, targetType: string, targetId: string, limit: number): Promise<AuditEvent[]> {
    return db
      .getRepository(AuditEvent)
      .find({ where: { targetType, targetId }, order: { id: 'DESC' }, take: limit });
  },

  /** The transaction's `now()` (the time `audit_events` gives an entry), or undefined if none came back. */
  async transactionTime(db: Db): Promise<Date | undefined> {
    const rows: { now: Date }[] = await db.query(`SELECT now() AS now`);
    return rows[0]?.now;
  },

  /** Opens a savepoint `name` in the transaction. */
  async savepoint(db: Db, name: string): Promise<void> {
    await db.query(`SAVEPOINT ${name}`);
  },

  /** Keeps what was done since the savepoint `name`, and forgets the savepoint. */
  async releaseSavepoint(db: Db, name: string): Promise<void> {
    await db.query(`RELEASE SAVEPOINT ${name}`);
  },

  /** Undoes what was done since the savepoint `name`, and forgets the savepoint. */
  async rollbackToSavepoint(db: Db, name: string): Promise<void> {
    await db.query(`ROLLBACK TO SAVEPOINT ${name}`);
    await db.query(`RELEASE SAVEPOINT ${name}`);
  },
};
