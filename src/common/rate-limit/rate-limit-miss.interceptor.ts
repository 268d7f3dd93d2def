import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { DomainError } from '../domain-error';
import { PublicRateLimits } from './public-rate-limits';
import { rateLimitState } from './rate-limit.guard';

/**
 * The miss side of the public policies: once a route that looks up a secret has answered, its
 * reserved miss is kept when the answer is one of the policy's miss statuses (unknown, expired or
 * ended link; invalid installer token) and given back otherwise. Works for handlers that throw and
 * for handlers that write the response themselves (the HTML pages).
 */
@Injectable()
export class RateLimitMissInterceptor implements NestInterceptor {
  constructor(private readonly limits: PublicRateLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const state = rateLimitState(req);
    const lookup = state?.lookup;
    if (!state || !lookup) return next.handle();
    const misses = state.policy.missStatuses ?? [];
    let settled = false;
    const settle = (status: number): void => {
      if (settled) return;
      settled = true;
      void this.limits.settleLookup(lookup, misses.includes(status));
    };
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      tap({
        next: () => settle(res.statusCode),
        complete: () => settle(res.statusCode),
        error: (err: unknown) => settle(statusOf(err)),
      }),
    );
  }
}

function statusOf(err: unknown): number {
  if (err instanceof DomainError) return err.status;
  if (err instanceof HttpException) return err.getStatus();
  return 500;
}
