import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { SUPPORT_SESSION_OWNER_SQL } from '../access/access-rules';
import { returningRows } from '../database/returning-rows';
import { SupportSessionNote } from './entities/support-session-note.entity';
import { EndReason, SupportSession, SupportSessionStatus } from './entities/support-session.entity';

/** Which open sessions an end applies to. */
export type EndTarget = { sessionId: string } | { deviceId: string } | { expired: true };

export interface NewSupportSession {
  tokenHash: string;
  tokenCiphertext: string;
  customerName: string | null;
  note: string | null;
  createdBy: string;
  expiryMin: number;
}

export interface SupportSessionCounts {
  waiting: number;
  active: number;
  ended: number;
  endedLast24h: number;
}

/**
 * Every read and write of `support_sessions` and `support_session_notes`: the guarded transitions
 * (`UPDATE … WHERE status … RETURNING`, so of two racing callers exactly one gets the row back), the
 * joined reads the dashboard and the connect page show, the KPI counts and the retention purge. Each
 * takes the caller's transaction as `m`, or runs on its own. The use case (who may, what is audited,
 * what is published) is the services'.
 */
@Injectable()
export class SupportSessionQueries {
  constructor(private readonly dataSource: DataSource) {}

  async insert(v: NewSupportSession, m?: EntityManager): Promise<string> {
    const rows = await this.db(m).query<{ id: string }[]>(
      `INSERT INTO support_sessions (token_hash, token_ciphertext, customer_name, note, created_by, assigned_to, expires_at)
       VALUES ($1, $2, $3, $4, $5, $5, now() + make_interval(mins => $6)) RETURNING id`,
      [v.tokenHash, v.tokenCiphertext, v.customerName, v.note, v.createdBy, v.expiryMin],
    );
    return rows[0].id;
  }

  /**
   * The session's owner, its row locked until `m` commits (so a concurrent reassign cannot hide who
   * lost it). `undefined` when there is no such session; `openOnly` also skips ended and expired ones.
   */
  async lockOwner(
    id: string,
    m: EntityManager,
    opts: { openOnly?: boolean } = {},
  ): Promise<{ owner: string | null } | undefined> {
    const rows = await m.query<{ owner: string | null }[]>(
      `SELECT ${SUPPORT_SESSION_OWNER_SQL('s')} AS owner FROM support_sessions s
        WHERE s.id = $1 AND ($2::boolean IS FALSE OR (s.status <> 'ended' AND s.expires_at > now()))
        FOR UPDATE`,
      [id, opts.openOnly === true],
    );
    return rows[0];
  }

