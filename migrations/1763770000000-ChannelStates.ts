import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each channel of a remote session stands (consent asked, allowed and in which mode, refused,
 * taken back), so every portal instance and every viewer reads the same thing.
 */
export class ChannelStates1763770000000 implements MigrationInterface {
  name = 'ChannelStates1763770000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "remote_sessions" ADD COLUMN "channel_states" jsonb NOT NULL DEFAULT '{}'::jsonb`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "remote_sessions" DROP COLUMN "channel_states"`);
  }
}
