import { PROTOCOL_VERSION } from '../../contracts/agent-protocol/version';
import { DomainError, ErrorCode } from '../common/domain-error';

export const agentRegistrationErrors = {
  invalidRequest: (problem: string) => new DomainError(ErrorCode.ValidationFailed, problem),
  protocolMismatch: (agentVersion: string) =>
    new DomainError(
      ErrorCode.ProtocolMismatch,
      `This support tool speaks protocol ${agentVersion}; the portal speaks ${PROTOCOL_VERSION}. Download the support tool again.`,
    ),
};
