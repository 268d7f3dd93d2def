import { DomainError, ErrorCode } from '../common/domain-error';

export const deviceErrors = {
  notFound: () => new DomainError(ErrorCode.NotFound, 'There is no such device.'),
  userNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such user.'),
  notPersistent: () =>
    new DomainError(
      ErrorCode.Conflict,
      'Only persistent devices are granted to technicians: a quick-support device belongs to the technician its support session is assigned to.',
    ),
};
