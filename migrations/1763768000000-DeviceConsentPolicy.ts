import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent policy an admin sets per device (contracts/api/devices.ts CONSENT_POLICIES): `ask` for
 * every existing and new device. A quick-support device is always `ask`, which the second constraint
 * keeps true whatever writes the row.
 */
export class DeviceConsentPolicy1763768000000 implements MigrationInterface {
  name = 'DeviceConsentPolicy1763768000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "devices" ADD COLUMN "consent_policy" varchar(8) NOT NULL DEFAULT 'ask'`);
    await q.query(`
      ALTER TABLE "devices" ADD CONSTRAINT "ck_devices_consent_policy"
        CHECK ("consent_policy" IN ('ask', 'notify', 'silent'))`);
    await q.query(`
      ALTER TABLE "devices" ADD CONSTRAINT "ck_devices_quick_consent_ask"
        CHECK ("kind" = 'persistent' OR "consent_policy" = 'ask')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "devices" DROP CONSTRAINT "ck_devices_quick_consent_ask"`);
    await q.query(`ALTER TABLE "devices" DROP CONSTRAINT "ck_devices_consent_policy"`);
    await q.query(`ALTER TABLE "devices" DROP COLUMN "consent_policy"`);
  }
}
