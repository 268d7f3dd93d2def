import { DomainError, ErrorCode } from '../common/domain-error';

/**
 * Refusals about a device. The device ones are shared: remote help and remote sessions check the same
 * device before they reach it, and import these rather than keep copies.
 */
export const deviceErrors = {
  notFound: () => new DomainError(ErrorCode.NotFound, 'There is no such device.'),
  gone: () =>
    new DomainError(
      ErrorCode.Gone,
      'This device can no longer be reached: its support session has ended or it was removed.',
    ),
  /** `consequence` finishes the sentence: what the caller cannot do, or what to try. */
  offline: (consequence: string) =>
    new DomainError(
      ErrorCode.DeviceOffline,
      `The device is offline: its agent is not connected${consequence}`,
    ),
  userNotFound: () => new DomainError(ErrorCode.NotFound, 'There is no such user.'),
  notPersistent: () =>
    new DomainError(
      ErrorCode.Conflict,
      'Only persistent devices are granted to technicians: a quick-support device belongs to the technician its support session is assigned to.',
    ),
  quickAlwaysAsks: () =>
    new DomainError(
      ErrorCode.Conflict,
      'A quick-support device always asks the customer before each channel opens: its consent policy cannot be changed.',
    ),
};
