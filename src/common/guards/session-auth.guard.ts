import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { commonErrors } from '../common.errors';
import { IS_PUBLIC } from '../decorators';

/**
 * Every route needs a signed-in user unless marked @Public(). Which roles may call it is the next
 * guard's business (src/access/role.guard.ts, declared with the access decorators).
 */
@Injectable()
export class SessionAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const user = req.user;
    if (!user) throw commonErrors.notLoggedIn();
    return true;
  }
}
