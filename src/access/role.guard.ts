import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { commonErrors } from '../common/common.errors';
import { IS_PUBLIC } from '../common/decorators';
import { ROUTE_ROLES, type RouteRoles } from './access-rule';
import { accessErrors } from './access.errors';
import { UNDECLARED_ROLES } from './access-rules';

/**
 * The role check, global and after the login guard: a signed-in user whose role is not among those
 * the route declares (through an access decorator) is refused with 403 `role_not_allowed`, before the
 * route's ownership rule, its body or its rate are looked at. Public routes are left alone. A route
 * without a declaration is open to {@link UNDECLARED_ROLES} only (never to auditors); the route walk in
 * test/security/route-roles.e2e-spec.ts fails on such a route.
 */
@Injectable()
export class RoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const user = context.switchToHttp().getRequest<Request>().user;
    if (!user) throw commonErrors.notLoggedIn();
    const roles =
      this.reflector.getAllAndOverride<RouteRoles | undefined>(ROUTE_ROLES, targets) ?? UNDECLARED_ROLES;
    if (!roles.includes(user.role)) throw accessErrors.roleNotAllowed(user.role, roles);
    return true;
  }
}
