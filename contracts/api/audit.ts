import type { FileActivityAction } from '../agent-protocol/control-messages';

/**
 * The audit trail as `/api/audit-events`, `/api/audit-events.csv` and
 * `/api/remote-sessions/:id/timeline` speak it. Administrators read every line; a technician reads the
 * lines of their own remote sessions. Everything in a line but its id and time came from somewhere the
 * portal does not control (device names, command lines, `details`): render it as text only.
 * Dates are ISO-8601 strings.
 */

/** Who did it: a technician (`user`), a device's agent, the customer, the relay or the portal itself. */
export const AUDIT_ACTOR_TYPES = ['user', 'agent', 'customer', 'relay', 'system'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/** Bounds on the list and its filters. */
export const AUDIT_LIMITS = {
  /** Lines per page when `limit` is left out. */
  pageDefault: 50,
  pageMax: 200,
  /** An action filter: an exact action (`remote_session.ended`) or a prefix ending in `.`. */
  actionMax: 64,
  /** Lines a timeline returns at most (`truncated` says when there were more). */
  timelineMax: 1000,
} as const;

/** Actions are lowercase words joined by `.` and `_` (`remote_session.command_run`). */
export const AUDIT_ACTION_PATTERN = /^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$/;

/** `GET /api/audit-events` query; every filter is optional and they combine with AND. */
export interface ListAuditEventsQuery {
  /** The user who acted. */
  actor?: string;
  /** Lines about this device, or about a remote session on it. */
  deviceId?: string;
  /** Lines about this remote session (its own, and device lines that name it). */
  sessionId?: string;
  /** An exact action, or a prefix ending in `.` (`remote_session.`). */
  action?: string;
  /** From this time (inclusive). */
  from?: string;
  /** Until this time (exclusive). */
  to?: string;
  /** The `nextCursor` of the previous page. Opaque: pass it back as it came. */
  before?: string;
  /** Lines per page, 1–200 (default 50). */
  limit?: number;
}

/** `GET /api/audit-events.csv` query: the list's filters, newest first, every matching line. */
export type ExportAuditEventsQuery = Omit<ListAuditEventsQuery, 'before' | 'limit'>;

export interface AuditActorView {
  type: AuditActorType;
  /** A user's or a device's id; null for the customer, the relay and the portal. */
  id: string | null;
  /** A user's display name; null for other actors and for removed users. */
  displayName: string | null;
}

export interface AuditTargetView {
  /** `remote_session`, `support_session`, `device`, `user`, `installer_token`, … */
  type: string;
  id: string | null;
}

/** One line of the trail (`AuditEventDto`). */
export interface AuditEventView {
  id: string;
  at: string;
  actor: AuditActorView;
  action: string;
  target: AuditTargetView | null;
  /** The device the line is about (directly, or through its remote session). */
  deviceId: string | null;
  /** Reported by the agent (untrusted); null when unknown. */
  deviceName: string | null;
  /** The remote session the line is about. */
  sessionId: string | null;
  /** As written (untrusted: render as text only). */
  details: Record<string, unknown>;
}

/** Newest first (by time, then id). */
export interface AuditEventPageView {
  items: AuditEventView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** `GET /api/remote-sessions/:id/timeline`: the session's lines, oldest first. */
export interface RemoteSessionTimelineView {
  sessionId: string;
  items: AuditEventView[];
  /** More than `AUDIT_LIMITS.timelineMax` lines: the rest are on the audit page, filtered by session. */
  truncated: boolean;
}

/**
 * Lines about a session's files channel (protocol 1.4). The technician opening it is
 * `remote_session.files_opened`; each operation the device reports (`file_activity`) is
 * `remote_session.file_<action>`, written by the agent, with `details`: `path`, `to` (rename), `bytes`,
 * `sha256`, `zip` (a folder sent as a zip), `result` (`ok`, `failed`, `cancelled`), `error` (the files
 * channel's error code), `deviceId` and `technicianId` (the session's technician).
 */
export const FILE_AUDIT_ACTIONS = {
  opened: 'remote_session.files_opened',
  download: 'remote_session.file_download',
  upload: 'remote_session.file_upload',
  mkdir: 'remote_session.file_mkdir',
  rename: 'remote_session.file_rename',
  delete: 'remote_session.file_delete',
} as const satisfies { opened: string } & Record<FileActivityAction, string>;

/** The audit action of one `file_activity` report. */
export function fileAuditAction(action: FileActivityAction): string {
  return FILE_AUDIT_ACTIONS[action];
}
