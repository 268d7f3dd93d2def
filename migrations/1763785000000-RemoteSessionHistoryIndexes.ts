import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the remote-session history (`GET /api/remote-sessions/history` and its CSV export):
 * ended sessions in the history's order (`ended_at DESC, id DESC`), for everyone (administrators,
 * auditors) and per technician (a technician reads their own), so a page, a count capped at 10 000 and
 * the export's keyset batches walk one index range instead of sorting the table. Partial: open
 * sessions never appear in the history.
 */
export class RemoteSessionHistoryIndexes1763785000000 implements MigrationInterface {
  name = 'RemoteSessionHistoryIndexes1763785000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "ix_remote_sessions_history" ON "remote_sessions" ("ended_at" DESC, "id" DESC) WHERE "status" = 'ended'`,
    );
    await q.query(
      `CREATE INDEX "ix_remote_sessions_history_technician" ON "remote_sessions" ("technician_id", "ended_at" DESC, "id" DESC) WHERE "status" = 'ended'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_remote_sessions_history_technician"`);
    await q.query(`DROP INDEX "ix_remote_sessions_history"`);
  }
}
