import { DomainError, ErrorCode } from '../common/domain-error';

export const quickSupportErrors = {
  sessionNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such support session.'),
  sessionNotWaiting: () =>
    new DomainError(ErrorCode.SessionNotWaiting, 'This support session already has a connected device.'),
  sessionClosedForRegistration: () =>
    new DomainError(
      ErrorCode.InstallerTokenInvalid,
      'This support session has ended or expired. Ask your technician for a new link.',
    ),
  sessionEnded: () => new DomainError(ErrorCode.Conflict, 'This support session has already ended.'),
  tooManyNotes: () =>
    new DomainError(
      ErrorCode.RateLimited,
      'You have sent the most notes this session allows. Your technician has them.',
      { 'Retry-After': '600' },
    ),
  /** The connect page's JSON answers for a link that is unknown, ended or expired. */
  linkInactive: () => new DomainError(ErrorCode.NotFound, 'This support link is not active.'),
  invalidNote: (problem: string) => new DomainError(ErrorCode.ValidationFailed, problem),
  unknownOs: () => new DomainError(ErrorCode.ValidationFailed, 'os must be one of: windows, macos, linux'),
  unknownTechnician: () =>
    new DomainError(ErrorCode.ValidationFailed, 'userId must name an active technician.'),
};
