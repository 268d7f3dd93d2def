import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which technicians may reach which persistent device (admins reach all; a quick-support device
 * belongs to its session's owner and takes no grants). Groups will be granted beside users later.
 */
export class DeviceGrants1763750000000 implements MigrationInterface {
  name = 'DeviceGrants1763750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "device_grants" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "device_id" uuid NOT NULL REFERENCES "devices" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
        "granted_by" uuid NULL REFERENCES "users" ("id") ON DELETE SET NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_device_grants_device_user" ON "device_grants" ("device_id", "user_id")`,
    );
    await q.query(`CREATE INDEX "ix_device_grants_user" ON "device_grants" ("user_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "device_grants"`);
  }
}
