import { HttpContext, HttpContextToken } from '@angular/common/http';

/**
 * Set on a request whose caller shows the failure itself (inline form errors): the error interceptor
 * then skips its snack-bar message. 401 handling (redirect to login) still applies.
 */
export const SHOWS_OWN_ERRORS = new HttpContextToken<boolean>(() => false);

export function showsOwnErrors(): HttpContext {
  return new HttpContext().set(SHOWS_OWN_ERRORS, true);
}
