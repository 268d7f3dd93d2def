import type {
  RemoteProtocol,
  RemoteSessionEndReason,
  RemoteSessionFilter,
  RemoteSessionStatus,
  RemoteSessionType,
  RemoteSessionView,
} from '../../../../contracts/api/remote-sessions';
import { describeCloseCode, RelayCloseCode } from '../../../../contracts/relay-close-codes';
import { OsName } from '../shared/os';
import type { StatusPill } from '../shared/status-pill.component';

/**
 * Remote sessions as the portal returns them: the portal's own shapes
 * (contracts/api/remote-sessions.ts), under the dashboard's names.
 */
export {
  REMOTE_SESSION_EVENT_TYPES,
  /** Limits enforced by the portal (CreateRemoteSessionDto); the form checks them too. */
  REMOTE_SESSION_LIMITS,
  type RelayAccessView as RelayAccess,
  type RelayChannelTokenView as RelayChannelToken,
  type RemoteChannelStateView as RemoteChannelState,
  type RemoteProtocol,
  type RemoteSessionEndReason as RemoteEndReason,
  type RemoteSessionFilter as SessionFilter,
  type RemoteSessionListView as RemoteSessionList,
  type RemoteSessionStatus,
  type RemoteSessionStreamEvent as RemoteSessionEvent,
  type RemoteSessionType,
  type RemoteSessionView as RemoteSession,
  type StartedRemoteSessionView as StartedRemoteSession,
  type StartRemoteSessionRequest,
} from '../../../../contracts/api/remote-sessions';

export const RECENT_WINDOW_MS = 24 * 3600 * 1000;

/** Connecting / Active / Ended as a pill. */
export const STATUS_PILLS: Readonly<Record<RemoteSessionStatus, StatusPill>> = {
  pending: { label: 'Connecting', tone: 'pending' },
  active: { label: 'Active', tone: 'success' },
  ended: { label: 'Ended', tone: 'neutral' },
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
export const END_REASON_LABELS: Readonly<Record<RemoteSessionEndReason, string>> = {
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
  ended_on_device: 'Ended by the person at the device',
  // The relay's words for close code 4016 (contracts/relay-close-codes.ts), as the viewer's header says them.
  recording_failed: describeCloseCode(RelayCloseCode.RecordingFailed).message.replace(/\.$/, ''),
};

export function endReasonText(session: Pick<RemoteSessionView, 'endReason'>): string {
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
export function mergeSession(
  current: RemoteSessionView | undefined,
  incoming: RemoteSessionView,
): RemoteSessionView {
  if (!current) return incoming;
  return STATUS_RANK[incoming.status] >= STATUS_RANK[current.status] ? incoming : current;
}

export function matchesFilter(
  session: RemoteSessionView,
  filter: RemoteSessionFilter,
  now = Date.now(),
): boolean {
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
export function compareSessions(
  filter: RemoteSessionFilter,
): (a: RemoteSessionView, b: RemoteSessionView) => number {
  const key = (s: RemoteSessionView): string =>
    filter === 'recent' ? (s.endedAt ?? s.startedAt) : s.startedAt;
  return (a, b) => key(b).localeCompare(key(a)) || b.id.localeCompare(a.id);
}

/** Seconds a session has run: to its end, or to `now` while it runs. */
export function sessionDurationSec(session: RemoteSessionView, now: number): number {
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
