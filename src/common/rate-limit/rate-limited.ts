import { RateLimiterRes } from 'rate-limiter-flexible';
import { commonErrors } from '../common.errors';
import type { DomainError } from '../domain-error';

/** 429 `rate_limited` with Retry-After in whole seconds (at least 1). */
export function rateLimited(ms: number, what = 'Too many requests'): DomainError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return commonErrors.rateLimited(seconds, what);
}

export interface Slot {
  readonly limiter: {
    consume(key: string, points?: number): Promise<RateLimiterRes>;
    reward(key: string, points?: number): Promise<RateLimiterRes>;
  };
  readonly key: string;
}

/**
 * Takes one point in each slot at once (each `consume` is an atomic check-and-increment). When any
 * is spent, every point is given back (a refused consume still counted) and 429 is thrown with the
 * longest wait.
 */
export async function takeAll(slots: readonly Slot[], what?: string): Promise<void> {
  const outcomes = await Promise.allSettled(slots.map((s) => s.limiter.consume(s.key, 1)));
  const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as unknown);
  if (refused.length === 0) return;
  await giveBack(slots);
  const other = refused.find((r) => !(r instanceof RateLimiterRes));
  if (other !== undefined) throw other instanceof Error ? other : new Error('rate limiter failed');
  throw rateLimited(Math.max(...refused.map((r) => (r as RateLimiterRes).msBeforeNext)), what);
}

export async function giveBack(slots: readonly Slot[]): Promise<void> {
  await Promise.all(slots.map((s) => s.limiter.reward(s.key, 1)));
}
