/*
 * Whether a quick-support session's device can be connected to now, and why not, in words. Plain
 * TypeScript without Angular, so a unit test can import it.
 */
import type { SupportSessionView } from '../../../../contracts/api/quick-support';

/** Why Connect is disabled for this session, or null when one click can start a session. */
export function connectBlocker(
  session: Pick<SupportSessionView, 'status' | 'device' | 'canManage'>,
): string | null {
  if (session.status === 'ended') return 'The session has ended.';
  if (!session.canManage) return 'Only the session’s technician or an administrator can connect.';
  if (!session.device) return 'No device is connected yet: the customer has not run the support tool.';
  if (!session.device.online) return 'The device is offline: its support tool is not connected.';
  return null;
}