  /** Open → assigned to `userId`. False when the session has ended or does not exist. */
  async assign(id: string, userId: string, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE support_sessions SET assigned_to = $2, updated_at = now() WHERE id = $1 AND status <> 'ended' RETURNING id`,
      [id, userId],
    );
    return rows.length > 0;
  }

  /**
   * `waiting → active` for the registering device, with the active session's own lifetime. False when
   * the session is not waiting or has expired.
   */
  async activate(id: string, deviceId: string, maxHours: number, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE support_sessions
          SET status = 'active', device_id = $2, activated_at = now(),
              expires_at = now() + make_interval(hours => $3), updated_at = now()
        WHERE id = $1 AND status = 'waiting' AND expires_at > now() RETURNING id`,
      [id, deviceId, maxHours],
    );
    return rows.length > 0;
  }

  /**
   * Ends the open sessions `target` names (the link stops working: its ciphertext goes) and returns
   * their ids. A session that has already ended is not returned again, so only one caller ends it.
   */
  async end(target: EndTarget, reason: EndReason, m?: EntityManager): Promise<string[]> {
    const [condition, params] =
      'sessionId' in target
        ? ['id = $2', [target.sessionId]]
        : 'deviceId' in target
          ? ['device_id = $2', [target.deviceId]]
          : ['expires_at <= now()', []];
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE support_sessions
          SET status = 'ended', ended_at = now(), end_reason = $1, token_ciphertext = NULL, updated_at = now()
        WHERE status <> 'ended' AND ${condition} RETURNING id`,
      [reason, ...params],
    );
    return rows.map((r) => r.id);
  }

  /** Removes ended sessions past the retention period; returns how many. */
  async purgeEnded(retentionDays: number, m?: EntityManager): Promise<number> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `DELETE FROM support_sessions WHERE status = 'ended' AND ended_at < now() - make_interval(days => $1) RETURNING id`,
      [retentionDays],
    );
    return rows.length;
  }

  async status(id: string, m?: EntityManager): Promise<SupportSessionStatus | null> {
    const rows = await this.db(m).query<{ status: SupportSessionStatus }[]>(
      `SELECT status FROM support_sessions WHERE id = $1`,
      [id],
    );
    return rows[0]?.status ?? null;
  }

  async exists(id: string, m?: EntityManager): Promise<boolean> {
    return (await this.status(id, m)) !== null;
  }

  /** The devices a session brought in (whoever owns the session reaches them). */
  async deviceIds(id: string, m?: EntityManager): Promise<string[]> {
    const rows = await this.db(m).query<{ id: string }[]>(
      `SELECT id FROM devices WHERE support_session_id = $1`,
      [id],
    );
    return rows.map((r) => r.id);
  }

  /** One session with its technicians (id and name only), device and stored link. */
  findOne(id: string, m?: EntityManager): Promise<SupportSession | null> {
    return this.joined(m).where('s.id = :id', { id }).getOne();
  }

  /** A page of the team queue, newest first, and the total. `open` is every status but ended. */
  page(
    filter: { status?: SupportSessionStatus | 'open'; limit: number; offset: number },
    m?: EntityManager,
  ): Promise<[SupportSession[], number]> {
    const qb = this.joined(m);
    if (filter.status === 'open') qb.where(`s.status <> 'ended'`);
    else if (filter.status) qb.where('s.status = :status', { status: filter.status });
    return qb
      .orderBy('s.createdAt', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .take(filter.limit)
      .skip(filter.offset)
      .getManyAndCount();
  }

  /** The open, unexpired session behind a token hash, with its technician (id and name) and device. */
  findOpenByTokenHash(hash: string, m?: EntityManager): Promise<SupportSession | null> {
    return this.sessions(m)
      .leftJoin('s.assignedTo', 'at')
      .addSelect(['at.id', 'at.displayName'])
      .leftJoinAndSelect('s.device', 'd')
      .where('s.token_hash = :hash', { hash })
      .andWhere(`s.status <> 'ended'`)
      .andWhere('s.expires_at > now()')
      .getOne();
  }

  /** Why a token no longer opens its session: null when no session has that token hash (any more). */
  async closedStateByTokenHash(hash: string, m?: EntityManager): Promise<'ended' | 'expired' | null> {
    const rows = await this.db(m).query<{ state: 'ended' | 'expired' | 'open' }[]>(
      `SELECT CASE WHEN status = 'ended' AND end_reason = 'expired' THEN 'expired'
                   WHEN status = 'ended' THEN 'ended'
                   WHEN expires_at <= now() THEN 'expired'
                   ELSE 'open' END AS state
         FROM support_sessions WHERE token_hash = $1`,
      [hash],
    );
    const state = rows[0]?.state;
    return state === 'ended' || state === 'expired' ? state : null;
  }

  async counts(m?: EntityManager): Promise<SupportSessionCounts> {
    const rows = await this.db(m).query<SupportSessionCounts[]>(
      `SELECT count(*) FILTER (WHERE status = 'waiting')::int AS waiting,
              count(*) FILTER (WHERE status = 'active')::int AS active,
              count(*) FILTER (WHERE status = 'ended')::int AS ended,
              count(*) FILTER (WHERE status = 'ended' AND ended_at > now() - interval '24 hours')::int AS "endedLast24h"
         FROM support_sessions`,
    );
    return rows[0] ?? { waiting: 0, active: 0, ended: 0, endedLast24h: 0 };
  }

  /** The notes of these sessions, oldest first. */
  notesOf(sessionIds: string[], m?: EntityManager): Promise<SupportSessionNote[]> {
    if (sessionIds.length === 0) return Promise.resolve([]);
    return this.db(m)
      .getRepository(SupportSessionNote)
      .find({ where: { sessionId: In(sessionIds) }, order: { createdAt: 'ASC' } });
  }

  /** The latest `limit` notes of one session, oldest first. */
  async recentNotes(sessionId: string, limit: number, m?: EntityManager): Promise<SupportSessionNote[]> {
    const rows = await this.db(m)
      .getRepository(SupportSessionNote)
      .find({ where: { sessionId }, order: { createdAt: 'DESC' }, take: limit });
    return rows.reverse();
  }

  countNotes(sessionId: string, m?: EntityManager): Promise<number> {
    return this.db(m).getRepository(SupportSessionNote).count({ where: { sessionId } });
  }

  insertNote(sessionId: string, body: string, m?: EntityManager): Promise<SupportSessionNote> {
    const repo = this.db(m).getRepository(SupportSessionNote);
    return repo.save(repo.create({ sessionId, body }));
  }

  /** Sessions joined with their technicians (id and name only), device and stored link. */
  private joined(m?: EntityManager): SelectQueryBuilder<SupportSession> {
    return this.sessions(m)
      .addSelect('s.tokenCiphertext')
      .leftJoin('s.createdBy', 'cb')
      .addSelect(['cb.id', 'cb.displayName'])
      .leftJoin('s.assignedTo', 'at')
      .addSelect(['at.id', 'at.displayName'])
      .leftJoinAndSelect('s.device', 'd');
  }

  private sessions(m?: EntityManager): SelectQueryBuilder<SupportSession> {
    return this.db(m).getRepository(SupportSession).createQueryBuilder('s');
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
