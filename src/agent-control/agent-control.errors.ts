import type { ProtocolErrorCode } from '../../contracts/agent-protocol/enums';
import { DomainError, ErrorCode } from '../common/domain-error';

/** How each refusal an agent can answer with reaches an API caller. */
const STATUS_FOR: Record<ProtocolErrorCode, ErrorCode> = {
  bad_message: ErrorCode.Unavailable,
  unsupported_version: ErrorCode.ProtocolMismatch,
  unsupported: ErrorCode.Unsupported,
  kill_switch: ErrorCode.Forbidden,
  consent_denied: ErrorCode.Forbidden,
  not_found: ErrorCode.NotFound,
  duplicate: ErrorCode.Conflict,
  limit_reached: ErrorCode.Conflict,
  channel_failed: ErrorCode.Unavailable,
  unauthorized: ErrorCode.Forbidden,
  internal: ErrorCode.Unavailable,
  no_interactive_session: ErrorCode.NoInteractiveSession,
  not_allowed: ErrorCode.NotAllowed,
};

/**
 * An agent refused or could not answer a request. `agentCode` is the protocol's error code (the
 * dashboard explains e.g. `kill_switch` in words); `message` is the agent's sentence, which came from
 * the device: show it as text only.
 */
export class AgentControlError extends DomainError {
  constructor(
    readonly agentCode: ProtocolErrorCode | 'offline' | 'timeout',
    message: string,
  ) {
    super(
      agentCode === 'offline' || agentCode === 'timeout' ? ErrorCode.Unavailable : STATUS_FOR[agentCode],
      message,
    );
    this.name = 'AgentControlError';
  }
}

export const agentControlErrors = {
  offline: () => new AgentControlError('offline', 'The device’s agent is not connected.'),
  wentAway: () => new AgentControlError('offline', 'The device’s agent disconnected before it answered.'),
  timedOut: () => new AgentControlError('timeout', 'The device’s agent did not answer in time.'),
};
