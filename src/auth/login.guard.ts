import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error';
import { LoginRateLimiter } from './login-rate-limiter';
import { authErrors } from './auth.errors';

/**
 * The login pipeline: shape check → reserve a throttle slot → passport-local → `req.logIn`, which
 * issues a new session id (passport regenerates the session on login). The slot is taken before the
 * password is checked, so parallel guesses cannot outrun the counters; a wrong password keeps it.
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  constructor(private readonly limiter: LoginRateLimiter) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const body = (req.body ?? {}) as { email?: unknown; password?: unknown };
    if (
      typeof body.email !== 'string' ||
      typeof body.password !== 'string' ||
      !body.email ||
      !body.password
    ) {
      throw authErrors.credentialsRequired();
    }
    if (body.email.length > 254 || body.password.length > 256) {
      throw authErrors.credentialsTooLong();
    }
    const ip = req.ip ?? 'unknown';
    const reservation = await this.limiter.reserve(body.email, ip);
    try {
      await super.canActivate(context);
    } catch (err) {
      // A wrong password keeps its slot; anything else (busy, database down) gives it back.
      if (!(err instanceof DomainError && err.code === ErrorCode.InvalidCredentials))
        await this.limiter.release(reservation);
      throw err;
    }
    await this.limiter.recordSuccess(reservation);
    await super.logIn(req);
    return true;
  }
}
