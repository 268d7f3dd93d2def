import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { ChatMessageView, ChatOrigin, ChatSender } from '../../contracts/api/chat';
import { SUPPORT_SESSION_OWNER_SQL } from '../access/access-rules';

/** A chat message row as the reads return it (notes included, as `origin: 'note'`). */
interface MessageRow {
  id: string;
  session_id: string;
  sender: ChatSender;
  origin: ChatOrigin;
  author: string | null;
  body: string;
  created_at: Date;
}

/** What a write needs to know about the session, read under its row lock. */
export interface LockedSession {
  owner: string | null;
  /** Not ended and not expired. */
  open: boolean;
}

/**
 * Every read and write of `support_chat_messages`, plus the reads of `support_sessions`,
 * `support_session_notes` and `devices` the chat needs (like src/access, this module reads those
 * tables with its own SQL rather than reach into the quick-support module's repository).
 *
 * The customer's one-way notes are the chat's first customer messages: every read is the union of
 * both tables, ordered by (created_at, id), so `after=<id>` pages through both alike.
 */
@Injectable()
export class SupportChatQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** The session's owner and whether it is open, its row locked until `m` commits (counts stay true). */
  async lockSession(sessionId: string, m: EntityManager): Promise<LockedSession | undefined> {
    const rows = await m.query<LockedSession[]>(
      `SELECT ${SUPPORT_SESSION_OWNER_SQL('s')} AS owner,
              (s.status <> 'ended' AND s.expires_at > now()) AS open
         FROM support_sessions s WHERE s.id = $1 FOR UPDATE`,
      [sessionId],
    );
    return rows[0];
  }

  /** The session's owner and whether it is open, without a lock (for events and reads). */
  async session(sessionId: string, m?: EntityManager): Promise<LockedSession | undefined> {
    const rows = await this.db(m).query<LockedSession[]>(
      `SELECT ${SUPPORT_SESSION_OWNER_SQL('s')} AS owner,
              (s.status <> 'ended' AND s.expires_at > now()) AS open
         FROM support_sessions s WHERE s.id = $1`,
      [sessionId],
    );
    return rows[0];
  }

  async countMessages(sessionId: string, m?: EntityManager): Promise<number> {
    const rows = await this.db(m).query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM support_chat_messages WHERE session_id = $1`,
      [sessionId],
    );
    return rows[0]?.n ?? 0;
  }

  async insert(
    v: {
      sessionId: string;
      sender: ChatSender;
      origin: Exclude<ChatOrigin, 'note'>;
      authorId: string | null;
      body: string;
    },
    m?: EntityManager,
  ): Promise<ChatMessageView> {
    const rows = await this.db(m).query<MessageRow[]>(
      `WITH saved AS (
         INSERT INTO support_chat_messages (session_id, sender, origin, author_id, body)
         VALUES ($1, $2, $3, $4, $5) RETURNING *)
       SELECT saved.id, saved.session_id, saved.sender, saved.origin, u.display_name AS author,
              saved.body, saved.created_at
         FROM saved LEFT JOIN users u ON u.id = saved.author_id`,
      [v.sessionId, v.sender, v.origin, v.authorId, v.body],
    );
    return toView(rows[0]);
  }

  /** Whether `id` names a message (or note) of this session. */
  async hasMessage(sessionId: string, id: string, m?: EntityManager): Promise<boolean> {
    const rows = await this.db(m).query<{ found: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM support_chat_messages WHERE id = $2 AND session_id = $1)
           OR EXISTS (SELECT 1 FROM support_session_notes WHERE id = $2 AND session_id = $1) AS found`,
      [sessionId, id],
    );
    return rows[0]?.found === true;
  }

  /** Up to `limit` messages after `after` (or from the first), notes included, oldest first. */
  async list(
    sessionId: string,
    after: string | null,
    limit: number,
    m?: EntityManager,
  ): Promise<ChatMessageView[]> {
    const rows = await this.db(m).query<MessageRow[]>(
      `WITH msgs AS (
         SELECT n.id, n.session_id, 'customer'::varchar AS sender, 'note'::varchar AS origin,
                NULL::varchar AS author, n.body, n.created_at
           FROM support_session_notes n WHERE n.session_id = $1
         UNION ALL
         SELECT c.id, c.session_id, c.sender, c.origin, u.display_name AS author, c.body, c.created_at
           FROM support_chat_messages c LEFT JOIN users u ON u.id = c.author_id
          WHERE c.session_id = $1)
       SELECT * FROM msgs
        WHERE $2::uuid IS NULL
           OR (created_at, id) > (SELECT a.created_at, a.id FROM msgs a WHERE a.id = $2::uuid)
        ORDER BY created_at, id
        LIMIT $3`,
      [sessionId, after, limit],
    );
    return rows.map(toView);
  }

  /** How many messages (notes included) each session has, by who wrote them. */
  async counts(sessionId: string, m?: EntityManager): Promise<{ technician: number; customer: number }> {
    const rows = await this.db(m).query<{ technician: number; customer: number }[]>(
      `SELECT (SELECT count(*) FROM support_chat_messages WHERE session_id = $1 AND sender = 'technician')::int AS technician,
              ((SELECT count(*) FROM support_chat_messages WHERE session_id = $1 AND sender = 'customer')
               + (SELECT count(*) FROM support_session_notes WHERE session_id = $1))::int AS customer`,
      [sessionId],
    );
    return rows[0] ?? { technician: 0, customer: 0 };
  }

  /** The quick-support session a device registered with (null for persistent devices). */
  async sessionOfDevice(deviceId: string, m?: EntityManager): Promise<string | null> {
    const rows = await this.db(m).query<{ id: string | null }[]>(
      `SELECT support_session_id AS id FROM devices WHERE id = $1 AND kind = 'quick' AND revoked_at IS NULL`,
      [deviceId],
    );
    return rows[0]?.id ?? null;
  }

  /** The quick-support session of a remote session's device (null for persistent devices). */
  async sessionOfRemoteSession(remoteSessionId: string, m?: EntityManager): Promise<string | null> {
    const rows = await this.db(m).query<{ id: string | null }[]>(
      `SELECT d.support_session_id AS id FROM remote_sessions rs JOIN devices d ON d.id = rs.device_id
        WHERE rs.id = $1 AND d.kind = 'quick'`,
      [remoteSessionId],
    );
    return rows[0]?.id ?? null;
  }

  /** The devices that registered with the session (their agents get the technician's messages). */
  async deviceIds(sessionId: string, m?: EntityManager): Promise<string[]> {
    const rows = await this.db(m).query<{ id: string }[]>(
      `SELECT id FROM devices WHERE support_session_id = $1 AND revoked_at IS NULL`,
      [sessionId],
    );
    return rows.map((r) => r.id);
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}

function toView(r: MessageRow): ChatMessageView {
  return {
    id: r.id,
    sessionId: r.session_id,
    sender: r.sender,
    origin: r.origin,
    author: r.sender === 'technician' ? r.author : null,
    body: r.body,
    createdAt: new Date(r.created_at).toISOString(),
  };
}
