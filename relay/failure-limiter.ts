/**
 * Counts failed handshakes per client address in fixed one-minute windows. An address past the limit
 * is refused (HTTP 429) until its window ends. The table is capped: when full, the oldest window is
 * dropped, so memory stays bounded under an address-spraying attack.
 */
const WINDOW_MS = 60_000;

interface Window {
  count: number;
  startedAt: number;
}

export class FailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perMinute: number,
    private readonly maxAddresses = 10_000,
  ) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** True when some address has failures on record (lets callers skip work on the common path). */
  get tracking(): boolean {
    return this.windows.size > 0;
  }

  isBlocked(address: string, now: number = Date.now()): boolean {
    if (!this.enabled) return false;
    const w = this.windows.get(address);
    return w !== undefined && now - w.startedAt < WINDOW_MS && w.count >= this.perMinute;
  }

  recordFailure(address: string, now: number = Date.now()): void {
    if (!this.enabled) return;
    const w = this.windows.get(address);
    if (w && now - w.startedAt < WINDOW_MS) {
      w.count++;
      return;
    }
    if (w) this.windows.delete(address);
    if (this.windows.size >= this.maxAddresses) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
    this.windows.set(address, { count: 1, startedAt: now });
  }

  sweep(now: number = Date.now()): void {
    for (const [address, w] of this.windows) {
      if (now - w.startedAt >= WINDOW_MS) this.windows.delete(address);
    }
  }
}
