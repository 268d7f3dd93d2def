import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Ids of relay events already applied, so a retried delivery is applied once. */
export class RelayEvents1763730000000 implements MigrationInterface {
  name = 'RelayEvents1763730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "relay_events" (
        "id" uuid PRIMARY KEY,
        "type" varchar(16) NOT NULL,
        "session_id" varchar(64) NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "ix_relay_events_received_at" ON "relay_events" ("received_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "relay_events"`);
  }
}
