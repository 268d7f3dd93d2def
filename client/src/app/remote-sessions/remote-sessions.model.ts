import { DeviceKind } from '../devices/device.model';
import { OsName } from '../shared/os';

/** Mirrors src/remote-sessions/entities/remote-session.entity.ts and its DTOs. */
export type RemoteSessionType = 'attended' | 'unattended';
export type RemoteProtocol = 'web' | 'vnc' | 'ssh' | 'rdp';
export type RemoteSessionStatus = 'pending' | 'active' | 'ended';
export type RemoteEndReason =
  | 'technician'
  | 'peer_left'
  | 'ttl_reached'
  | 'pair_timeout'
  | 'agent_gone'
  | 'quick_support_ended'
  | 'device_removed'
  | 'relay_closed'
  | 'channel_failed'
  | 'technician_revoked'
  | 'access_withdrawn';

export interface RemoteSession {
  id: string;
  deviceId: string;
  /** Reported by the agent (untrusted). */
  deviceName: string;
  deviceOs: OsName;
  kind: DeviceKind;
  /** Who started it; only they can connect. Null when the account was removed. */
  technicianId: string | null;
  /** The technician's display name; null when the account was removed. */
  technician: string | null;
  type: RemoteSessionType;
  protocol: RemoteProtocol;
  /** Written by the technician who started it. */
  reason: string | null;
  /** Only the flag is stored: recording capture is not available yet. */
  recordingEnabled: boolean;
  status: RemoteSessionStatus;
  /** Relay channels: `screen`, `shell`, … */
  channels: string[];
  startedAt: string;
  /** When the viewer and the agent first met on the relay. */
  connectedAt: string | null;
  endedAt: string | null;
  endReason: RemoteEndReason | null;
  /** Seconds from start to end (or to the response's time while running). */
  durationSec: number;
}

export interface RemoteSessionList {
  items: RemoteSession[];
}

/** One tech-side relay token per channel; each is usable once, within minutes. */
export interface RelayChannelToken {
  channel: string;
  token: string;
}

/** What the viewer needs to dial the relay: its URL, the tokens and when they expire. */
export interface RelayAccess {
  url: string;
  expiresAt: string;
  tokens: RelayChannelToken[];
}

export interface StartedRemoteSession {
  session: RemoteSession;
  relay: RelayAccess;
}

export interface StartRemoteSessionRequest {
  deviceId: string;
  type: RemoteSessionType;
  protocol: RemoteProtocol;
  reason?: string;
  recordingEnabled: boolean;
}

/** `active` = pending or connected; `recent` = ended in the past 24 hours. */
export type SessionFilter = 'active' | 'recent';

export type RemoteSessionEvent =
  | { type: 'remote_session.created'; data: RemoteSession }
  | { type: 'remote_session.updated'; data: RemoteSession };

export const REMOTE_SESSION_EVENT_TYPES: readonly RemoteSessionEvent['type'][] = [
  'remote_session.created',
  'remote_session.updated',
];

/** Limits enforced by the portal (CreateRemoteSessionDto); the form mirrors them. */
export const REMOTE_SESSION_LIMITS = {
  reasonMax: 200,
} as const;

export const RECENT_WINDOW_MS = 24 * 3600 * 1000;

export const STATUS_LABELS: Readonly<Record<RemoteSessionStatus, string>> = {
  pending: 'Connecting',
  active: 'Active',
  ended: 'Ended',
};

export const TYPE_LABELS: Readonly<Record<RemoteSessionType, string>> = {
  attended: 'Attended',
  unattended: 'Unattended',
};

export const PROTOCOL_LABELS: Readonly<Record<RemoteProtocol, string>> = {
  web: 'Web',
  rdp: 'RDP',
  vnc: 'VNC',
  ssh: 'SSH',
};

/** The order the launcher offers protocols in. */
export const PROTOCOLS: readonly RemoteProtocol[] = ['web', 'rdp', 'vnc', 'ssh'];

