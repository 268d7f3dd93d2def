import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Session recordings (ADR 0019; src/recordings): one row per recording the relay made, kept from its
 * signed `recording_*` events. The row's id is the relay's recording id (its folder or object prefix
 * in the store); `chunks` and `chain_head` are the last head the relay signed, which the portal checks
 * the store's manifest against (a rewritten manifest no longer reaches it).
 *
 * `session_id` names the remote session but is deliberately not a foreign key: a recording outlives
 * its session row by design. Removing a device cascades its sessions away; a CASCADE here would drop
 * recordings under legal hold and leave their objects in the store with no row to purge them, and SET
 * NULL would lose the session the export and the audit trail name. The portal checks that the session
 * exists when it first accepts a recording; retention (RECORDING_RETENTION_DAYS) removes the row and
 * its objects together. `technician_id` and `device_id` are copied from the session at that moment
 * (SET NULL when the user goes; the device id stays as text for the record).
 *
 * Indexes: the list's filters (started_at order, session, technician, device) and the retention sweep
 * (status + ended/started time, and rows whose purge was started).
 */
export class Recordings1763800000000 implements MigrationInterface {
  name = 'Recordings1763800000000';

  async up(q: QueryRunner): Promise<void> {
    // The relay's event ids are kept for de-duplication with their type; `recording_progress` and
    // `recording_finished` are longer than the 16 characters `paired`/`closed` needed.
    await q.query(`ALTER TABLE "relay_events" ALTER COLUMN "type" TYPE varchar(32)`);
    await q.query(`
      CREATE TABLE "recordings" (
        "id" uuid PRIMARY KEY,
        "session_id" uuid NOT NULL,
        "channel" varchar(16) NOT NULL CONSTRAINT "ck_recordings_channel"
          CHECK ("channel" IN ('screen', 'shell', 'commands')),
        "mode" varchar(16) NOT NULL CONSTRAINT "ck_recordings_mode" CHECK ("mode" IN ('optional', 'required')),
        "status" varchar(16) NOT NULL DEFAULT 'recording' CONSTRAINT "ck_recordings_status"
          CHECK ("status" IN ('recording', 'complete', 'incomplete', 'failed')),
        "incomplete_reason" varchar(32) NULL CONSTRAINT "ck_recordings_incomplete_reason"
          CHECK ("incomplete_reason" IN ('store_failed', 'relay_shutdown', 'relay_crashed', 'too_long')),
        "failure" varchar(16) NULL CONSTRAINT "ck_recordings_failure"
          CHECK ("failure" IN ('unavailable', 'full', 'read_only', 'exists', 'bad_name', 'io')),
        "technician_id" uuid NULL REFERENCES "users" ("id") ON DELETE SET NULL,
        "device_id" uuid NULL,
        "started_at" timestamptz NOT NULL,
        "ended_at" timestamptz NULL,
        "bytes" bigint NOT NULL DEFAULT 0 CONSTRAINT "ck_recordings_bytes" CHECK ("bytes" >= 0),
        "chunks" integer NOT NULL DEFAULT 0 CONSTRAINT "ck_recordings_chunks" CHECK ("chunks" >= 0),
        "chain_head" char(64) NULL CONSTRAINT "ck_recordings_chain_head" CHECK ("chain_head" ~ '^[0-9a-f]{64}$'),
        "integrity" varchar(16) NOT NULL DEFAULT 'unchecked' CONSTRAINT "ck_recordings_integrity"
          CHECK ("integrity" IN ('unchecked', 'verified', 'broken')),
        "broken_at" integer NULL,
        "broken_reason" varchar(32) NULL CONSTRAINT "ck_recordings_broken_reason"
          CHECK ("broken_reason" IN ('chain_mismatch', 'head_mismatch', 'chunk_missing', 'chunk_altered',
                                     'manifest_missing', 'manifest_invalid')),
        "integrity_checked_at" timestamptz NULL,
        "legal_hold" boolean NOT NULL DEFAULT false,
        "legal_hold_note" varchar(500) NULL,
        "legal_hold_by" uuid NULL REFERENCES "users" ("id") ON DELETE SET NULL,
        "purge_started_at" timestamptz NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "ck_recordings_broken" CHECK (("integrity" = 'broken') = ("broken_at" IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX "ix_recordings_started" ON "recordings" ("started_at" DESC, "id")`);
    await q.query(`CREATE INDEX "ix_recordings_session" ON "recordings" ("session_id", "started_at")`);
    await q.query(
      `CREATE INDEX "ix_recordings_technician" ON "recordings" ("technician_id", "started_at" DESC)`,
    );
    await q.query(`CREATE INDEX "ix_recordings_device" ON "recordings" ("device_id", "started_at" DESC)`);
    await q.query(
      `CREATE INDEX "ix_recordings_retention" ON "recordings" ((COALESCE("ended_at", "started_at")))
        WHERE "legal_hold" = false AND "status" <> 'recording'`,
    );
    await q.query(
      `CREATE INDEX "ix_recordings_purging" ON "recordings" ("purge_started_at") WHERE "purge_started_at" IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "recordings"`);
    await q.query(`DELETE FROM "relay_events" WHERE length("type") > 16`);
    await q.query(`ALTER TABLE "relay_events" ALTER COLUMN "type" TYPE varchar(16)`);
  }
}
