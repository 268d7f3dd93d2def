import { DomainError, ErrorCode } from '../common/domain-error';

export const sessionNotFound = (): DomainError =>
  new DomainError(ErrorCode.NotFound, 'There is no such support session.');

export const sessionNotWaiting = (): DomainError =>
  new DomainError(ErrorCode.SessionNotWaiting, 'This support session already has a connected device.');

export const sessionClosedForRegistration = (): DomainError =>
  new DomainError(
    ErrorCode.InstallerTokenInvalid,
    'This support session has ended or expired. Ask your technician for a new link.',
  );

export const sessionEnded = (): DomainError =>
  new DomainError(ErrorCode.Conflict, 'This support session has already ended.');

export const tooManyNotes = (): DomainError =>
  new DomainError(
    ErrorCode.RateLimited,
    'You have sent the most notes this session allows. Your technician has them.',
    { 'Retry-After': '600' },
  );

export const unknownTechnician = (): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, 'userId must name an active technician.');
