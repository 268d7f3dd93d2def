import type { UserRole } from '../../contracts/api/users';
import { DomainError, ErrorCode } from '../common/domain-error';

const ROLE_NAMES: Record<UserRole, string> = {
  admin: 'administrators',
  technician: 'technicians',
  auditor: 'auditors',
};
const ROLE_NAME: Record<UserRole, string> = {
  admin: 'an administrator',
  technician: 'a technician',
  auditor: 'an auditor',
};

/** Refusals of the technician-isolation rules (403, stable codes; the dashboard explains them). */
export const accessErrors = {
  /** The role check (RoleGuard): the caller's role is not among the route's declared roles. */
  roleNotAllowed: (role: UserRole, allowed: readonly UserRole[]) =>
    new DomainError(
      ErrorCode.RoleNotAllowed,
      `As ${ROLE_NAME[role]} you cannot do this: it is for ${allowed.map((r) => ROLE_NAMES[r]).join(' and ')} only.`,
    ),
  notSupportSessionOwner: () =>
    new DomainError(
      ErrorCode.NotSessionOwner,
      'This support session is assigned to another technician. Only they or an administrator can do this.',
    ),
  notRemoteSessionTechnician: () =>
    new DomainError(
      ErrorCode.NotSessionOwner,
      'This remote session belongs to another technician. Only they or an administrator can do this.',
    ),
  othersRemoteSessionOpen: () =>
    new DomainError(
      ErrorCode.NotSessionOwner,
      'Another technician has a remote session open on this device. Only they or an administrator can do this until it ends.',
    ),
  deviceAccessDenied: () =>
    new DomainError(
      ErrorCode.DeviceAccessDenied,
      'You have no access to this device: it belongs to another technician’s support session, or an administrator has not granted it to you.',
    ),
  supportSessionNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such support session.'),
  remoteSessionNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such remote session.'),
  deviceNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such device.'),
  notUuid: (name: string) => new DomainError(ErrorCode.ValidationFailed, `${name} must be a UUID`),
};
