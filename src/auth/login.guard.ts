import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error';
import { LoginRateLimiter } from './login-rate-limiter';

/**
 * The login pipeline: shape check → throttle → passport-local → `req.logIn`, which issues a new
 * session id (passport regenerates the session on login).
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
      throw new DomainError(ErrorCode.ValidationFailed, 'email and password are required');
    }
    if (body.email.length > 254 || body.password.length > 256) {
      throw new DomainError(ErrorCode.ValidationFailed, 'email or password is too long');
    }
    const ip = req.ip ?? 'unknown';
    await this.limiter.assertAllowed(body.email, ip);
    try {
      await super.canActivate(context);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.InvalidCredentials) {
        await this.limiter.recordFailure(body.email, ip);
      }
      throw err;
    }
    await this.limiter.recordSuccess(body.email, ip);
    await super.logIn(req);
    return true;
  }
}
