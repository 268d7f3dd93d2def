import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { SSE_METADATA } from '@nestjs/common/constants';
import type { Request } from 'express';
import { catchError, exhaustMap, filter, from, interval, merge, Observable, of, take, takeUntil } from 'rxjs';
import { AccountRevocations, revokesLogin } from '../users/account-revocations';
import { LiveLoginsService } from './live-logins.service';

/** How often every long-lived stream re-checks that its login still holds. */
export const LOGIN_RECHECK_MS = 3_000;

/**
 * Ties every server-sent event stream (every `@Sse()` route, found by its metadata, so a new stream
 * cannot forget it) to the login that opened it. The stream completes
 * - at once when that login is revoked in this process: logout ends the streams of that login only;
 *   disabling, removing, a role change or a password reset by an administrator end all of the user's;
 *   an administrator changing their own password ends those of their other logins;
 * - within LOGIN_RECHECK_MS when the login is gone by any other way (its `auth_sessions` row deleted or
 *   expired, the account disabled from another portal instance or by hand in the database).
 * A re-check that cannot reach the database ends the stream too (fail closed; the client reconnects).
 */
@Injectable()
export class LiveLoginInterceptor implements NestInterceptor {
  private readonly logger = new Logger(LiveLoginInterceptor.name);

  constructor(
    private readonly logins: LiveLoginsService,
    private readonly revocations: AccountRevocations,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !Reflect.getMetadata(SSE_METADATA, context.getHandler()))
      return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const userId = req.user?.id;
    // A public stream has no login to follow (there is none today; the session guard ran first).
    if (!userId) return next.handle();
    const loginSessionId = req.sessionID;
    const revoked = this.revocations.stream.pipe(filter((e) => revokesLogin(e, userId, loginSessionId)));
    const lapsed = interval(LOGIN_RECHECK_MS).pipe(
      exhaustMap(() =>
        from(this.logins.isLive(userId, loginSessionId)).pipe(
          catchError((err: unknown) => {
            this.logger.warn(
              `Login re-check failed; closing the stream: ${err instanceof Error ? err.message : String(err)}`,
            );
            return of(false);
          }),
        ),
      ),
      filter((live) => !live),
    );
    return next.handle().pipe(takeUntil(merge(revoked, lapsed).pipe(take(1))));
  }
}
