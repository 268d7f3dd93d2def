import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles the ceiling per attempt up to the cap, with full jitter', () => {
    const top = new Backoff({ baseMs: 1000, capMs: 8000, stableAfterMs: 30_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([999, 1999, 3999, 7999, 7999, 7999]);
    const bottom = new Backoff({ baseMs: 1000, capMs: 8000, stableAfterMs: 30_000, random: () => 0 });
    expect(bottom.next()).toBe(0);
  });

  it('spreads delays over the whole window (jitter)', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000, stableAfterMs: 30_000 });
    for (let i = 0; i < 10; i++) b.next();
    const delays = Array.from({ length: 200 }, () => b.next());
    expect(Math.min(...delays)).toBeLessThan(15_000);
    expect(Math.max(...delays)).toBeGreaterThan(45_000);
    expect(Math.max(...delays)).toBeLessThan(60_000);
  });

  it('starts over only after a connection that stayed up long enough', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000, stableAfterMs: 30_000, random: () => 0.5 });
    b.next();
    b.next();
    b.connectionEnded(5_000);
    expect(b.attempts).toBe(2);
    b.connectionEnded(31_000);
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(500);
  });
});
