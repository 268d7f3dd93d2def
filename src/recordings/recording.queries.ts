import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  RECORDING_LIMITS,
  type ListRecordingsQuery,
  type RecordingBreakReason,
} from '../../contracts/api/recordings';
import type {
  RecordingFailedEvent,
  RecordingFinishedEvent,
  RecordingProgressEvent,
  RecordingStartedEvent,
} from '../../contracts/relay-events';
import { recordingChainSeed } from '../../contracts/node/recording-chain';
import type { RecordingIncompleteReason, RecordingMode } from '../../contracts/recording/format';
import type { RecordingFailure } from '../../contracts/relay-events';
import { returningRows } from '../database/returning-rows';
import type { Recording } from './entities/recording.entity';

/** A recording row with the names the views show (technician display name, device hostname). */
export interface RecordingRow extends Omit<Recording, 'bytes'> {
  bytes: number;
  technician: string | null;
  deviceName: string | null;
}

/** The session a recording belongs to, as the portal knows it. */
export interface RecordingSessionFacts {
  technicianId: string | null;
  deviceId: string | null;
  /** The session's "Enable session recording" (decides the mode of a row a late start has not set). */
  recordingEnabled: boolean;
}

const COLUMNS = `
  r.id, r.session_id AS "sessionId", r.channel, r.mode, r.status, r.incomplete_reason AS "incompleteReason",
  r.failure, r.technician_id AS "technicianId", r.device_id AS "deviceId", r.started_at AS "startedAt",
  r.ended_at AS "endedAt", r.bytes::float8 AS bytes, r.chunks, r.chain_head AS "chainHead", r.integrity,
  r.broken_at AS "brokenAt", r.broken_reason AS "brokenReason", r.integrity_checked_at AS "integrityCheckedAt",
  r.legal_hold AS "legalHold", r.legal_hold_note AS "legalHoldNote", r.legal_hold_by AS "legalHoldBy",
  r.purge_started_at AS "purgeStartedAt", r.created_at AS "createdAt",
  u.display_name AS technician, d.hostname AS "deviceName"`;
const FROM = `recordings r
  LEFT JOIN users u ON u.id = r.technician_id
  LEFT JOIN devices d ON d.id = r.device_id`;

/**
 * Every read and write of `recordings`, plus the one read of `remote_sessions` ingest needs. Writes
 * from the relay's events are upserts that tolerate any order (a progress or finish may arrive before
 * the start after a lost batch) and never move `chunks`/`chain_head` backwards.
 */
@Injectable()
export class RecordingQueries {
  constructor(private readonly db: DataSource) {}

  async sessionFacts(sessionId: string): Promise<RecordingSessionFacts | null> {
    const rows = await this.db.query<RecordingSessionFacts[]>(
      `SELECT technician_id AS "technicianId", device_id AS "deviceId", recording_enabled AS "recordingEnabled"
         FROM remote_sessions WHERE id = $1`,
      [sessionId],
    );
    return rows[0] ?? null;
  }

  /** Whether any recording names the session (its row may have gone before them). */
  async anyForSession(sessionId: string): Promise<boolean> {
    const rows = await this.db.query<unknown[]>(`SELECT 1 FROM recordings WHERE session_id = $1 LIMIT 1`, [
      sessionId,
    ]);
    return rows.length > 0;
  }

