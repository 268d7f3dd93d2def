import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit entries that could not be written at once. A safety action (ending a session) must succeed
 * even when `audit_events` refuses inserts, so its entry waits here, committed with the action, until
 * the flusher moves it into `audit_events` with its original time and actor.
 */
export class AuditOutbox1763740000000 implements MigrationInterface {
  name = 'AuditOutbox1763740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "audit_outbox" (
        "id" bigserial PRIMARY KEY,
        "at" timestamptz NOT NULL DEFAULT now(),
        "actor_type" varchar(16) NOT NULL,
        "actor_id" varchar(64) NULL,
        "action" varchar(64) NOT NULL,
        "target_type" varchar(32) NULL,
        "target_id" varchar(64) NULL,
        "details" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "deferred_at" timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX "ix_audit_outbox_deferred_at" ON "audit_outbox" ("deferred_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_outbox"`);
  }
}
