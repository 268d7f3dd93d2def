import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Technicians, the server-side session store and the append-only audit trail. */
export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "user_role" AS ENUM ('admin', 'technician')`);
    await q.query(`
      CREATE TABLE "users" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "email" varchar(254) NOT NULL,
        "display_name" varchar(100) NOT NULL,
        "password_hash" varchar(255) NOT NULL,
        "role" "user_role" NOT NULL DEFAULT 'technician',
        "disabled_at" timestamptz NULL,
        "last_login_at" timestamptz NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_users_email_lower" ON "users" (lower("email"))`);

    // The express-session store (connect-pg-simple's layout).
    await q.query(`
      CREATE TABLE "auth_sessions" (
        "sid" varchar NOT NULL PRIMARY KEY,
        "sess" json NOT NULL,
        "expire" timestamp(6) NOT NULL
      )`);
    await q.query(`CREATE INDEX "ix_auth_sessions_expire" ON "auth_sessions" ("expire")`);
    await q.query(
      `CREATE INDEX "ix_auth_sessions_user" ON "auth_sessions" ((("sess"->'passport'->>'user')))`,
    );

    await q.query(`
      CREATE TABLE "audit_events" (
        "id" bigserial PRIMARY KEY,
        "at" timestamptz NOT NULL DEFAULT now(),
        "actor_type" varchar(16) NOT NULL,
        "actor_id" varchar(64) NULL,
        "action" varchar(64) NOT NULL,
        "target_type" varchar(32) NULL,
        "target_id" varchar(64) NULL,
        "details" jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX "ix_audit_events_at" ON "audit_events" ("at")`);
    await q.query(`CREATE INDEX "ix_audit_events_target" ON "audit_events" ("target_type", "target_id")`);
    // Append-only: the portal's role may insert and read, never rewrite history.
    await q.query(`
      CREATE FUNCTION "audit_events_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`);
    await q.query(`
      CREATE TRIGGER "tr_audit_events_immutable" BEFORE UPDATE OR DELETE ON "audit_events"
      FOR EACH ROW EXECUTE FUNCTION "audit_events_immutable"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "tr_audit_events_immutable" ON "audit_events"`);
    await q.query(`DROP FUNCTION "audit_events_immutable"()`);
    await q.query(`DROP TABLE "audit_events"`);
    await q.query(`DROP TABLE "auth_sessions"`);
    await q.query(`DROP TABLE "users"`);
    await q.query(`DROP TYPE "user_role"`);
  }
}