  /**
   * Inserts the row if absent (status `recording`, with the event's counters when it has them); on
   * conflict applies `onConflict`, the event's own change. Parameters $1–$10 are the insert's; the
   * change's own start at $11. False (nothing written) when the row exists for another session or
   * channel: a signed event naming one session cannot alter another session's recording.
   */
  private async upsert(
    e: { recordingId: string; sessionId: string; channel: string },
    facts: RecordingSessionFacts,
    insert: { mode: string; startedAt: string; bytes?: number; chunks?: number; head?: string },
    onConflict: string,
    params: unknown[] = [],
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db,
      `INSERT INTO recordings AS r
         (id, session_id, channel, mode, technician_id, device_id, started_at, bytes, chunks, chain_head)
       VALUES ($1, $2, $3, $4, (SELECT id FROM users WHERE id = $5), $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET ${onConflict}
         WHERE r.session_id = EXCLUDED.session_id AND r.channel = EXCLUDED.channel
       RETURNING r.id`,
      [
        e.recordingId,
        e.sessionId,
        e.channel,
        insert.mode,
        facts.technicianId,
        facts.deviceId,
        insert.startedAt,
        insert.bytes ?? 0,
        insert.chunks ?? 0,
        insert.head ?? null,
        ...params,
      ],
    );
    return rows.length > 0;
  }

  /** The counters only ever grow: a late, older progress event changes nothing. */
  private static readonly FORWARD = `bytes = GREATEST(r.bytes, EXCLUDED.bytes),
       chain_head = CASE WHEN EXCLUDED.chunks >= r.chunks THEN EXCLUDED.chain_head ELSE r.chain_head END,
       chunks = GREATEST(r.chunks, EXCLUDED.chunks)`;

  started(e: RecordingStartedEvent, facts: RecordingSessionFacts): Promise<boolean> {
    return this.upsert(
      e,
      facts,
      { mode: e.mode, startedAt: e.at },
      `mode = EXCLUDED.mode, started_at = LEAST(r.started_at, EXCLUDED.started_at)`,
    );
  }

  progress(e: RecordingProgressEvent, facts: RecordingSessionFacts, mode: RecordingMode): Promise<boolean> {
    return this.upsert(
      e,
      facts,
      { mode, startedAt: e.at, bytes: e.bytes, chunks: e.chunks, head: e.head },
      RecordingQueries.FORWARD,
    );
  }

  async failed(e: RecordingFailedEvent, facts: RecordingSessionFacts): Promise<boolean> {
    if (!(await this.upsert(e, facts, { mode: e.mode, startedAt: e.at }, `mode = EXCLUDED.mode`)))
      return false;
    await this.db.query(`UPDATE recordings SET failure = COALESCE(failure, $2) WHERE id = $1`, [
      e.recordingId,
      e.failure,
    ]);
    return true;
  }

  /** Closes the row: final counters, end time and status (failed when nothing was written after a failure). */
  async finished(
    e: RecordingFinishedEvent,
    facts: RecordingSessionFacts,
    mode: RecordingMode,
  ): Promise<boolean> {
    const startedAt = new Date(Date.parse(e.at) - e.durationMs).toISOString();
    const applied = await this.upsert(
      e,
      facts,
      { mode, startedAt, bytes: e.bytes, chunks: e.chunks, head: e.head },
      RecordingQueries.FORWARD,
    );
    if (!applied) return false;
    await this.db.query(
      `UPDATE recordings SET
         ended_at = COALESCE(ended_at, $2::timestamptz),
         incomplete_reason = CASE WHEN $3 THEN NULL ELSE COALESCE($4, incomplete_reason) END,
         status = CASE WHEN $3 THEN 'complete'
                       WHEN chunks = 0 AND failure IS NOT NULL THEN 'failed'
                       ELSE 'incomplete' END
       WHERE id = $1`,
      [e.recordingId, e.at, e.complete, e.incompleteReason],
    );
    return true;
  }

  /** A recording the portal itself writes (commands run over the control channel): its row at the start. */
  async portalStarted(
    id: string,
    session: { id: string; technicianId: string | null; deviceId: string | null },
    mode: RecordingMode,
    startedAt: Date,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO recordings (id, session_id, channel, mode, technician_id, device_id, started_at, chain_head)
       VALUES ($1, $2, 'commands', $3, (SELECT id FROM users WHERE id = $4), $5, $6, $7)`,
      [
        id,
        session.id,
        mode,
        session.technicianId,
        session.deviceId,
        startedAt,
        recordingChainSeed(id).toString('hex'),
      ],
    );
  }

  /** The portal closed a chunk of its own recording: the counters and head it wrote. */
  async portalProgress(id: string, bytes: number, chunks: number, head: string): Promise<void> {
    await this.db.query(
      `UPDATE recordings SET bytes = $2, chunks = $3, chain_head = $4 WHERE id = $1 AND chunks <= $3`,
      [id, bytes, chunks, head],
    );
  }

  async portalFailed(id: string, failure: RecordingFailure): Promise<void> {
    await this.db.query(`UPDATE recordings SET failure = COALESCE(failure, $2) WHERE id = $1`, [id, failure]);
  }

  /** The session ended: complete, or incomplete (`store_failed`; failed when nothing was kept). */
  async portalFinished(
    id: string,
    complete: boolean,
    reason: RecordingIncompleteReason | null,
    endedAt: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE recordings SET ended_at = COALESCE(ended_at, $2),
         incomplete_reason = CASE WHEN $3 THEN NULL ELSE $4 END,
         status = CASE WHEN $3 THEN 'complete' WHEN chunks = 0 AND failure IS NOT NULL THEN 'failed'
                       ELSE 'incomplete' END
       WHERE id = $1 AND status = 'recording'`,
      [id, endedAt, complete, reason],
    );
  }

  /** Rows still `recording` whose session ended before `endedBefore` (their finish was lost). */
  async staleRecording(endedBefore: Date, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT r.id FROM recordings r JOIN remote_sessions s ON s.id = r.session_id
        WHERE r.status = 'recording' AND r.purge_started_at IS NULL
          AND s.status = 'ended' AND s.ended_at < $1
        ORDER BY s.ended_at LIMIT $2`,
      [endedBefore, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Closes a row the relay never finished; false when it was finished (or purged) meanwhile. */
  async closeStale(id: string, complete: boolean, endedAt: Date): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db,
      `UPDATE recordings SET ended_at = COALESCE(ended_at, $3),
         status = CASE WHEN $2 THEN 'complete' ELSE 'incomplete' END,
         incomplete_reason = CASE WHEN $2 THEN NULL ELSE 'relay_crashed' END
        WHERE id = $1 AND status = 'recording' AND purge_started_at IS NULL RETURNING id`,
      [id, complete, endedAt],
    );
    return rows.length > 0;
  }

  /** Finished rows whose integrity check never ran (its queue entry was lost). */
  async finishedUnchecked(limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM recordings
        WHERE status <> 'recording' AND integrity = 'unchecked' AND purge_started_at IS NULL
        ORDER BY ended_at NULLS LAST, id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  async find(id: string): Promise<RecordingRow | null> {
    const rows = await this.db.query<RecordingRow[]>(`SELECT ${COLUMNS} FROM ${FROM} WHERE r.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** The page and a count capped at {@link RECORDING_LIMITS.countMax}. */
  async list(
    q: ListRecordingsQuery,
    scope: { technicianId: string } | null,
  ): Promise<{ rows: RecordingRow[]; total: number; capped: boolean }> {
    const where: string[] = ['r.purge_started_at IS NULL'];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (scope) add('r.technician_id = ?', scope.technicianId);
    if (q.sessionId) add('r.session_id = ?', q.sessionId);
    if (q.technicianId) add('r.technician_id = ?', q.technicianId);
    if (q.deviceId) add('r.device_id = ?', q.deviceId);
    if (q.channel) add('r.channel = ?', q.channel);
    if (q.status) add('r.status = ?', q.status);
    if (q.integrity) add('r.integrity = ?', q.integrity);
    if (q.legalHold !== undefined) add('r.legal_hold = ?', q.legalHold);
    if (q.from) add('r.started_at >= ?', q.from);
    if (q.to) add('r.started_at < ?', q.to);
    const filter = where.join(' AND ');
    const limit = q.limit ?? RECORDING_LIMITS.pageDefault;
    const offset = q.offset ?? 0;
    const rows = await this.db.query<RecordingRow[]>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE ${filter}
        ORDER BY r.started_at DESC, r.id DESC LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    const [{ n }] = await this.db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM recordings r WHERE ${filter} LIMIT ${RECORDING_LIMITS.countMax + 1}) c`,
      params,
    );
    return { rows, total: Math.min(n, RECORDING_LIMITS.countMax), capped: n > RECORDING_LIMITS.countMax };
  }

  async setIntegrity(
    id: string,
    result: { brokenAt: number | null; reason: RecordingBreakReason | null },
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE recordings SET integrity = $2, broken_at = $3, broken_reason = $4, integrity_checked_at = $5
        WHERE id = $1`,
      [id, result.brokenAt === null ? 'verified' : 'broken', result.brokenAt, result.reason, at],
    );
  }

  /** Runs `work` in one transaction (a change and its audit line commit together). */
  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async setLegalHold(
    id: string,
    hold: boolean,
    note: string | null,
    by: string,
    m: EntityManager | DataSource = this.db,
  ): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      m,
      `UPDATE recordings SET legal_hold = $2, legal_hold_note = $3, legal_hold_by = $4
        WHERE id = $1 AND purge_started_at IS NULL RETURNING id`,
      [id, hold, hold ? note : null, hold ? by : null],
    );
    return rows.length > 0;
  }

  /**
   * What retention removes now: rows whose purge was started (a run that stopped half-way), then the
   * rows past `cutoff` (by end, or start for one never finished), never held or still recording.
   */
  async duePastRetention(cutoff: Date, limit: number): Promise<{ id: string; bytes: number }[]> {
    return this.db.query(
      `SELECT id, bytes::float8 AS bytes FROM recordings
        WHERE purge_started_at IS NOT NULL
           OR (legal_hold = false AND status <> 'recording' AND COALESCE(ended_at, started_at) < $1)
        ORDER BY purge_started_at NULLS LAST, COALESCE(ended_at, started_at) LIMIT $2`,
      [cutoff, limit],
    );
  }

  /** Bytes of every recording not yet being purged. */
  async totalBytes(): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }[]>(
      `SELECT COALESCE(sum(bytes), 0)::float8 AS n FROM recordings WHERE purge_started_at IS NULL`,
    );
    return n;
  }

  /** Bytes the size cap cannot remove: held or still recording (and not being purged). */
  async pinnedBytes(): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }[]>(
      `SELECT COALESCE(sum(bytes), 0)::float8 AS n FROM recordings
        WHERE purge_started_at IS NULL AND (legal_hold = true OR status = 'recording')`,
    );
    return n;
  }

  /** The oldest purgeable recordings, for the size cap. */
  async oldestPurgeable(limit: number): Promise<{ id: string; bytes: number }[]> {
    return this.db.query(
      `SELECT id, bytes::float8 AS bytes FROM recordings
        WHERE purge_started_at IS NULL AND legal_hold = false AND status <> 'recording'
        ORDER BY COALESCE(ended_at, started_at), id LIMIT $1`,
      [limit],
    );
  }

  /** Marks the purge begun (kept across a crash); false when the row is held, recording or gone. */
  async markPurging(id: string, at: Date): Promise<RecordingRow | null> {
    const rows = await returningRows<{ id: string }>(
      this.db,
      `UPDATE recordings SET purge_started_at = COALESCE(purge_started_at, $2)
        WHERE id = $1 AND (purge_started_at IS NOT NULL OR (legal_hold = false AND status <> 'recording'))
        RETURNING id`,
      [id, at],
    );
    return rows.length > 0 ? this.find(id) : null;
  }

  async deletePurged(id: string): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db,
      `DELETE FROM recordings WHERE id = $1 AND purge_started_at IS NOT NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }
}
