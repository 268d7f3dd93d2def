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
  unknownTechnician: () =>
    new DomainError(ErrorCode.ValidationFailed, 'userId must name an active technician.'),
};
