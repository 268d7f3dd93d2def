import { DomainError, ErrorCode } from './domain-error';

/** Refusals every module can answer with: the session guard's, and the same answer from deeper down. */
export const commonErrors = {
  /** No login, or the login behind a request was revoked while it ran: as if the guard had refused. */
  notLoggedIn: () => new DomainError(ErrorCode.Unauthenticated, 'Log in to continue.'),
};
