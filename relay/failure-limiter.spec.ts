import { FailureLimiter } from './failure-limiter';

describe('FailureLimiter', () => {
  it('blocks an address after the limit within a minute, then forgives it', () => {
    const limiter = new FailureLimiter(3);
    for (let i = 0; i < 3; i++) limiter.recordFailure('10.0.0.1', 1000 + i);
    expect(limiter.isBlocked('10.0.0.1', 2000)).toBe(true);
    expect(limiter.isBlocked('10.0.0.2', 2000)).toBe(false);
    expect(limiter.isBlocked('10.0.0.1', 61_000)).toBe(false);
  });

  it('is off at 0 and keeps a bounded table', () => {
    const off = new FailureLimiter(0);
    for (let i = 0; i < 100; i++) off.recordFailure('a', i);
    expect(off.isBlocked('a', 100)).toBe(false);
    const small = new FailureLimiter(1, 2);
    small.recordFailure('a', 0);
    small.recordFailure('b', 0);
    small.recordFailure('c', 0);
    expect(small.isBlocked('a', 1)).toBe(false);
    expect(small.isBlocked('c', 1)).toBe(true);
  });
});
