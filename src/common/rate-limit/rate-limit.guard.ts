import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IS_PUBLIC } from '../decorators';
import { clientIp } from '../http/client-ip';
import { clientNetwork } from './client-network';
import { PagePass } from './page-pass';
import { LookupReservation, PublicRateLimits } from './public-rate-limits';
import { RATE_LIMIT_POLICY, TECHNICIAN_ACTION } from './rate-limit.decorator';
import {
  PUBLIC_POLICIES,
  PublicRatePolicy,
  RateLimitPolicyName,
  TechnicianActionName,
} from './rate-limit.policies';
import { TechnicianRateLimits } from './technician-rate-limits';

/** What the guard left on the request for the miss interceptor. */
export interface RateLimitState {
  readonly policy: PublicRatePolicy;
  readonly lookup?: LookupReservation;
}

const STATE = Symbol('qs:rate-limit-state');
type WithState = Request & { [STATE]?: RateLimitState };

export function rateLimitState(req: Request): RateLimitState | undefined {
  return (req as WithState)[STATE];
}

/** A `@Public()` route that forgot its policy still gets the strictest request budget. */
const FALLBACK_POLICY: PublicRatePolicy = { bucket: 'public' };

/**
 * Rate limits as policy on the route (runs after the login guard, so it knows the technician):
 * - a route with `@RateLimit(name)`: that policy's request budget per address and per network,
 *   then, for routes that look up a secret, a reserved miss (refused before the lookup when the
 *   address or network has none left; holders of the page pass skip the network and miss budgets),
 *   then the per-token budget;
 * - any other route: the signed-in technician's per-user budgets, and the action budget a route names
 *   with `@TechnicianRateLimit` (chat messages).
 * Refusals are 429 `rate_limited` with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly logger = new Logger(RateLimitGuard.name);
  private readonly warned = new Set<string>();

  constructor(
    private readonly reflector: Reflector,
    private readonly limits: PublicRateLimits,
    private readonly technicians: TechnicianRateLimits,
    private readonly pagePass: PagePass,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const req = context.switchToHttp().getRequest<WithState>();
    const name = this.reflector.getAllAndOverride<RateLimitPolicyName | undefined>(
      RATE_LIMIT_POLICY,
      targets,
    );
    if (name) {
      await this.admitPublic(req, PUBLIC_POLICIES[name]);
      return true;
    }
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      this.warnOnce(context);
      await this.admitPublic(req, FALLBACK_POLICY);
      return true;
    }
    const user = req.user;
    if (user) {
      await this.technicians.request(user.id, req.method);
      const action = this.reflector.get<TechnicianActionName | undefined>(
        TECHNICIAN_ACTION,
        context.getHandler(),
      );
      if (action) await this.technicians.action(action, user.id);
    }
    return true;
  }

  private async admitPublic(req: WithState, policy: PublicRatePolicy): Promise<void> {
    const client = clientNetwork(clientIp(req));
    const token = typeof req.params.token === 'string' ? req.params.token : undefined;
    const passed = policy.pagePass === true && token !== undefined && this.pagePass.holds(req, token);
    await this.limits.request(policy.bucket, client, passed);
    let lookup: LookupReservation | undefined;
    if (policy.missStatuses && !passed) lookup = await this.limits.reserveLookup(client);
    req[STATE] = { policy, lookup };
    if (policy.tokenAction && token !== undefined && req.method !== 'HEAD') {
      try {
        await this.limits.tokenAction(policy.tokenAction, token);
      } catch (err) {
        if (lookup) await this.limits.settleLookup(lookup, false);
        req[STATE] = { policy };
        throw err;
      }
    }
  }

  private warnOnce(context: ExecutionContext): void {
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    if (this.warned.has(route)) return;
    this.warned.add(route);
    this.logger.warn(`Public route ${route} names no rate-limit policy; applying the public budget`);
  }
}
