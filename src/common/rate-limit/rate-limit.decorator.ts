import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { RateLimitPolicyName } from './rate-limit.policies';

export const RATE_LIMIT_POLICY = 'qs:rate-limit';

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
