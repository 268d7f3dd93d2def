import { DomainError, ErrorCode } from '../common/domain-error';

export const authErrors = {
  invalidCredentials: () =>
    new DomainError(ErrorCode.InvalidCredentials, 'The email or password is not correct.'),
  credentialsRequired: () => new DomainError(ErrorCode.ValidationFailed, 'email and password are required'),
  credentialsTooLong: () => new DomainError(ErrorCode.ValidationFailed, 'email or password is too long'),
};
