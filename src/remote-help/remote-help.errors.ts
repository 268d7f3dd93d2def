import { AgentControlError } from '../agent-control/agent-control.errors';
import { DomainError, ErrorCode } from '../common/domain-error';
import { deviceErrors } from '../devices/devices.errors';

export const remoteHelpErrors = {
  deviceOffline: () => deviceErrors.offline(', so Quick Assist cannot be prepared there.'),
  agentOutdated: (version: string) =>
    new DomainError(
      ErrorCode.AgentOutdated,
      `The agent on this device speaks protocol ${version}, which predates Quick Assist support. A fresh support download (or reinstalling the persistent agent) brings it up to date.`,
    ),
};

/**
 * An agent's answer to a remote-help request, as the technician's API error. The agent's sentence is
 * kept where it says something only the device knows (who switched remote control off and how it comes
 * back; why there is no desktop); it passed the protocol's display-text check and is shown as text.
 */
export function remoteHelpError(err: unknown): unknown {
  if (!(err instanceof AgentControlError)) return err;
  switch (err.agentCode) {
    case 'offline':
      return remoteHelpErrors.deviceOffline();
    case 'timeout':
      return new DomainError(
        ErrorCode.Unavailable,
        'The device did not answer in time. Windows may be busy; try again in a moment.',
      );
    case 'unsupported':
      return new DomainError(ErrorCode.UnsupportedOs, err.message);
    case 'kill_switch':
      return new DomainError(ErrorCode.KillSwitchOn, err.message);
    case 'consent_denied':
      return new DomainError(
        ErrorCode.Forbidden,
        `The person at the device did not allow this. ${err.message}`,
      );
    case 'no_interactive_session':
      return new DomainError(ErrorCode.NoInteractiveSession, err.message);
    case 'not_allowed':
      return new DomainError(ErrorCode.NotAllowed, `The device refused: ${err.message}`);
    case 'not_found':
      return new DomainError(ErrorCode.QuickAssistNotInstalled, err.message);
    case 'bad_message':
    case 'unsupported_version':
      return new DomainError(
        ErrorCode.AgentOutdated,
        'The agent on this device did not understand the request; it may need updating.',
      );
    case 'duplicate':
    case 'limit_reached':
    case 'channel_failed':
    case 'unauthorized':
    case 'internal':
      return new DomainError(ErrorCode.AgentRefused, `The device could not do it: ${err.message}`);
  }
}
