/**
 * Quick-support sessions, as `/api/quick-support` and its live event stream speak them. Every string
 * that came from a customer or an agent (customer notes, host name, OS version) is untrusted: render
 * it as text only. Dates are ISO-8601 strings.
 */
import type { ChatMessageEventData } from './chat';
import type { DeviceOs, DeviceView } from './devices';

/** `waiting` until a device registers with the session's link, then `active`, then `ended`. */
export const SUPPORT_SESSION_STATUSES = ['waiting', 'active', 'ended'] as const;
export type SupportSessionStatus = (typeof SUPPORT_SESSION_STATUSES)[number];

/** Why a quick-support session ended. */
export const SUPPORT_SESSION_END_REASONS = [
  'ended_by_technician',
  'expired',
  'agent_left',
  'device_removed',
] as const;
export type SupportSessionEndReason = (typeof SUPPORT_SESSION_END_REASONS)[number];

/** The list's `status` filter: a status, or `open` = waiting or active. */
export const SUPPORT_SESSION_STATUS_FILTERS = [...SUPPORT_SESSION_STATUSES, 'open'] as const;
export type SupportSessionStatusFilter = (typeof SUPPORT_SESSION_STATUS_FILTERS)[number];

/** Bounds on the technician's form (`CreateSupportSessionDto`). */
export const SUPPORT_SESSION_LIMITS = {
  customerNameMax: 100,
  noteMax: 1000,
} as const;

/** A technician, by id and display name. */
export interface UserRefView {
  id: string;
  displayName: string;
}

/** The session's device, in short. */
export interface SessionDeviceView {
  id: string;
  /** Reported by the agent (untrusted). */
  hostname: string;
  os: DeviceOs;
  /** Reported by the agent (untrusted). */
  osVersion: string;
  arch: string;
  online: boolean;
}

/** A note from the customer's connect page. */
export interface SupportNoteView {
  id: string;
  /** Written by the customer (untrusted). */
  body: string;
  createdAt: string;
}

/** A session as one technician may see it (`SupportSessionDto`). */
export interface SupportSessionView {
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
  endReason: SupportSessionEndReason | null;
  createdBy: UserRefView | null;
  assignedTo: UserRefView | null;
  device: SessionDeviceView | null;
  /** Customer notes, oldest first; empty for other technicians. */
  notes: SupportNoteView[];
  /**
   * The signed-in technician owns the session (its assignee, else its creator) or is an admin: only
   * then does the portal send the link and notes, and allow End, reassigning and connecting.
   */
  canManage: boolean;
}

/** Bounds on the list's query (`ListSupportSessionsQueryDto`). */
export const SUPPORT_SESSION_LIST_LIMITS = {
  limitMax: 100,
  offsetMax: 1_000_000,
} as const;

/** `GET /api/quick-support/sessions` query: newest first, one page at a time. */
export interface ListSupportSessionsQuery {
  status?: SupportSessionStatusFilter;
  limit?: number;
  offset?: number;
}

export interface SupportSessionListView {
  items: SupportSessionView[];
  total: number;
}

export interface QuickSupportKpisView {
  waiting: number;
  active: number;
  /** Every ended session still kept (RETENTION_DAYS). */
  ended: number;
  endedLast24h: number;
}

/** `POST /api/quick-support/sessions`. */
export interface CreateSupportSessionRequest {
  customerName?: string;
  note?: string;
}

/** What `GET /api/quick-support/events` (server-sent events) delivers, by event name. */
export type QuickSupportStreamEvent =
  | { type: 'session.created'; data: SupportSessionView }
  | { type: 'session.updated'; data: SupportSessionView }
  | { type: 'note.added'; data: { sessionId: string; note: SupportNoteView } }
  /** A chat message either side wrote (contracts/api/chat.ts); owners and admins only. */
  | { type: 'chat.message'; data: ChatMessageEventData }
  | { type: 'device.registered'; data: DeviceView }
  | { type: 'device.updated'; data: DeviceView };

export const QUICK_SUPPORT_EVENT_TYPES = [
  'session.created',
  'session.updated',
  'note.added',
  'chat.message',
  'device.registered',
  'device.updated',
] as const satisfies readonly QuickSupportStreamEvent['type'][];

/**
 * `GET /support/connect/:token/status`: what the customer's connect page may know (no ids, no notes,
 * no customer data).
 */
export interface ConnectStatusView {
  status: 'waiting' | 'active';
  /** The status in the customer's words. */
  statusText: string;
  /** The assigned technician's display name. */
  technician: string | null;
  /** Host name of the connected computer, as its agent reported it. */
  device: string | null;
}
