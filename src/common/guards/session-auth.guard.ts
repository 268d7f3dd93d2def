import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AuthUser } from '../auth-user';
import { commonErrors } from '../common.errors';
import { IS_PUBLIC, ROLES } from '../decorators';

/** Every route needs a logged-in technician unless marked @Public(); @Roles() narrows it further. */
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
    const roles = this.reflector.getAllAndOverride<AuthUser['role'][] | undefined>(ROLES, targets);
    if (roles && !roles.includes(user.role)) {
      throw commonErrors.adminOnly();
    }
    return true;
  }
}
