import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { commonErrors } from '../common/common.errors';
import { ACCESS_RULE, type AccessRule, type IdSource } from './access-rule';
import { accessErrors } from './access.errors';
import { AccessService } from './access.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Enforces the rule a route declares with one of the access decorators. Runs after the global login
 * guard, so `req.user` is set; a route without a rule is left alone (the decorator applies this guard
 * only together with a rule). Fails closed: a missing or malformed id is refused here, before any query.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.get<AccessRule | undefined>(ACCESS_RULE, context.getHandler());
    if (!rule) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const user = req.user;
    if (!user) throw commonErrors.notLoggedIn();
    switch (rule.kind) {
      // Role-only rules: the global RoleGuard has already checked them.
      case 'team':
      case 'history':
      case 'own-account':
      case 'admin':
        return true;
      case 'support-session':
        await this.access.assertManagesSupportSession(user, idFrom(req, rule.from));
        return true;
      case 'support-session-read':
        await this.access.assertReadsSupportSession(user, idFrom(req, rule.from));
        return true;
      case 'remote-session':
        await this.access.assertRunsRemoteSession(user, idFrom(req, rule.from), { device: rule.device });
        return true;
      case 'device':
        await this.access.assertReachesDevice(user, idFrom(req, rule.from), { exclusive: rule.exclusive });
        return true;
      case 'audit-trail':
        // The audit-trail list names no id: it narrows its own answer to what the caller may read.
        if (rule.from) await this.access.assertReadsRemoteSessionTrail(user, idFrom(req, rule.from));
        return true;
    }
  }
}

function idFrom(req: Request, from: IdSource): string {
  const [name, value] =
    'param' in from
      ? [from.param, req.params[from.param]]
      : [from.body, (req.body as Record<string, unknown> | undefined)?.[from.body]];
  if (typeof value !== 'string' || !UUID.test(value)) throw accessErrors.notUuid(name);
  return value;
}
