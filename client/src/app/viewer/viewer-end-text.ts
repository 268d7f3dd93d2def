/*
 * Why the viewer's session ended, told to the technician watching it: who or what ended it, in the
 * words of the person at the viewer. Plain TypeScript without Angular, so a unit test can import it.
 */
import type { RemoteSessionEndReason, RemoteSessionView } from '../../../../contracts/api/remote-sessions';
import { describeCloseCode, RelayCloseCode } from '../../../../contracts/relay-close-codes';

const ENDED_BY: Readonly<Record<RemoteSessionEndReason, string>> = {
  technician: 'The session was ended from the dashboard',
  peer_left: 'The device disconnected from the session',
  ttl_reached: 'The session reached its maximum duration',
  pair_timeout: 'The device did not connect in time',
  agent_gone: 'The support tool on the customer’s device stopped',
  quick_support_ended: 'The quick-support session was ended',
  device_removed: 'The device was removed',
  relay_closed: 'The relay closed the session',
  channel_failed: 'The device could not open the connection',
  technician_revoked: 'You were signed out or lost access',
  access_withdrawn: 'The session was handed to another technician',
  ended_on_device: 'The customer ended the session',
  // The relay's words for close code 4016 (contracts/relay-close-codes.ts), without the full stop.
  recording_failed: describeCloseCode(RelayCloseCode.RecordingFailed).message.replace(/\.$/, ''),
};

/**
 * "The customer ended the session", …; `endedHere`: this viewer's own End session. Empty while the
 * session runs.
 */
export function viewerEndText(
  session: Pick<RemoteSessionView, 'status' | 'endReason'> | null,
  endedHere = false,
): string {
  if (!session || session.status !== 'ended') return '';
  if (endedHere && session.endReason === 'technician') return 'You ended the session';
  return session.endReason ? (ENDED_BY[session.endReason] ?? 'The session ended') : 'The session ended';
}
