import { DomainError, ErrorCode } from '../common/domain-error';
import type { ApiErrorEntry } from '../common/openapi/api-errors.decorator';

/** Seconds a client should wait before retrying an action refused because the audit trail failed. */
export const AUDIT_RETRY_AFTER_SEC = 5;

export const auditErrors = {
  unavailable: () =>
    new DomainError(
      ErrorCode.AuditUnavailable,
      'Nothing was done on the device: the action could not be recorded in the audit trail. Try again in a moment; if it keeps happening, ask your administrator to check the portal database.',
      { 'Retry-After': String(AUDIT_RETRY_AFTER_SEC) },
    ),
};

/** The OpenAPI entry of routes that fail closed (`@ApiErrors(AUDIT_UNAVAILABLE_ERROR)`). */
export const AUDIT_UNAVAILABLE_ERROR: ApiErrorEntry = [
  ErrorCode.AuditUnavailable,
  'the action could not be recorded in the audit trail, so nothing was sent to the device (with Retry-After)',
];
