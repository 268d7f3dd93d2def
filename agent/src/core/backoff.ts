/**
 * Reconnect delays: exponential backoff with full jitter (delay = random(0, min(cap, base × 2ⁿ))), so a
 * fleet of agents reconnecting after a portal restart spreads out instead of arriving together.
 * The attempt counter resets once a connection has stayed up for `stableAfterMs`.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  stableAfterMs: number;
  /** Returns a number in [0, 1); injectable for tests. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 60_000, stableAfterMs: 30_000 };

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts one failed attempt. */
  next(): number {
    const ceiling = Math.min(this.options.capMs, this.options.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.floor(this.random() * ceiling);
  }

  /** Call when a connection closes, with how long it was up: a stable connection starts over. */
  connectionEnded(upForMs: number): void {
    if (upForMs >= this.options.stableAfterMs) this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
