import { DomainError, ErrorCode } from '../common/domain-error';

export const userErrors = {
  notFound: () => new DomainError(ErrorCode.NotFound, 'There is no such user.'),
  emailTaken: () => new DomainError(ErrorCode.EmailTaken, 'A user with this email address already exists.'),
  cannotChangeSelf: () =>
    new DomainError(ErrorCode.CannotChangeSelf, 'You cannot disable yourself or change your own role.'),
  cannotRemoveSelf: () => new DomainError(ErrorCode.CannotChangeSelf, 'You cannot remove your own account.'),
  lastAdmin: () =>
    new DomainError(
      ErrorCode.LastAdmin,
      'This is the last active administrator; make someone else an administrator first.',
    ),
};
