import { Injectable } from '@nestjs/common';
import { AUDIT_LIMITS } from '../../contracts/api/audit';
import { readsWholeAuditTrail } from '../access/access-rules';
import type { AuthUser } from '../common/auth-user';
import type {
  AuditEventPageDto,
  ExportAuditEventsQueryDto,
  ListAuditEventsQueryDto,
  RemoteSessionTimelineDto,
} from './dto/audit-event.dto';
import { AUDIT_CSV_HEADER, auditCsvRecord } from './audit-csv';
import { toAuditEventDto } from './audit-event.mapper';
import { auditLogErrors as errors } from './audit-log.errors';
import { type AuditFilter, AuditLogQueries, type AuditScope } from './audit-log.queries';

/** Lines fetched per query while exporting. */
export const CSV_PAGE_SIZE = 1000;
/**
 * An export stops (the download fails visibly, it is never cut short silently) beyond this many lines;
 * narrow the filters instead.
 */
export const CSV_MAX_LINES = 2_000_000;

/** What a reader may see: admins the whole trail, a technician the lines of their own sessions. */
export function auditScope(user: AuthUser): AuditScope {
  return readsWholeAuditTrail(user) ? { kind: 'all' } : { kind: 'technician', userId: user.id };
}

function time(value: string | undefined, name: 'from' | 'to'): Date | undefined {
  if (value === undefined) return undefined;
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  // `Date` rolls 2026-02-31 over to March and 24:00 to the next day: refused, not moved.
  const realDay = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
  const date = new Date(value);
  if (!realDay || Number.isNaN(date.getTime()) || value.includes('T24')) throw errors.badTime(name);
  return date;
}

/**
 * Reading the audit trail: a filtered page (keyset by time then id), a remote session's timeline, and
 * a CSV export streamed page by page (never the whole result in memory).
 */
@Injectable()
export class AuditLogService {
  constructor(private readonly queries: AuditLogQueries) {}

  async page(user: AuthUser, q: ListAuditEventsQueryDto): Promise<AuditEventPageDto> {
    const filter = await this.filter(q);
    const limit = q.limit ?? AUDIT_LIMITS.pageDefault;
    const rows = await this.queries.page(filter, auditScope(user), limit + 1);
    const items = rows.slice(0, limit).map(toAuditEventDto);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async timeline(sessionId: string): Promise<RemoteSessionTimelineDto> {
    if (!(await this.queries.remoteSessionExists(sessionId))) throw errors.sessionNotFound();
    const rows = await this.queries.timeline(sessionId, AUDIT_LIMITS.timelineMax + 1);
    return {
      sessionId,
      items: rows.slice(0, AUDIT_LIMITS.timelineMax).map(toAuditEventDto),
      truncated: rows.length > AUDIT_LIMITS.timelineMax,
    };
  }

  /**
   * The export as CSV text, one chunk per page of {@link CSV_PAGE_SIZE} lines, newest first. The first
   * chunk (header and first page) is read before anything is sent, so a bad filter or a database
   * failure is still an ordinary error answer; a later failure aborts the download.
   */
  async csv(user: AuthUser, q: ExportAuditEventsQueryDto): Promise<AsyncGenerator<string>> {
    const filter = await this.filter(q);
    const scope = auditScope(user);
    const first = await this.queries.page(filter, scope, CSV_PAGE_SIZE);
    const queries = this.queries;
    return (async function* chunks(): AsyncGenerator<string> {
      let rows = first;
      yield AUDIT_CSV_HEADER + rows.map((r) => auditCsvRecord(toAuditEventDto(r))).join('');
      for (let sent = rows.length; rows.length === CSV_PAGE_SIZE; sent += rows.length) {
        if (sent >= CSV_MAX_LINES)
          throw new Error(`audit export stopped at ${CSV_MAX_LINES} lines: narrow the filters`);
        rows = await queries.page({ ...filter, before: rows[rows.length - 1].id }, scope, CSV_PAGE_SIZE);
        yield rows.map((r) => auditCsvRecord(toAuditEventDto(r))).join('');
      }
    })();
  }

  private async filter(q: ExportAuditEventsQueryDto & { before?: string }): Promise<AuditFilter> {
    const from = time(q.from, 'from');
    const to = time(q.to, 'to');
    if (from && to && from > to) throw errors.fromAfterTo();
    if (q.before && !(await this.queries.cursorExists(q.before))) throw errors.unknownCursor();
    return {
      actor: q.actor,
      deviceId: q.deviceId,
      sessionId: q.sessionId,
      action: q.action,
      from,
      to,
      before: q.before,
    };
  }
}
