import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { deviceReachSql } from '../access/access-rules';
import { returningRows } from '../database/returning-rows';
import type { RemoteSessionDto } from './dto/remote-session.dto';
import { EndReason, RemoteSession } from './entities/remote-session.entity';
import { RemoteSessionRow, toRemoteSessionDto } from './remote-session.mapper';
import { remoteSessionErrors as errors } from './remote-sessions.errors';
import type { StoredChannelState, StoredChannelStates } from './channel-states';

const SELECT = `
  SELECT rs.id, rs.device_id AS "deviceId", rs.technician_id AS "technicianId", rs.type, rs.protocol,
         rs.reason, rs.recording_enabled AS "recordingEnabled", rs.status, rs.channels,
         rs.relay_url AS "relayUrl", rs.started_at AS "startedAt", rs.connected_at AS "connectedAt",
         rs.ended_at AS "endedAt", rs.end_reason AS "endReason", rs.channel_states AS "channelStates",
         d.hostname AS "deviceName", d.os AS "deviceOs", d.kind AS "deviceKind",
         u.display_name AS "technicianName", ss.customer_name AS "customerName"
    FROM remote_sessions rs
    JOIN devices d ON d.id = rs.device_id
    LEFT JOIN users u ON u.id = rs.technician_id
    LEFT JOIN support_sessions ss ON ss.id = d.support_session_id`;

/** The history's filters, checked by the DTO; `technicianId` narrows a technician to their own. */
export interface HistoryFilter {
  q?: string;
  endReason?: EndReason;
  technicianId?: string;
}

/** `ILIKE` pattern matching `text` anywhere, its own wildcards taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The WHERE clause of the history (ended sessions), as SQL with numbered parameters. The order and
 * the technician's own view follow the partial indexes of migration RemoteSessionHistoryIndexes
 * (`ended_at DESC, id DESC` over ended rows, per technician too); the text search is a bounded scan of
 * that order (a page stops at its limit, a count at REMOTE_SESSION_HISTORY_LIMITS.countMax).
 */
function historyWhere(f: HistoryFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const and: string[] = [`rs.status = 'ended'`];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.technicianId) and.push(`rs.technician_id = ${p(f.technicianId)}`);
  if (f.endReason) and.push(`rs.end_reason = ${p(f.endReason)}`);
  if (f.q) {
    const like = p(containsPattern(f.q));
    and.push(
      `(ss.customer_name ILIKE ${like} OR d.hostname ILIKE ${like} OR u.display_name ILIKE ${like}
        OR rs.reason ILIKE ${like} OR replace(rs.end_reason, '_', ' ') ILIKE ${like})`,
    );
  }
  return { sql: `WHERE ${and.join(' AND ')}`, params };
}

/** What a new session is made of (it starts `pending`). */
export type NewRemoteSession = Pick<
  RemoteSession,
  'deviceId' | 'technicianId' | 'type' | 'protocol' | 'reason' | 'recordingEnabled' | 'channels' | 'relayUrl'
>;

/**
 * Every read and write of `remote_sessions`: the guarded transitions (`UPDATE … WHERE status …
 * RETURNING`, so of racing callers exactly one gets the row back), the Active and Recent lists and
 * single rows with names joined in, and the ids the lifecycle's events and sweep act on. Writes take
 * the caller's transaction as `m`, or run on their own; the use case (audit, events, telling the relay
 * and the agent) is the services'.
 */
