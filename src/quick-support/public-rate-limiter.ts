import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError, ErrorCode } from '../common/domain-error';
import { AppConfig } from '../config/app-config';

const MISS_WINDOW_SEC = 600;
/** A distributed guesser may spend this many times one address's miss budget before all lookups pause. */
const GLOBAL_MISS_FACTOR = 50;

export type SessionAction = 'note' | 'download';
const PER_SESSION: Record<SessionAction, { points: number; duration: number }> = {
  note: { points: 10, duration: 600 },
  download: { points: 20, duration: 600 },
};

/**
 * Throttling for the public endpoints (connect page, status, notes, downloads, agent registration):
 * - every request: per address (QS_PUBLIC_RATE_PER_IP a minute) and for all addresses together
 *   (QS_PUBLIC_RATE_GLOBAL a minute);
 * - lookups of unknown, expired or ended tokens: per address (QS_PUBLIC_MISSES_PER_IP per 10 minutes)
 *   and globally (50× that). Once spent, every lookup is refused *before* the database is asked, so
 *   a guesser learns nothing more, not even from a lucky guess;
 * - per session: notes and installer downloads.
 * Counters live in this process's memory (one portal). Refusals are 429 with Retry-After.
 */
@Injectable()
export class PublicRateLimiter {
  private readonly perIp: RateLimiterMemory;
  private readonly global: RateLimiterMemory;
  private readonly missesPerIp: RateLimiterMemory;
  private readonly missesGlobal: RateLimiterMemory;
  private readonly perSession: Record<SessionAction, RateLimiterMemory>;

  constructor(config: AppConfig) {
    const qs = config.quickSupport;
    this.perIp = new RateLimiterMemory({
      keyPrefix: 'pub-ip',
      points: qs.publicRatePerIpPerMin,
      duration: 60,
    });
    this.global = new RateLimiterMemory({
      keyPrefix: 'pub-all',
      points: qs.publicRateGlobalPerMin,
      duration: 60,
    });
    this.missesPerIp = new RateLimiterMemory({
      keyPrefix: 'miss-ip',
      points: qs.publicMissesPerIpPer10Min,
      duration: MISS_WINDOW_SEC,
    });
    this.missesGlobal = new RateLimiterMemory({
      keyPrefix: 'miss-all',
      points: qs.publicMissesPerIpPer10Min * GLOBAL_MISS_FACTOR,
      duration: MISS_WINDOW_SEC,
    });
    this.perSession = {
      note: new RateLimiterMemory({ keyPrefix: 'sess-note', ...PER_SESSION.note }),
      download: new RateLimiterMemory({ keyPrefix: 'sess-dl', ...PER_SESSION.download }),
    };
  }

  /** Counts one public request from `ip`; throws 429 when the address, or everyone, is over budget. */
  async hit(ip: string): Promise<void> {
    const missIp = await this.missesPerIp.get(ip);
    const missAll = await this.missesGlobal.get('all');
    const spent = [
      missIp && missIp.consumedPoints >= this.missesPerIp.points ? missIp.msBeforeNext : 0,
      missAll && missAll.consumedPoints >= this.missesGlobal.points ? missAll.msBeforeNext : 0,
    ];
    const wait = Math.max(...spent);
    if (wait > 0) throw tooMany(wait);
    await consume(this.perIp, ip);
    await consume(this.global, 'all');
  }

  /** Records a lookup of a token that leads nowhere (unknown, expired or ended). */
  async miss(ip: string): Promise<void> {
    await this.missesPerIp.penalty(ip, 1);
    await this.missesGlobal.penalty('all', 1);
  }

  /** Counts a note or a download for one session. */
  async sessionAction(action: SessionAction, sessionId: string): Promise<void> {
    await consume(this.perSession[action], sessionId);
  }
}

async function consume(limiter: RateLimiterMemory, key: string): Promise<void> {
  try {
    await limiter.consume(key, 1);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext);
    throw err;
  }
}

function tooMany(ms: number): DomainError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return new DomainError(ErrorCode.RateLimited, `Too many requests. Try again in ${seconds} seconds.`, {
    'Retry-After': String(seconds),
  });
}
