import { HttpErrorResponse, HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';

import { AuthService } from '../auth/auth.service';
import { ApiError } from './api-error';
import { SHOWS_OWN_ERRORS } from './http-context';
import { NotificationService } from './notification.service';

/** 401s from these mean "not signed in" / "wrong password" / "already gone": the caller handles them. */
const AUTH_PROBES = ['/api/auth/me', '/api/auth/login', '/api/auth/logout'];

function isAuthProbe(request: HttpRequest<unknown>): boolean {
  const path = new URL(request.url, document.baseURI).pathname;
  return AUTH_PROBES.includes(path);
}

/**
 * Turns every HTTP failure into an {@link ApiError}. A 401 on any other call means the session is gone
 * (expired, logged out elsewhere, account disabled): forget the user and go to the login page with a
 * returnUrl. Other failures show the server's `{code, message}` message in a snack-bar unless the
 * request says it displays errors itself.
 */
export const apiErrorInterceptor: HttpInterceptorFn = (request, next) => {
  const router = inject(Router);
  const auth = inject(AuthService);
  const notifications = inject(NotificationService);

  return next(request).pipe(
    catchError((failure: unknown) => {
      if (!(failure instanceof HttpErrorResponse)) return throwError(() => failure);
      const error = ApiError.fromResponse(failure);

      if (error.status === 401 && !isAuthProbe(request)) {
        const wasSignedIn = auth.user() !== null;
        auth.forgetSession();
        const pending = router.currentNavigation()?.finalUrl;
        const returnUrl = pending ? router.serializeUrl(pending) : router.url;
        if (!returnUrl.startsWith('/login')) {
          void router.navigate(['/login'], { queryParams: { returnUrl } });
        }
        if (wasSignedIn) notifications.error('Your session has ended. Sign in again to continue.');
      } else if (error.status !== 401 && !request.context.get(SHOWS_OWN_ERRORS)) {
        notifications.error(error.message);
      }
      return throwError(() => error);
    }),
  );
};
