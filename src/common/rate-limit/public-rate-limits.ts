import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AppConfig } from '../../config/app-config';
import type { ClientNetwork } from './client-network';
import {
  AUTH_REQUESTS_PER_ADDRESS_PER_MIN,
  HEALTH_REQUESTS_PER_ADDRESS_PER_MIN,
  MISS_WINDOW_SEC,
  NETWORK_FACTOR,
  RateLimitBucket,
  RELAY_REQUESTS_PER_ADDRESS_PER_MIN,
  TOKEN_ACTIONS,
  TokenActionName,
} from './rate-limit.policies';
import { giveBack, Slot, takeAll } from './rate-limited';

/** Miss points held by a lookup in flight: kept if it turns out a miss, given back otherwise. */
export interface LookupReservation {
  readonly slots: readonly Slot[];
}

/**
 * The counters behind the public policies, in this process's memory (one portal). Budgets are per
 * address and per network (/24, /64), per link token, never for everyone together: an attacker can
 * exhaust only their own.
 */
@Injectable()
export class PublicRateLimits {
  private readonly requests: Record<
    RateLimitBucket,
    { address: RateLimiterMemory; network: RateLimiterMemory }
  >;
  private readonly missesByAddress: RateLimiterMemory;
  private readonly missesByNetwork: RateLimiterMemory;
  private readonly tokenActions: Record<TokenActionName, RateLimiterMemory>;

  constructor(config: AppConfig) {
    const qs = config.quickSupport;
    const bucket = (name: RateLimitBucket, perAddress: number, perNetwork: number) => ({
      address: new RateLimiterMemory({ keyPrefix: `${name}-ip`, points: perAddress, duration: 60 }),
      network: new RateLimiterMemory({ keyPrefix: `${name}-net`, points: perNetwork, duration: 60 }),
    });
    const unconfigured = (name: RateLimitBucket, perAddress: number) =>
      bucket(name, perAddress, perAddress * NETWORK_FACTOR);
    this.requests = {
      public: bucket('public', qs.publicRatePerIpPerMin, qs.publicRatePerNetworkPerMin),
      auth: unconfigured('auth', AUTH_REQUESTS_PER_ADDRESS_PER_MIN),
      health: unconfigured('health', HEALTH_REQUESTS_PER_ADDRESS_PER_MIN),
      relay: unconfigured('relay', RELAY_REQUESTS_PER_ADDRESS_PER_MIN),
    };
    this.missesByAddress = new RateLimiterMemory({
      keyPrefix: 'miss-ip',
      points: qs.publicMissesPerIpPer10Min,
      duration: MISS_WINDOW_SEC,
    });
    this.missesByNetwork = new RateLimiterMemory({
      keyPrefix: 'miss-net',
      points: qs.publicMissesPerNetworkPer10Min,
      duration: MISS_WINDOW_SEC,
    });
    this.tokenActions = {
      note: tokenLimiter('note'),
      download: tokenLimiter('download'),
      chat: tokenLimiter('chat'),
    };
  }

  /** Counts one request in the bucket (the network's budget unless `addressOnly`); 429 when spent. */
  async request(bucket: RateLimitBucket, client: ClientNetwork, addressOnly: boolean): Promise<void> {
    const counters = this.requests[bucket];
    const slots: Slot[] = [{ limiter: counters.address, key: client.address }];
    if (!addressOnly) slots.push({ limiter: counters.network, key: client.network });
    await takeAll(slots);
  }

  /**
   * Reserves a miss for a lookup before it runs (so parallel guesses cannot outrun the count), or
   * refuses it with 429 when the address or its network has no misses left.
   */
  async reserveLookup(client: ClientNetwork): Promise<LookupReservation> {
    const slots: Slot[] = [
      { limiter: this.missesByAddress, key: client.address },
      { limiter: this.missesByNetwork, key: client.network },
    ];
    await takeAll(slots);
    return { slots };
  }

  /** Settles a reserved lookup: a miss keeps its points. */
  async settleLookup(reservation: LookupReservation, miss: boolean): Promise<void> {
    if (!miss) await giveBack(reservation.slots);
  }

  /**
   * Counts a note, a download or a chat message for one link token. The agent's console, which has
   * no link token, passes `device:<id>` (hashed alike, so it cannot meet a token's key).
   */
  async tokenAction(action: TokenActionName, token: string): Promise<void> {
    const key = createHash('sha256').update(token).digest('base64url');
    await takeAll([{ limiter: this.tokenActions[action], key }]);
  }
}

function tokenLimiter(action: TokenActionName): RateLimiterMemory {
  const { points, durationSec } = TOKEN_ACTIONS[action];
  return new RateLimiterMemory({ keyPrefix: `token-${action}`, points, duration: durationSec });
}
