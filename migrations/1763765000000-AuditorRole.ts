import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A third role, `auditor`: reads the session history and the audit trail, acts on nothing. The role
 * column is the `user_role` enum, so the value is added to the type (PostgreSQL 12+ allows this inside
 * the migration's transaction; nothing here uses the new value before it commits).
 *
 * Down cannot drop an enum value: it rebuilds the type without it. Auditors then have no role to
 * keep. Turning them into working technicians would let them act, so they become technicians that
 * are disabled and signed out: an administrator decides whether to enable them.
 */
export class AuditorRole1763765000000 implements MigrationInterface {
  name = 'AuditorRole1763765000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TYPE "user_role" ADD VALUE IF NOT EXISTS 'auditor'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM "auth_sessions"
        WHERE ("sess"->'passport'->>'user') IN (SELECT id::text FROM "users" WHERE "role" = 'auditor')`,
    );
    await q.query(
      `UPDATE "users" SET "disabled_at" = COALESCE("disabled_at", now()) WHERE "role" = 'auditor'`,
    );
    await q.query(`ALTER TABLE "users" ALTER COLUMN "role" DROP DEFAULT`);
    await q.query(`ALTER TYPE "user_role" RENAME TO "user_role_with_auditor"`);
    await q.query(`CREATE TYPE "user_role" AS ENUM ('admin', 'technician')`);
    await q.query(
      `ALTER TABLE "users" ALTER COLUMN "role" TYPE "user_role"
         USING (CASE WHEN "role"::text = 'auditor' THEN 'technician' ELSE "role"::text END)::"user_role"`,
    );
    await q.query(`ALTER TABLE "users" ALTER COLUMN "role" SET DEFAULT 'technician'`);
    await q.query(`DROP TYPE "user_role_with_auditor"`);
  }
}
