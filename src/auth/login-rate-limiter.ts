import { Injectable } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { giveBack, Slot, takeAll } from '../common/rate-limit/rate-limited';

const WINDOW_SEC = 15 * 60;
const KNOWN_ADDRESS_SEC = 20 * 24 * 3600;

/** One login attempt's slots, taken before its password is checked. */
export interface LoginReservation {
  readonly account: string;
  readonly ip: string;
  /** The counters this attempt holds a point in (the account counter is skipped for known addresses). */
  readonly held: readonly Slot[];
}

/**
 * Failed-login throttling that slows guessing without locking the real user out:
 * - per account from one address: 5 failures / 15 min;
 * - per address across accounts: 20 failures / 15 min;
 * - per account from addresses that never logged into it: 50 failures / 15 min. An address that
 *   logged into the account before is exempt, so a flood from elsewhere cannot lock its owner out.
 *
 * Each attempt **reserves** one point in every applicable counter before its password is checked
 * (`consume` is an atomic check-and-increment), so parallel guesses cannot all pass a check that
 * none of them has counted yet: at most the budget's worth of passwords is ever being checked or
 * failed. A failure keeps its points; a success gives them back, clears the account+address counter
 * and remembers the address for 20 days; an attempt that ended for another reason (a server error)
 * gives them back too.
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
    duration: KNOWN_ADDRESS_SEC,
  });

  /** Takes a slot in every applicable counter, or throws 429 with Retry-After (holding nothing). */
  async reserve(email: string, ip: string): Promise<LoginReservation> {
    const account = email.trim().toLowerCase();
    const known = await this.isKnown(account, ip);
    const held: Slot[] = [
      { limiter: this.accountAddress, key: `${account}|${ip}` },
      { limiter: this.address, key: ip },
    ];
    if (!known) held.push({ limiter: this.account, key: account });
    await takeAll(held, 'Too many failed logins');
    return { account, ip, held };
  }

  /** The attempt ended without a verdict on the password: its points go back. */
  async release(reservation: LoginReservation): Promise<void> {
    await giveBack(reservation.held);
  }

  async recordSuccess(reservation: LoginReservation): Promise<void> {
    await this.release(reservation);
    const key = `${reservation.account}|${reservation.ip}`;
    await this.accountAddress.delete(key);
    await this.knownAddresses.set(key, 1, KNOWN_ADDRESS_SEC);
  }

  private async isKnown(account: string, ip: string): Promise<boolean> {
    return (await this.knownAddresses.get(`${account}|${ip}`)) !== null;
  }
}
