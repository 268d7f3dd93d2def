import { DomainError, ErrorCode } from '../common/domain-error';

export const relayLinkErrors = {
  unreachable: (cause: string) =>
    new DomainError(ErrorCode.Unavailable, `The relay could not be reached (${cause}).`),
  closeRefused: (status: number) =>
    new DomainError(ErrorCode.Unavailable, `The relay refused to close the session (HTTP ${status}).`),
  badSignature: () =>
    new DomainError(ErrorCode.InvalidSignature, 'The relay event signature is missing or not valid.'),
  invalidEvents: (problem: string) => new DomainError(ErrorCode.ValidationFailed, problem),
  strangerSession: (index: number) =>
    new DomainError(ErrorCode.ValidationFailed, `events[${index}]: sessionId must be a UUID`),
  unusableSessionId: () =>
    new DomainError(ErrorCode.ValidationFailed, 'The session id cannot be used on the relay.'),
  badChannels: (max: number) =>
    new DomainError(ErrorCode.ValidationFailed, `Ask for 1 to ${max} valid relay channels.`),
};
