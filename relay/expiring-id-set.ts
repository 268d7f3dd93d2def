/**
 * Ids remembered until they expire, with a hard cap. Used for single-use token ids (kept until the
 * token's `exp`), control-request ids and ended sessions. When full of unexpired ids it refuses new ones
 * (`full`) rather than forgetting one early: forgetting would let a token be replayed.
 */
export type ExpiringAddResult = 'added' | 'exists' | 'full';

export class ExpiringIdSet {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.expiries.size;
  }

  /** Remembers `id` until `expiresAtMs`; `exists` if it is already remembered and not expired. */
  add(id: string, expiresAtMs: number, now: number = Date.now()): ExpiringAddResult {
    const known = this.expiries.get(id);
    if (known !== undefined && known > now) return 'exists';
    if (known === undefined && this.expiries.size >= this.capacity) {
      this.sweep(now);
      if (this.expiries.size >= this.capacity) return 'full';
    }
    this.expiries.set(id, expiresAtMs);
    return 'added';
  }

  has(id: string, now: number = Date.now()): boolean {
    const known = this.expiries.get(id);
    return known !== undefined && known > now;
  }

  /** Forgets expired ids; returns how many were removed. */
  sweep(now: number = Date.now()): number {
    let removed = 0;
    for (const [id, expiresAt] of this.expiries) {
      if (expiresAt <= now) {
        this.expiries.delete(id);
        removed++;
      }
    }
    return removed;
  }
}
