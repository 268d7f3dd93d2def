import { Injectable } from '@nestjs/common';
import {
  isRelayChannel,
  isRelaySessionId,
  mintRelayToken,
  type RelayRole,
} from '../../contracts/node/relay-token';
import { AppConfig } from '../config/app-config';
import { RelayKeys } from './relay-keys.provider';
import { relayLinkErrors as errors } from './relay-link.errors';

/** Channels one session may ask for at once. */
export const MAX_CHANNELS_PER_SESSION = 8;

export interface SessionRelayTokens {
  /** The relay's public base URL (ws:// or wss://); clients dial `relayConnectUrl(url, …)`. */
  url: string;
  expiresAt: Date;
  /** Agent-side token per channel. */
  agent: Record<string, string>;
  /** Technician-side token per channel. */
  tech: Record<string, string>;
}

/**
 * Mints the short-lived, role-scoped relay tokens (contracts/node/relay-token.ts) for a remote session:
 * one per side and channel, each usable once, signed with the current key (RELAY_SECRET), valid for
 * RELAY_TOKEN_TTL_SEC (at most 600 s).
 */
@Injectable()
export class RelayTokenService {
  constructor(
    private readonly config: AppConfig,
    private readonly keys: RelayKeys,
  ) {}

  get relayUrl(): string {
    return this.config.relay.publicUrl;
  }

  async mint(sessionId: string, channel: string, role: RelayRole): Promise<string> {
    const { secret, kid } = this.keys.tokens.current;
    return mintRelayToken(secret, kid, { sid: sessionId, ch: channel, role }, this.config.relay.tokenTtlSec);
  }

  /** An agent token and a tech token for each channel. */
  async mintSessionTokens(sessionId: string, channels: readonly string[]): Promise<SessionRelayTokens> {
    const unique = [...new Set(channels)];
    if (!isRelaySessionId(sessionId)) throw errors.unusableSessionId();
    if (unique.length === 0 || unique.length > MAX_CHANNELS_PER_SESSION || !unique.every(isRelayChannel)) {
      throw errors.badChannels(MAX_CHANNELS_PER_SESSION);
    }
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + this.config.relay.tokenTtlSec) * 1000);
    const agent: Record<string, string> = {};
    const tech: Record<string, string> = {};
    for (const ch of unique) {
      [agent[ch], tech[ch]] = await Promise.all([
        this.mint(sessionId, ch, 'agent'),
        this.mint(sessionId, ch, 'tech'),
      ]);
    }
    return { url: this.relayUrl, expiresAt, agent, tech };
  }
}
