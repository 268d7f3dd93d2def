import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { RateLimitPolicyName, TechnicianActionName } from './rate-limit.policies';

export const RATE_LIMIT_POLICY = 'qs:rate-limit';
export const TECHNICIAN_ACTION = 'qs:technician-action';

/**
 * The rate-limit policy of a route anyone can call (see `PUBLIC_POLICIES`). Every `@Public()` route
 * names one; a test walks the routes and fails on one that does not.
 */
export const RateLimit = (policy: RateLimitPolicyName): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_POLICY, policy),
    ApiTooManyRequestsResponse({
      description: `Rate limit \`${policy}\` spent: \`{ code: "rate_limited", message }\` with Retry-After`,
    }),
  );

/**
 * A signed-in route that spends one of the technician's action budgets (`TECHNICIAN_ACTIONS`) besides
 * the request budgets every signed-in route spends.
 */
export const TechnicianRateLimit = (action: TechnicianActionName): MethodDecorator =>
  applyDecorators(
    SetMetadata(TECHNICIAN_ACTION, action),
    ApiTooManyRequestsResponse({
      description: `Your \`${action}\` budget is spent: \`{ code: "rate_limited", message }\` with Retry-After`,
    }),
  );
