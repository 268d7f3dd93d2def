import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError, ErrorCode } from '../common/domain-error';

const WINDOW_SEC = 15 * 60;

/**
 * Failed-login throttling that slows guessing without locking the real user out:
 * - per account from one address: 5 failures / 15 min;
 * - per address across accounts: 20 failures / 15 min;
 * - per account from addresses that never logged into it: 50 failures / 15 min. An address that
 *   logged into the account before is exempt, so a flood from elsewhere cannot lock its owner out.
 * A success clears the account+address counter and remembers the address for 20 days.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly accountAddress = new RateLimiterMemory({
    keyPrefix: 'la',
    points: 5,
    duration: WINDOW_SEC,
  });
  private readonly address = new RateLimiterMemory({ keyPrefix: 'ip', points: 20, duration: WINDOW_SEC });
  private readonly account = new RateLimiterMemory({ keyPrefix: 'ac', points: 50, duration: WINDOW_SEC });
  private readonly knownAddresses = new RateLimiterMemory({
    keyPrefix: 'kn',
    points: 1,
    duration: 20 * 24 * 3600,
  });

  /** Throws 429 with Retry-After when any applicable counter is spent. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const acct = email.trim().toLowerCase();
    const known = await this.isKnown(acct, ip);
    const checks: Promise<RateLimiterRes | null>[] = [
      this.accountAddress.get(`${acct}|${ip}`),
      this.address.get(ip),
    ];
    if (!known) checks.push(this.account.get(acct));
    const limits = [this.accountAddress.points, this.address.points, this.account.points];
    const results = await Promise.all(checks);
    let waitMs = 0;
    results.forEach((r, i) => {
      if (r && r.consumedPoints >= (limits[i] ?? 0)) waitMs = Math.max(waitMs, r.msBeforeNext);
    });
    if (waitMs > 0) throw tooMany(waitMs);
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const acct = email.trim().toLowerCase();
    const known = await this.isKnown(acct, ip);
    await Promise.all([
      this.accountAddress.penalty(`${acct}|${ip}`, 1),
      this.address.penalty(ip, 1),
      known ? Promise.resolve() : this.account.penalty(acct, 1),
    ]);
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    const acct = email.trim().toLowerCase();
    await this.accountAddress.delete(`${acct}|${ip}`);
    await this.knownAddresses.set(`${acct}|${ip}`, 1, 20 * 24 * 3600);
  }

  private async isKnown(acct: string, ip: string): Promise<boolean> {
    return (await this.knownAddresses.get(`${acct}|${ip}`)) !== null;
  }
}

function tooMany(ms: number): DomainError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new DomainError(ErrorCode.RateLimited, `Too many failed logins. Try again in ${seconds} seconds.`, {
    'Retry-After': String(seconds),
  });
}
