import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Remote sessions: a technician's connection to a device through the relay. */
export class RemoteSessions1763720000000 implements MigrationInterface {
  name = 'RemoteSessions1763720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "remote_sessions" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "device_id" uuid NOT NULL REFERENCES "devices" ("id") ON DELETE CASCADE,
        "technician_id" uuid NULL REFERENCES "users" ("id") ON DELETE SET NULL,
        "type" varchar(16) NOT NULL CHECK ("type" IN ('attended', 'unattended')),
        "protocol" varchar(8) NOT NULL CHECK ("protocol" IN ('web', 'vnc', 'ssh', 'rdp')),
        "reason" varchar(200) NULL,
        "recording_enabled" boolean NOT NULL DEFAULT false,
        "status" varchar(8) NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'active', 'ended')),
        "channels" text[] NOT NULL,
        "relay_url" varchar(2048) NOT NULL,
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "connected_at" timestamptz NULL,
        "ended_at" timestamptz NULL,
        "end_reason" varchar(32) NULL,
        CONSTRAINT "ck_remote_sessions_ended" CHECK (("status" = 'ended') = ("ended_at" IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX "ix_remote_sessions_status" ON "remote_sessions" ("status")`);
    await q.query(`CREATE INDEX "ix_remote_sessions_ended_at" ON "remote_sessions" ("ended_at")`);
    await q.query(`CREATE INDEX "ix_remote_sessions_device" ON "remote_sessions" ("device_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "remote_sessions"`);
  }
}
