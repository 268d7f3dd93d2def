import type { DataSource, EntityManager } from 'typeorm';
import type { AuditActorType } from './entities/audit-event.entity';

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

/** The SQL of `audit_events` and `audit_outbox` (both append-only from the portal's point of view). */
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
};
