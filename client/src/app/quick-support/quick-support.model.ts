import type {
  SupportNoteView,
  SupportSessionEndReason,
  SupportSessionStatus,
  SupportSessionView,
} from '../../../../contracts/api/quick-support';
import type { StatusPill } from '../shared/status-pill.component';

/**
 * Quick-support as the portal returns it: the portal's own shapes (contracts/api/quick-support.ts),
 * under the dashboard's names. Every string that came from a customer or an agent (customer notes,
 * hostname, OS version) is untrusted: templates show it through interpolation only, never as HTML.
 */
export {
  QUICK_SUPPORT_EVENT_TYPES,
  /** Limits enforced by the portal (CreateSupportSessionDto); the form checks them too. */
  SUPPORT_SESSION_LIMITS as SESSION_LIMITS,
  type CreateSupportSessionRequest,
  type QuickSupportKpisView as QuickSupportKpis,
  type QuickSupportStreamEvent as QuickSupportEvent,
  type SessionDeviceView as SessionDevice,
  type SupportNoteView as SupportNote,
  type SupportSessionEndReason as EndReason,
  type SupportSessionListView as SupportSessionList,
  type SupportSessionStatus,
  type SupportSessionView as SupportSession,
  type UserRefView as UserRef,
} from '../../../../contracts/api/quick-support';
export type { DeviceView as DeviceEventData } from '../../../../contracts/api/devices';

/** `open` = waiting or active. */
export type QueueFilter = 'open' | 'ended' | 'all';

/** Waiting / Active / Ended as a pill. */
export const STATUS_PILLS: Readonly<Record<SupportSessionStatus, StatusPill>> = {
  waiting: { label: 'Waiting', tone: 'pending' },
  active: { label: 'Active', tone: 'success' },
  ended: { label: 'Ended', tone: 'neutral' },
};

export const END_REASON_LABELS: Readonly<Record<SupportSessionEndReason, string>> = {
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
export function mergeSession(
  current: SupportSessionView | undefined,
  incoming: SupportSessionView,
): SupportSessionView {
  if (!current) return incoming;
  const newer = STATUS_RANK[incoming.status] >= STATUS_RANK[current.status] ? incoming : current;
  if (!incoming.canManage)
    return { ...newer, assignedTo: incoming.assignedTo, canManage: false, url: null, note: null, notes: [] };
  return { ...newer, canManage: true, notes: mergeNotes(current.notes, incoming.notes) };
}

/** "Assigned to Sam" for a session the signed-in technician does not own. */
export function assigneeLine(session: SupportSessionView): string {
  const owner = session.assignedTo ?? session.createdBy;
  return owner ? `Assigned to ${owner.displayName}` : 'Assigned to a removed account';
}

export function mergeNotes(a: readonly SupportNoteView[], b: readonly SupportNoteView[]): SupportNoteView[] {
  const byId = new Map<string, SupportNoteView>();
  for (const note of [...a, ...b]) byId.set(note.id, note);
  return [...byId.values()].sort((x, y) => x.createdAt.localeCompare(y.createdAt));
}

export function matchesFilter(session: SupportSessionView, filter: QueueFilter): boolean {
  switch (filter) {
    case 'open':
      return session.status !== 'ended';
    case 'ended':
      return session.status === 'ended';
    case 'all':
      return true;
  }
}
