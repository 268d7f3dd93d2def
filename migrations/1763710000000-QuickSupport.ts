import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quick-support sessions and their customer notes, the device registry, and one-shot installer tokens.
 *
 * support_sessions.device_id and devices.support_session_id point at each other (a session is served by
 * one device; a quick device belongs to one session), so the first of the two foreign keys is added
 * after both tables exist.
 */
export class QuickSupport1763710000000 implements MigrationInterface {
  name = 'QuickSupport1763710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "support_session_status" AS ENUM ('waiting', 'active', 'ended')`);
    await q.query(`CREATE TYPE "device_kind" AS ENUM ('quick', 'persistent')`);
    await q.query(`CREATE TYPE "installer_mode" AS ENUM ('quick', 'persistent')`);

    await q.query(`
      CREATE TABLE "support_sessions" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "status" "support_session_status" NOT NULL DEFAULT 'waiting',
        "token_hash" char(64) NOT NULL,
        "token_ciphertext" varchar(200) NULL,
        "customer_name" varchar(100) NULL,
        "note" varchar(1000) NULL,
        "created_by" uuid NULL REFERENCES "users" ("id") ON DELETE SET NULL,
        "assigned_to" uuid NULL REFERENCES "users" ("id") ON DELETE SET NULL,
        "device_id" uuid NULL,
        "expires_at" timestamptz NOT NULL,
        "activated_at" timestamptz NULL,
        "ended_at" timestamptz NULL,
        "end_reason" varchar(32) NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "ck_support_sessions_ended" CHECK (("status" = 'ended') = ("ended_at" IS NOT NULL AND "end_reason" IS NOT NULL)),
        CONSTRAINT "ck_support_sessions_active_device" CHECK ("status" <> 'active' OR "device_id" IS NOT NULL)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_support_sessions_token_hash" ON "support_sessions" ("token_hash")`,
    );
    await q.query(
      `CREATE INDEX "ix_support_sessions_status_created" ON "support_sessions" ("status", "created_at" DESC)`,
    );
    await q.query(`CREATE INDEX "ix_support_sessions_created" ON "support_sessions" ("created_at" DESC)`);
    await q.query(
      `CREATE INDEX "ix_support_sessions_open_expiry" ON "support_sessions" ("expires_at") WHERE "status" <> 'ended'`,
    );
    await q.query(`CREATE INDEX "ix_support_sessions_device" ON "support_sessions" ("device_id")`);
    await q.query(
      `CREATE INDEX "ix_support_sessions_ended" ON "support_sessions" ("ended_at") WHERE "status" = 'ended'`,
    );

    await q.query(`
      CREATE TABLE "support_session_notes" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "session_id" uuid NOT NULL REFERENCES "support_sessions" ("id") ON DELETE CASCADE,
        "body" varchar(1000) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX "ix_support_session_notes_session" ON "support_session_notes" ("session_id", "created_at")`,
    );

    await q.query(`
      CREATE TABLE "devices" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "kind" "device_kind" NOT NULL,
        "hostname" varchar(255) NOT NULL,
        "os" varchar(16) NOT NULL,
        "os_version" varchar(100) NOT NULL,
        "arch" varchar(16) NOT NULL,
        "agent_version" varchar(32) NOT NULL,
        "protocol_version" varchar(7) NOT NULL,
        "credential_hash" char(64) NOT NULL,
        "support_session_id" uuid NULL REFERENCES "support_sessions" ("id") ON DELETE SET NULL,
        "online" boolean NOT NULL DEFAULT false,
        "last_seen_at" timestamptz NULL,
        "revoked_at" timestamptz NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "ck_devices_os" CHECK ("os" IN ('windows', 'macos', 'linux'))
      )`);
    await q.query(`CREATE INDEX "ix_devices_support_session" ON "devices" ("support_session_id")`);
    await q.query(`CREATE INDEX "ix_devices_online_last_seen" ON "devices" ("online", "last_seen_at" DESC)`);
    await q.query(`
      ALTER TABLE "support_sessions" ADD CONSTRAINT "fk_support_sessions_device"
      FOREIGN KEY ("device_id") REFERENCES "devices" ("id") ON DELETE SET NULL`);

    await q.query(`
      CREATE TABLE "installer_tokens" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "token_hash" char(64) NOT NULL,
        "mode" "installer_mode" NOT NULL,
        "os" varchar(16) NOT NULL,
        "session_id" uuid NULL REFERENCES "support_sessions" ("id") ON DELETE CASCADE,
        "created_by" uuid NULL REFERENCES "users" ("id") ON DELETE SET NULL,
        "expires_at" timestamptz NOT NULL,
        "used_at" timestamptz NULL,
        "device_id" uuid NULL REFERENCES "devices" ("id") ON DELETE SET NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "ck_installer_tokens_os" CHECK ("os" IN ('windows', 'macos', 'linux')),
        CONSTRAINT "ck_installer_tokens_mode_session" CHECK (("mode" = 'quick') = ("session_id" IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_installer_tokens_token_hash" ON "installer_tokens" ("token_hash")`,
    );
    await q.query(`CREATE INDEX "ix_installer_tokens_session" ON "installer_tokens" ("session_id")`);
    await q.query(
      `CREATE INDEX "ix_installer_tokens_unused_expiry" ON "installer_tokens" ("expires_at") WHERE "used_at" IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "installer_tokens"`);
    await q.query(`ALTER TABLE "support_sessions" DROP CONSTRAINT "fk_support_sessions_device"`);
    await q.query(`DROP TABLE "devices"`);
    await q.query(`DROP TABLE "support_session_notes"`);
    await q.query(`DROP TABLE "support_sessions"`);
    await q.query(`DROP TYPE "installer_mode"`);
    await q.query(`DROP TYPE "device_kind"`);
    await q.query(`DROP TYPE "support_session_status"`);
  }
}
