import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditActorType } from '../../contracts/api/audit';

/**
 * The read side's SQL over `audit_events` (the append-only writer in src/audit is untouched): pure
 * builders, so the benchmark's floor server runs exactly this SQL, and {@link AuditLogQueries}, which
 * runs them for the service.
 *
 * A line names its remote session and its device in different places: the target, or `details`
 * (`remoteSessionId` on device lines, `deviceId` on session lines). These two expressions say where,
 * and must stay identical to the expression indexes of migrations/1763760000000-AuditReadIndexes.ts.
 */
export const AUDIT_SESSION_KEY_SQL = (e: string): string =>
  `(CASE WHEN ${e}.target_type = 'remote_session' THEN ${e}.target_id ELSE ${e}.details ->> 'remoteSessionId' END)`;
export const AUDIT_DEVICE_KEY_SQL = (e: string): string =>
  `(CASE WHEN ${e}.target_type = 'device' THEN ${e}.target_id ELSE ${e}.details ->> 'deviceId' END)`;

/** `text` → `uuid`, or null for anything that is not one (the columns are free text). */
const uuidOrNull = (x: string): string =>
  `(CASE WHEN ${x} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN (${x})::uuid END)`;

/** Which lines a reader may see: all of them, or those of one technician's remote sessions. */
export type AuditScope = { kind: 'all' } | { kind: 'technician'; userId: string };

/** A validated filter (see ListAuditEventsQueryDto). */
export interface AuditFilter {
  actor?: string;
  deviceId?: string;
  sessionId?: string;
  /** Exact, or a prefix ending in `.`. */
  action?: string;
  from?: Date;
  to?: Date;
  /** The id of the last line of the previous page. */
  before?: string;
}

/** One line as the page query returns it (`pg` hands a bigint over as a string). */
export interface AuditEventRow {
  id: string;
  at: Date;
  actor_type: AuditActorType;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown> | null;
  session_id: string | null;
  device_id: string | null;
  device_name: string | null;
}

export interface Sql {
  text: string;
  params: unknown[];
}

/**
 * The page, then its names: the filtered page is taken first (an index range in `at, id` order), and
 * only its rows are joined to sessions, devices and users.
 */
function decorate(page: string, order: 'ASC' | 'DESC'): string {
  return `WITH page AS (${page})
SELECT p.id, p.at, p.actor_type, p.actor_id, u.display_name AS actor_name, p.action, p.target_type,
       p.target_id, p.details, p.session_id, p.device_id, d.hostname AS device_name
  FROM (SELECT pg.*, ${uuidOrNull('pg.session_key')} AS session_id,
               COALESCE(${uuidOrNull('pg.device_key')}, rs.device_id) AS device_id
          FROM page pg
          LEFT JOIN remote_sessions rs ON rs.id = ${uuidOrNull('pg.session_key')}) p
  LEFT JOIN users u ON p.actor_type = 'user' AND u.id = ${uuidOrNull('p.actor_id')}
  LEFT JOIN devices d ON d.id = p.device_id
 ORDER BY p.at ${order}, p.id ${order}`;
}

const COLUMNS = (e: string): string =>
  `${e}.id, ${e}.at, ${e}.actor_type, ${e}.actor_id, ${e}.action, ${e}.target_type, ${e}.target_id, ${e}.details,
   ${AUDIT_SESSION_KEY_SQL(e)} AS session_key, ${AUDIT_DEVICE_KEY_SQL(e)} AS device_key`;

