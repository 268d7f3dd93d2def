import { ErrorCode } from '../common/domain-error';
import type { ApiErrorEntry } from '../common/openapi/api-errors.decorator';

/** Error answers several remote-session routes share, for their OpenAPI (`@ApiErrors`). */
export const LOGIN_REVOKED: ApiErrorEntry = [
  ErrorCode.Unauthenticated,
  'the login was revoked while the request ran (the session then ends as technician_revoked)',
];
export const SESSION_ENDED: ApiErrorEntry = [ErrorCode.Gone, 'the remote session has ended'];
/** The device checks before anything is asked of it (usableDevice in remote-sessions.service.ts). */
export const DEVICE_UNUSABLE: readonly ApiErrorEntry[] = [
  [ErrorCode.NotFound, 'there is no such device'],
  [ErrorCode.Gone, 'the device was removed or its support session ended'],
  [ErrorCode.DeviceOffline, 'the device’s agent is not connected'],
];
