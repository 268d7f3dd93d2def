import { CHANNEL_KINDS } from '../../contracts/agent-protocol/enums';
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
  recordingOff: () =>
    new DomainError(
      ErrorCode.RecordingOff,
      'Session recording is switched off on this portal (RECORDING_POLICY=off). Start the session without recording.',
    ),
  ended: () => new DomainError(ErrorCode.Gone, 'This remote session has ended. Start a new one.'),
  /** `:channel` that is none of the protocol's channel kinds. */
  unknownChannelKind: () =>
    new DomainError(ErrorCode.ValidationFailed, `channel must be one of ${CHANNEL_KINDS.join(', ')}`),
  channelNotInSession: () => new DomainError(ErrorCode.NotFound, 'This session has no such channel.'),
  channelNotAskable: () =>
    new DomainError(
      ErrorCode.ChannelNotAskable,
      'The person at the device is being asked, or already allowed this: there is nothing to ask again.',
    ),
  askAgainTooSoon: (retryAfterSec: number) =>
    new DomainError(
      ErrorCode.AskAgainTooSoon,
      `Please wait ${retryAfterSec} s before asking the person at the device again.`,
      { 'Retry-After': String(retryAfterSec) },
    ),
  askAgainLimit: (max: number) =>
    new DomainError(
      ErrorCode.AskAgainLimit,
      `The person at the device was asked ${max} times for this in this session; they can be asked again in a new session.`,
    ),
  monitorUnavailable: (count: number) =>
    new DomainError(
      ErrorCode.MonitorUnavailable,
      count > 1
        ? `The device has ${count} monitors (numbered from 0), and its screen must be open to switch between them.`
        : 'The device did not report several monitors for this screen, so there is none to choose.',
    ),
  consentRequired: () =>
    new DomainError(
      ErrorCode.ConsentRequired,
      'This device asks the person at it before anything opens, so it cannot take an unattended session. Start an attended session, or have an administrator set its consent policy to silent (on the device too).',
    ),
  consentDenied: (sentence: string) => new DomainError(ErrorCode.ConsentDenied, sentence),
  plainShellOutdated: (version: string) =>
    new DomainError(
      ErrorCode.AgentOutdated,
      `The agent on this device speaks protocol ${version}, too old to start a plain shell (1.3 or later). Ask the customer to download the agent again, or fix the device's login profile.`,
    ),
  filesUnavailable: (protocol: string) =>
    new DomainError(
      ErrorCode.ProtocolUnavailable,
      `File transfer comes with Web and SSH sessions; this is a ${protocol.toUpperCase()} session. Start a Web or SSH session to open Files.`,
    ),
  filesOutdated: (version: string) =>
    new DomainError(
      ErrorCode.FilesOutdated,
      `The agent on this device speaks protocol ${version}, too old for file transfer (1.4 or later). Ask the customer to download the agent again.`,
    ),
  recordingFailed: () =>
    new DomainError(
      ErrorCode.RecordingFailed,
      'This session must be recorded and its recording cannot be written right now, so the command was not sent.',
    ),
  agentRefused: (message: string) =>
    new DomainError(ErrorCode.AgentRefused, `The device refused: ${message}`),
};
