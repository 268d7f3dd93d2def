import { SetMetadata } from '@nestjs/common';
import type { RateLimitPolicyName, TechnicianActionName } from './rate-limit.policies';

export const RATE_LIMIT_POLICY = 'qs:rate-limit';
export const TECHNICIAN_ACTION = 'qs:technician-action';

/**
 * The rate-limit policy of a route anyone can call (see `PUBLIC_POLICIES`). Every `@Public()` route
 * names one; a test walks the routes and fails on one that does not. Its 429 is written into the
 * OpenAPI description by the route-policy pass (src/common/openapi/route-policies.ts).
 */
export const RateLimit = (policy: RateLimitPolicyName): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMIT_POLICY, policy);

/**
 * A signed-in route that spends one of the technician's action budgets (`TECHNICIAN_ACTIONS`) besides
 * the request budgets every signed-in route spends.
 */
export const TechnicianRateLimit = (action: TechnicianActionName): MethodDecorator =>
  SetMetadata(TECHNICIAN_ACTION, action);