/** The upper bound of a prefix range: `remote_session.` → `remote_session/` (compared in "C"). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Newest first: `limit` lines (ask for one more than the page to know whether there is a next). */
export function auditPageSql(filter: AuditFilter, scope: AuditScope, limit: number): Sql {
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const sk = AUDIT_SESSION_KEY_SQL('e');
  const where: string[] = [];
  if (scope.kind === 'technician')
    where.push(
      `${sk} = ANY(ARRAY(SELECT s.id::text FROM remote_sessions s WHERE s.technician_id = ${p(scope.userId)}::uuid))`,
    );
  if (filter.actor) where.push(`e.actor_id = ${p(filter.actor)}`);
  if (filter.sessionId) where.push(`${sk} = ${p(filter.sessionId)}`);
  if (filter.deviceId) {
    const d = p(filter.deviceId);
    // Session lines without a deviceId in their details (the end) are found through the session.
    where.push(
      `(${AUDIT_DEVICE_KEY_SQL('e')} = ${d} OR ${sk} = ANY(ARRAY(SELECT s.id::text FROM remote_sessions s WHERE s.device_id = ${d}::uuid)))`,
    );
  }
  if (filter.action?.endsWith('.'))
    where.push(
      `e.action COLLATE "C" >= ${p(filter.action)} AND e.action COLLATE "C" < ${p(prefixEnd(filter.action))}`,
    );
  else if (filter.action) where.push(`e.action COLLATE "C" = ${p(filter.action)}`);
  if (filter.from) where.push(`e.at >= ${p(filter.from)}::timestamptz`);
  if (filter.to) where.push(`e.at < ${p(filter.to)}::timestamptz`);
  if (filter.before)
    where.push(
      `(e.at, e.id) < (SELECT b.at, b.id FROM audit_events b WHERE b.id = ${p(filter.before)}::bigint)`,
    );
  const page = `SELECT ${COLUMNS('e')} FROM audit_events e
   ${where.length ? `WHERE ${where.join('\n     AND ')}` : ''}
   ORDER BY e.at DESC, e.id DESC
   LIMIT ${p(limit)}`;
  return { text: decorate(page, 'DESC'), params };
}

/**
 * A remote session's lines, oldest first. A device line that names the session (Quick Assist) is left
 * out when the same action was written on the session in the same transaction (same time): the
 * portal writes such actions twice, once on each.
 */
export function auditTimelineSql(sessionId: string, limit: number): Sql {
  const sk = AUDIT_SESSION_KEY_SQL('e');
  const page = `SELECT ${COLUMNS('e')} FROM audit_events e
   WHERE ${sk} = $1
     AND (e.target_type = 'remote_session' OR NOT EXISTS (
       SELECT 1 FROM audit_events t
        WHERE t.target_type = 'remote_session' AND t.target_id = $1 AND t.action = e.action AND t.at = e.at))
   ORDER BY e.at ASC, e.id ASC
   LIMIT $2`;
  return { text: decorate(page, 'ASC'), params: [sessionId, limit] };
}

/** Whether a cursor names a line (a forged or mistyped one is refused, not read as "no more"). */
export const AUDIT_CURSOR_EXISTS_SQL = `SELECT 1 FROM audit_events WHERE id = $1::bigint`;

/**
 * Every read of the audit trail's read side: a filtered page, a remote session's timeline, and whether
 * a cursor or a session exists. Each takes the caller's transaction as `m`, or runs on its own; who
 * may read which lines (the scope) and the paging are AuditLogService's.
 */
@Injectable()
export class AuditLogQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first, see {@link auditPageSql}. */
  page(filter: AuditFilter, scope: AuditScope, limit: number, m?: EntityManager): Promise<AuditEventRow[]> {
    return this.run(auditPageSql(filter, scope, limit), m);
  }

  /** A remote session's lines, oldest first, see {@link auditTimelineSql}. */
  timeline(sessionId: string, limit: number, m?: EntityManager): Promise<AuditEventRow[]> {
    return this.run(auditTimelineSql(sessionId, limit), m);
  }

  /** Whether a cursor names a line. */
  async cursorExists(id: string, m?: EntityManager): Promise<boolean> {
    return (await this.db(m).query<unknown[]>(AUDIT_CURSOR_EXISTS_SQL, [id])).length > 0;
  }

  /** Whether the remote session exists (its timeline may still be empty). */
  async remoteSessionExists(id: string, m?: EntityManager): Promise<boolean> {
    return (
      (await this.db(m).query<unknown[]>(`SELECT 1 FROM remote_sessions WHERE id = $1`, [id])).length > 0
    );
  }

  private run(sql: Sql, m?: EntityManager): Promise<AuditEventRow[]> {
    return this.db(m).query<AuditEventRow[]>(sql.text, sql.params);
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
