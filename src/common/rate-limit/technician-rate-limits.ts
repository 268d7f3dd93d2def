import { Injectable } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { TECHNICIAN_REQUESTS_PER_MIN, TECHNICIAN_WRITES_PER_MIN } from './rate-limit.policies';
import { Slot, takeAll } from './rate-limited';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Per-technician request budgets for every signed-in route (one portal, in memory). */
@Injectable()
export class TechnicianRateLimits {
  private readonly all = new RateLimiterMemory({
    keyPrefix: 'tech-all',
    points: TECHNICIAN_REQUESTS_PER_MIN,
    duration: 60,
  });
  private readonly writes = new RateLimiterMemory({
    keyPrefix: 'tech-write',
    points: TECHNICIAN_WRITES_PER_MIN,
    duration: 60,
  });

  /** Counts one request by `userId`; 429 with Retry-After once either budget is spent. */
  async request(userId: string, method: string): Promise<void> {
    const slots: Slot[] = [{ limiter: this.all, key: userId }];
    if (WRITE_METHODS.has(method)) slots.push({ limiter: this.writes, key: userId });
    await takeAll(slots, 'Too many requests from your account');
  }
}
