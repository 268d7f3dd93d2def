import { Injectable } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import {
  TECHNICIAN_ACTIONS,
  TECHNICIAN_REQUESTS_PER_MIN,
  TECHNICIAN_WRITES_PER_MIN,
  type TechnicianActionName,
} from './rate-limit.policies';
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

  private readonly actions: Record<TechnicianActionName, RateLimiterMemory> = {
    chat: new RateLimiterMemory({
      keyPrefix: 'tech-chat',
      points: TECHNICIAN_ACTIONS.chat.points,
      duration: TECHNICIAN_ACTIONS.chat.durationSec,
    }),
  };

  /** Counts one request by `userId`; 429 with Retry-After once either budget is spent. */
  async request(userId: string, method: string): Promise<void> {
    const slots: Slot[] = [{ limiter: this.all, key: userId }];
    if (WRITE_METHODS.has(method)) slots.push({ limiter: this.writes, key: userId });
    await takeAll(slots, 'Too many requests from your account');
  }

  /** Counts one `action` by `userId` (a route's `@TechnicianRateLimit`); 429 once its budget is spent. */
  async action(action: TechnicianActionName, userId: string): Promise<void> {
    await takeAll(
      [{ limiter: this.actions[action], key: userId }],
      'You have sent many messages in a short time',
    );
  }
}
