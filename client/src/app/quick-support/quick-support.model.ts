import { OsName } from '../shared/os';

/**
 * Quick-support as the portal returns it (src/quick-support/dto/support-session.dto.ts). Dates are
 * ISO-8601 strings. Every string that came from a customer or an agent (customer notes, hostname,
 * OS version) is untrusted: templates show it through interpolation only, never as HTML.
 */
export type SupportSessionStatus = 'waiting' | 'active' | 'ended';

export type EndReason = 'ended_by_technician' | 'expired' | 'agent_left' | 'device_removed';

export interface UserRef {
  id: string;
  displayName: string;
}

export interface SessionDevice {
  id: string;
  /** Reported by the agent (untrusted). */
  hostname: string;
  os: OsName;
  /** Reported by the agent (untrusted). */
  osVersion: string;
  arch: string;
  online: boolean;
}

export interface SupportNote {
  id: string;
  /** Written by the customer (untrusted). */
  body: string;
  createdAt: string;
}

export interface SupportSession {
  id: string;
  status: SupportSessionStatus;
  customerName: string | null;
  /** The owner's own note; never shown to the customer, null for other technicians. */
  note: string | null;
  /** `<PORTAL_ORIGIN>/support/connect/<token>`; null once the session has ended, and for other technicians. */
  url: string | null;
  createdAt: string;
  expiresAt: string;
  activatedAt: string | null;
  endedAt: string | null;
  endReason: EndReason | null;
  createdBy: UserRef | null;
  assignedTo: UserRef | null;
  device: SessionDevice | null;
  /** Customer notes, oldest first; empty for other technicians. */
  notes: SupportNote[];
  /**
   * The signed-in technician owns the session (its assignee, else its creator) or is an admin: only
   * then does the portal send the link and notes, and allow End, reassigning and connecting.
   */
  canManage: boolean;
}

export interface SupportSessionList {
  items: SupportSession[];
  total: number;
}

export interface QuickSupportKpis {
  waiting: number;
  active: number;
  /** Every ended session still kept (RETENTION_DAYS). */
  ended: number;
  endedLast24h: number;
}

export interface CreateSupportSessionRequest {
  customerName?: string;
  note?: string;
}

/** `open` = waiting or active. */
export type QueueFilter = 'open' | 'ended' | 'all';

/** A device as the event stream sends it (src/devices/dto/device.dto.ts). */
export interface DeviceEventData {
  id: string;
  kind: 'quick' | 'persistent';
  hostname: string;
  os: OsName;
  osVersion: string;
  arch: string;
  agentVersion: string;
  online: boolean;
  lastSeenAt: string | null;
  supportSessionId: string | null;
  createdAt: string;
}

/** What `GET /api/quick-support/events` (server-sent events) delivers, by event name. */
export type QuickSupportEvent =
  | { type: 'session.created'; data: SupportSession }
  | { type: 'session.updated'; data: SupportSession }
  | { type: 'note.added'; data: { sessionId: string; note: SupportNote } }
  | { type: 'device.registered'; data: DeviceEventData }
  | { type: 'device.updated'; data: DeviceEventData };

export const QUICK_SUPPORT_EVENT_TYPES: readonly QuickSupportEvent['type'][] = [
  'session.created',
  'session.updated',
  'note.added',
  'device.registered',
  'device.updated',
];

/** Limits enforced by the portal (CreateSupportSessionDto); the form mirrors them. */
export const SESSION_LIMITS = {
  customerNameMax: 100,
  noteMax: 1000,
} as const;

export const STATUS_LABELS: Readonly<Record<SupportSessionStatus, string>> = {
  waiting: 'Waiting',
  active: 'Active',
  ended: 'Ended',
};

export const END_REASON_LABELS: Readonly<Record<EndReason, string>> = {
  ended_by_technician: 'Ended by a technician',
  expired: 'Expired',
  agent_left: 'The support tool was closed',
  device_removed: 'The device was removed',
};

const STATUS_RANK: Readonly<Record<SupportSessionStatus, number>> = { waiting: 0, active: 1, ended: 2 };

/**
 * Combines two copies of one session that may have arrived out of order (a list response and a live
 * event). Status only moves forward (waiting → active → ended), so the further one wins; notes are
 * only ever added, so both copies' notes are kept. Access follows the incoming copy: a session handed
 * to another technician loses its link and notes here too.
 */
export function mergeSession(current: SupportSession | undefined, incoming: SupportSession): SupportSession {
  if (!current) return incoming;
  const newer = STATUS_RANK[incoming.status] >= STATUS_RANK[current.status] ? incoming : current;
  if (!incoming.canManage)
    return { ...newer, assignedTo: incoming.assignedTo, canManage: false, url: null, note: null, notes: [] };
  return { ...newer, canManage: true, notes: mergeNotes(current.notes, incoming.notes) };
}

/** "Assigned to Sam" for a session the signed-in technician does not own. */
export function assigneeLine(session: SupportSession): string {
  const owner = session.assignedTo ?? session.createdBy;
  return owner ? `Assigned to ${owner.displayName}` : 'Assigned to a removed account';
}

export function mergeNotes(a: readonly SupportNote[], b: readonly SupportNote[]): SupportNote[] {
  const byId = new Map<string, SupportNote>();
  for (const note of [...a, ...b]) byId.set(note.id, note);
  return [...byId.values()].sort((x, y) => x.createdAt.localeCompare(y.createdAt));
}

export function matchesFilter(session: SupportSession, filter: QueueFilter): boolean {
  switch (filter) {
    case 'open':
      return session.status !== 'ended';
    case 'ended':
      return session.status === 'ended';
    case 'all':
      return true;
  }
}