@Injectable()
export class RemoteSessionQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts a `pending` session and returns it. */
  insert(v: NewRemoteSession, m?: EntityManager): Promise<RemoteSession> {
    const repo = this.db(m).getRepository(RemoteSession);
    return repo.save(repo.create({ ...v, status: 'pending' }));
  }

  /** How many sessions are in each status (one grouped count over the status index; for /metrics). */
  async countsByStatus(): Promise<Array<{ status: string; count: number }>> {
    return this.dataSource.query<Array<{ status: string; count: number }>>(
      'SELECT status, count(*)::int AS count FROM remote_sessions GROUP BY status',
    );
  }

  /** The bare row (no names joined), or null. */
  findRow(id: string, m?: EntityManager): Promise<RemoteSession | null> {
    return this.db(m).getRepository(RemoteSession).findOne({ where: { id } });
  }

  /**
   * Open → ended, recording the reason and time; returns the session's device, or null when it had
   * already ended (or, with `onlyIfPending`, had ever connected) — so only one caller ends it.
   */
  async end(
    id: string,
    reason: EndReason,
    opts: { onlyIfPending?: boolean } = {},
    m?: EntityManager,
  ): Promise<{ deviceId: string } | null> {
    const rows = await returningRows<{ deviceId: string }>(
      this.db(m),
      `UPDATE remote_sessions SET status = 'ended', ended_at = now(), end_reason = $2
        WHERE id = $1 AND status <> 'ended' AND ($3::boolean IS FALSE OR status = 'pending')
        RETURNING device_id AS "deviceId"`,
      [id, reason, opts.onlyIfPending === true],
    );
    return rows[0] ?? null;
  }

  /**
   * Changes one channel's state under a row lock (so the device's events and the portal's requests
   * apply in order); `change` answers null to leave it. False when the session has ended or nothing
   * changed.
   */
  async updateChannelState(
    id: string,
    channel: string,
    change: (prev: StoredChannelState | undefined) => StoredChannelState | null,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const rows: { states: StoredChannelStates; status: string }[] = await m.query(
        `SELECT channel_states AS states, status FROM remote_sessions WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!rows[0] || rows[0].status === 'ended') return false;
      const next = change(rows[0].states[channel]);
      if (!next) return false;
      await m.query(
        `UPDATE remote_sessions SET channel_states = channel_states || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1`,
        [id, channel, JSON.stringify(next)],
      );
      return true;
    });
  }

  /**
   * Adds a channel to an open session (the files channel, opened on demand). Guarded: of racing
   * callers exactly one gets true; false when the session has ended or already has the channel.
   */
  async addChannel(id: string, channel: string, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE remote_sessions SET channels = array_append(channels, $2::text)
        WHERE id = $1 AND status <> 'ended' AND NOT ($2::text = ANY(channels))
        RETURNING id`,
      [id, channel],
    );
    return rows.length > 0;
  }

  /** `pending → active` on the first pairing; false when it was not pending (only the first counts). */
  async markConnected(id: string, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE remote_sessions SET status = 'active', connected_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async list(filter: 'active' | 'recent', limit = 200): Promise<RemoteSessionDto[]> {
    const rows: RemoteSessionRow[] =
      filter === 'active'
        ? await this.dataSource.query(
            `${SELECT} WHERE rs.status <> 'ended' ORDER BY rs.started_at DESC LIMIT $1`,
            [limit],
          )
        : await this.dataSource.query(
            `${SELECT} WHERE rs.status = 'ended' AND rs.ended_at > now() - interval '24 hours' ORDER BY rs.ended_at DESC LIMIT $1`,
            [limit],
          );
    const now = new Date();
    return rows.map((r) => toRemoteSessionDto(r, now));
  }

  /** One page of the history, newest end first, with the (capped) count of matches. */
  async history(
    f: HistoryFilter,
    page: { limit: number; offset: number },
    countMax: number,
  ): Promise<{ items: RemoteSessionDto[]; total: number; totalCapped: boolean }> {
    const where = historyWhere(f);
    const n = where.params.length;
    const [rows, counted] = await Promise.all([
      this.dataSource.query<RemoteSessionRow[]>(
        `${SELECT} ${where.sql} ORDER BY rs.ended_at DESC, rs.id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...where.params, page.limit, page.offset],
      ),
      this.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM remote_sessions rs
           JOIN devices d ON d.id = rs.device_id
           LEFT JOIN users u ON u.id = rs.technician_id
           LEFT JOIN support_sessions ss ON ss.id = d.support_session_id
           ${where.sql} LIMIT $${n + 1}) matched`,
        [...where.params, countMax + 1],
      ),
    ]);
    const total = counted[0]?.n ?? 0;
    return {
      items: rows.map((r) => toRemoteSessionDto(r)),
      total: Math.min(total, countMax),
      totalCapped: total > countMax,
    };
  }

  /**
   * Every session of the history the filters match (at most `max`, newest end first), read in
   * batches so an export never holds more than one batch of rows.
   */
  async *historyBatches(f: HistoryFilter, max: number, batch = 500): AsyncGenerator<RemoteSessionDto[]> {
    const where = historyWhere(f);
    const n = where.params.length;
    // The cursor keeps ended_at as PostgreSQL's text: a JS Date would drop its microseconds.
    const select = SELECT.replace('SELECT ', 'SELECT rs.ended_at::text AS "cursorAt", ');
    let cursor: { at: string; id: string } | null = null;
    let left = max;
    while (left > 0) {
      const limit = Math.min(batch, left);
      const after = cursor ? ` AND (rs.ended_at, rs.id) < ($${n + 2}::timestamptz, $${n + 3}::uuid)` : '';
      const params: unknown[] = [...where.params, limit, ...(cursor ? [cursor.at, cursor.id] : [])];
      const rows: (RemoteSessionRow & { cursorAt: string })[] = await this.dataSource.query(
        `${select} ${where.sql}${after} ORDER BY rs.ended_at DESC, rs.id DESC LIMIT $${n + 1}`,
        params,
      );
      if (rows.length > 0) yield rows.map((r) => toRemoteSessionDto(r));
      if (rows.length < limit) return;
      left -= rows.length;
      const last = rows[rows.length - 1];
      cursor = { at: last.cursorAt, id: last.id };
    }
  }

  async dto(id: string, m?: EntityManager): Promise<RemoteSessionDto> {
    const rows: RemoteSessionRow[] = await this.db(m).query(`${SELECT} WHERE rs.id = $1`, [id]);
    if (!rows[0]) throw errors.notFound();
    return toRemoteSessionDto(rows[0]);
  }

  /** Sessions still open on a device (for ending them when the device goes away). */
  async openIdsForDevices(deviceIds: string[]): Promise<string[]> {
    if (deviceIds.length === 0) return [];
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM remote_sessions WHERE status <> 'ended' AND device_id = ANY($1::uuid[])`,
      [deviceIds],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Open sessions of a technician who lost access. `orphans` adds the sessions whose technician is gone
   * (null): only the removal of an account sets it to null, and by the time its revocation is handled
   * the removed technician's sessions can no longer be told apart from other orphans (which the sweep
   * would end anyway: nobody may use them). Any other revocation touches its own user's sessions only.
   */
  async openIdsForTechnician(userId: string, opts: { orphans: boolean }): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM remote_sessions
        WHERE status <> 'ended' AND (technician_id = $1 OR ($2::boolean AND technician_id IS NULL))`,
      [userId, opts.orphans],
    );
    return rows.map((r) => r.id);
  }

  /** Open sessions whose technician was removed or disabled (a backstop for a missed revocation). */
  async openIdsWithoutLiveTechnician(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT rs.id FROM remote_sessions rs LEFT JOIN users u ON u.id = rs.technician_id
        WHERE rs.status <> 'ended' AND (u.id IS NULL OR u.disabled_at IS NOT NULL)`,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Open sessions whose technician can no longer reach the device (grant withdrawn, quick-support
   * session handed to someone else): of one technician on the given devices, after a withdrawal
   * event; or, without a filter, all of them (the sweep's backstop). Admins reach every device, and
   * sessions without a technician are the revocation sweep's.
   */
  async openIdsOutOfReach(filter?: { userId: string; deviceIds: string[] }): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT rs.id FROM remote_sessions rs
         JOIN devices d ON d.id = rs.device_id
         JOIN users u ON u.id = rs.technician_id
        WHERE rs.status <> 'ended' AND u.role <> 'admin'
          AND ($1::uuid IS NULL OR (rs.technician_id = $1 AND rs.device_id = ANY($2::uuid[])))
          AND NOT ${deviceReachSql('d', 'rs.technician_id')}`,
      [filter?.userId ?? null, filter?.deviceIds ?? []],
    );
    return rows.map((r) => r.id);
  }

  /** Open sessions with their technician (for the sweep, which asks which technicians still hold a login). */
  async openWithTechnician(): Promise<{ id: string; technicianId: string }[]> {
    return this.dataSource.query(
      `SELECT id, technician_id AS "technicianId" FROM remote_sessions
        WHERE status <> 'ended' AND technician_id IS NOT NULL`,
    );
  }

  /** The device's newest session that has not ended (what a Quick Assist action belongs to). */
  async latestOpenIdForDevice(deviceId: string): Promise<string | null> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM remote_sessions WHERE device_id = $1 AND status <> 'ended' ORDER BY started_at DESC LIMIT 1`,
      [deviceId],
    );
    return rows[0]?.id ?? null;
  }

  /** Open sessions older than the relay's maximum pair lifetime: nothing can still be flowing. */
  async overdueIds(maxAgeSec: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM remote_sessions WHERE status <> 'ended' AND started_at < now() - make_interval(secs => $1)`,
      [maxAgeSec],
    );
    return rows.map((r) => r.id);
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
