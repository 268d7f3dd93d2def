import { DomainError, ErrorCode } from '../common/domain-error';
import { deviceErrors } from '../devices/devices.errors';

export const remoteSessionErrors = {
  notFound: () => new DomainError(ErrorCode.NotFound, 'There is no such remote session.'),
  commandNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such command in this session.'),
  deviceOffline: () => deviceErrors.offline('. Ask the customer to start it again.'),
  rdpUnavailable: () =>
    new DomainError(
      ErrorCode.ProtocolUnavailable,
      'RDP is not available yet. Use Web (screen and shell), VNC (screen) or SSH (shell).',
    ),
  shellUnsupported: () =>
    new DomainError(
      ErrorCode.ProtocolUnavailable,
      'A shell is available on Linux and macOS devices only. Use VNC or Web for the screen, and the Commands tab.',
    ),
  killSwitch: () =>
    new DomainError(
      ErrorCode.KillSwitchOn,
      'The person at the device has turned remote control off, so nothing can be opened there.',
    ),
  ended: () => new DomainError(ErrorCode.Gone, 'This remote session has ended. Start a new one.'),
  agentRefused: (message: string) =>
    new DomainError(ErrorCode.AgentRefused, `The device refused: ${message}`),
};