/** The short caption on each protocol's button. */
export const PROTOCOL_CAPTIONS: Readonly<Record<RemoteProtocol, string>> = {
  web: 'Screen + shell',
  rdp: 'not available yet',
  vnc: 'Screen',
  ssh: 'Shell',
};

/** What the chosen protocol gives the technician, under the buttons. */
export const PROTOCOL_HINTS: Readonly<Record<RemoteProtocol, string>> = {
  web: 'The viewer opens with the device’s screen and a shell (screen only on Windows), plus commands.',
  rdp: 'RDP is not available yet.',
  vnc: 'The device’s screen through its VNC server, plus commands.',
  ssh: 'A shell on the device, plus commands. No screen.',
};

/** Why a session ended, in words. */
export const END_REASON_LABELS: Readonly<Record<RemoteEndReason, string>> = {
  technician: 'Ended by the technician',
  peer_left: 'The other side disconnected',
  ttl_reached: 'Reached its maximum duration',
  pair_timeout: 'The viewer or the device did not connect in time',
  agent_gone: 'The support tool on the device stopped',
  quick_support_ended: 'The quick-support session ended',
  device_removed: 'The device was removed',
  relay_closed: 'Closed by the relay',
  channel_failed: 'The device could not open the connection',
  technician_revoked: 'The technician signed out or lost access',
  access_withdrawn: 'The technician no longer has access to this device',
};

export function endReasonText(session: Pick<RemoteSession, 'endReason'>): string {
  return session.endReason ? (END_REASON_LABELS[session.endReason] ?? 'Ended') : 'Ended';
}

/**
 * Why a protocol cannot be chosen for a device, or null when it can. Mirrors the portal's
 * `channelsFor` (src/remote-sessions/remote-sessions.service.ts), which has the last word.
 */
export function protocolUnavailable(protocol: RemoteProtocol, os: OsName | null): string | null {
  if (protocol === 'rdp') return 'RDP is not available yet.';
  if (protocol === 'ssh' && os === 'windows') return 'A shell is available on Linux and macOS devices only.';
  return null;
}

const STATUS_RANK: Readonly<Record<RemoteSessionStatus, number>> = { pending: 0, active: 1, ended: 2 };

/**
 * Combines two copies of one session that may have arrived out of order (a list response and a live
 * event): status only moves forward (pending → active → ended), so the further one wins.
 */
export function mergeSession(current: RemoteSession | undefined, incoming: RemoteSession): RemoteSession {
  if (!current) return incoming;
  return STATUS_RANK[incoming.status] >= STATUS_RANK[current.status] ? incoming : current;
}

export function matchesFilter(session: RemoteSession, filter: SessionFilter, now = Date.now()): boolean {
  switch (filter) {
    case 'active':
      return session.status !== 'ended';
    case 'recent':
      return (
        session.status === 'ended' &&
        session.endedAt !== null &&
        Date.parse(session.endedAt) > now - RECENT_WINDOW_MS
      );
  }
}

/** Newest first: by start time for active sessions, by end time for recent ones. */
export function compareSessions(filter: SessionFilter): (a: RemoteSession, b: RemoteSession) => number {
  const key = (s: RemoteSession): string => (filter === 'recent' ? (s.endedAt ?? s.startedAt) : s.startedAt);
  return (a, b) => key(b).localeCompare(key(a)) || b.id.localeCompare(a.id);
}

/** Seconds a session has run: to its end, or to `now` while it runs. */
export function sessionDurationSec(session: RemoteSession, now: number): number {
  if (session.status === 'ended' || session.endedAt) return session.durationSec;
  const started = Date.parse(session.startedAt);
  return Number.isNaN(started) ? session.durationSec : Math.max(0, Math.round((now - started) / 1000));
}

/** "45 s", "12 min", "1 h 05 min". */
export function formatDuration(totalSec: number): string {
  const sec = Math.max(0, Math.round(totalSec));
  if (sec < 60) return `${sec} s`;
  const minutes = Math.floor(sec / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}
