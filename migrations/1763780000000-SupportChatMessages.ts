import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat between a quick-support session's technician and its customer. Messages belong to the session
 * (deleted with it: retention purges sessions). The customer's older one-way notes stay in
 * `support_session_notes` and are read as the chat's first customer messages (src/support-chat), so
 * nothing is copied and `down` loses no note.
 *
 * `created_at` defaults to clock_timestamp() (not the transaction's now()) so a message's time is
 * when it was written; readers order by (created_at, id) and page with `after=<id>`.
 */
export class SupportChatMessages1763780000000 implements MigrationInterface {
  name = 'SupportChatMessages1763780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "support_chat_messages" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "session_id" uuid NOT NULL REFERENCES "support_sessions" ("id") ON DELETE CASCADE,
        "sender" varchar(16) NOT NULL CONSTRAINT "ck_support_chat_messages_sender"
          CHECK ("sender" IN ('technician', 'customer')),
        "origin" varchar(16) NOT NULL CONSTRAINT "ck_support_chat_messages_origin"
          CHECK ("origin" IN ('connect_page', 'agent_console', 'dashboard')),
        "author_id" uuid NULL REFERENCES "users" ("id") ON DELETE SET NULL,
        "body" varchar(1000) NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(
      `CREATE INDEX "ix_support_chat_messages_session" ON "support_chat_messages" ("session_id", "created_at", "id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "support_chat_messages"`);
  }
}
