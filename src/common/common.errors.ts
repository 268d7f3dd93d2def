import { DomainError, ErrorCode } from './domain-error';

/**
 * Refusals every module can answer with: the session guard's (and the same answer from deeper down),
 * the shared pipes', the CSRF guard's and the rate limits'.
 */
export const commonErrors = {
  /** No login, or the login behind a request was revoked while it ran: as if the guard had refused. */
  notLoggedIn: () => new DomainError(ErrorCode.Unauthenticated, 'Log in to continue.'),
  /** A request body or query the global validation pipe refused; `sentence` names the fields. */
  validationFailed: (sentence: string) => new DomainError(ErrorCode.ValidationFailed, sentence),
  /** A route parameter (`name`) that is not a UUID. */
  notUuid: (name: string) => new DomainError(ErrorCode.ValidationFailed, `${name} must be a UUID`),
  /** A state-changing request without the portal's origin or CSRF token. */
  crossSiteRequest: () =>
    new DomainError(
      ErrorCode.CrossSiteRequest,
      'This request was refused because it did not come from the portal itself. Reload the page and try again.',
    ),
  /** 429 with Retry-After `seconds`: `what` says what was limited. */
  rateLimited: (seconds: number, what: string) =>
    new DomainError(ErrorCode.RateLimited, `${what}. Try again in ${seconds} seconds.`, {
      'Retry-After': String(seconds),
    }),
  /** Too many password hashes waiting for a thread (see password-hasher.ts). */
  passwordCheckBusy: (retryAfterSec: number) =>
    new DomainError(
      ErrorCode.RateLimited,
      `The portal is busy checking other passwords. Try again in ${retryAfterSec} seconds.`,
      { 'Retry-After': String(retryAfterSec) },
    ),
};
