import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for reading the audit trail (src/audit-log): every filter of `GET /api/audit-events` is one
 * index range in the list's order (`at DESC, id DESC`), so a filtered page on a table of a million rows
 * stays a few milliseconds (bench/audit.bench.ts measures it).
 *
 * A row names its remote session and device in different places (the target, or `details`), so two
 * are expression indexes. Their expressions must stay identical, token for token, to
 * `AUDIT_SESSION_KEY_SQL` and `AUDIT_DEVICE_KEY_SQL` in src/audit-log/audit-log.queries.ts, or the
 * planner will not use them. Action filters compare in the "C" collation (exact and prefix ranges).
 * No table rewrite: the append-only writer is untouched.
 */
export class AuditReadIndexes1763760000000 implements MigrationInterface {
  name = 'AuditReadIndexes1763760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_audit_events_at_id" ON "audit_events" ("at", "id")`);
    await q.query(`CREATE INDEX "ix_audit_events_actor_at" ON "audit_events" ("actor_id", "at", "id")`);
    await q.query(
      `CREATE INDEX "ix_audit_events_action_at" ON "audit_events" (("action" COLLATE "C"), "at", "id")`,
    );
    await q.query(
      `CREATE INDEX "ix_audit_events_session_at" ON "audit_events" ((CASE WHEN "target_type" = 'remote_session' THEN "target_id" ELSE "details" ->> 'remoteSessionId' END), "at", "id")`,
    );
    await q.query(
      `CREATE INDEX "ix_audit_events_device_at" ON "audit_events" ((CASE WHEN "target_type" = 'device' THEN "target_id" ELSE "details" ->> 'deviceId' END), "at", "id")`,
    );
    // A technician's view of the trail starts from their sessions.
    await q.query(`CREATE INDEX "ix_remote_sessions_technician" ON "remote_sessions" ("technician_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_remote_sessions_technician"`);
    await q.query(`DROP INDEX "ix_audit_events_device_at"`);
    await q.query(`DROP INDEX "ix_audit_events_session_at"`);
    await q.query(`DROP INDEX "ix_audit_events_action_at"`);
    await q.query(`DROP INDEX "ix_audit_events_actor_at"`);
    await q.query(`DROP INDEX "ix_audit_events_at_id"`);
  }
}
