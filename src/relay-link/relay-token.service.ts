import { Injectable } from '@nestjs/common';
import {
  isRelayChannel,
  isRelaySessionId,
  mintRelayToken,
  type RelayRecordingClaim,
  type RelayRole,
} from '../../contracts/node/relay-token';
import { isRecordedChannel } from '../../contracts/recording/format';
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

/** What decides whether, and how, a session's channels are recorded. */
export interface SessionRecordingFacts {
  readonly recordingEnabled: boolean;
  readonly technicianId: string | null;
  readonly deviceId: string;
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

  async mint(
    sessionId: string,
    channel: string,
    role: RelayRole,
    rec?: RelayRecordingClaim,
  ): Promise<string> {
    const { secret, kid } = this.keys.tokens.current;
    return mintRelayToken(
      secret,
      kid,
      { sid: sessionId, ch: channel, role, ...(rec && { rec }) },
      this.config.relay.tokenTtlSec,
    );
  }

  /**
   * The `rec` claim of a session's recorded channels, or undefined when it is not recorded. Recorded:
   * RECORDING_POLICY `required`, or `optional` and the technician ticked "Enable session recording".
   * The mode is `required` (the relay ends the channel when the store fails) under the `required`
   * policy, or for a chosen recording under RECORDING_STRICT; `optional` otherwise.
   */
  recordingClaim(session: SessionRecordingFacts): RelayRecordingClaim | undefined {
    const { policy, strict } = this.config.recording;
    const recorded = policy === 'required' || (policy === 'optional' && session.recordingEnabled);
    if (!recorded) return undefined;
    return {
      mode: policy === 'required' || strict ? 'required' : 'optional',
      tech: session.technicianId,
      device: session.deviceId,
    };
  }

  /**
   * An agent token and a tech token for each channel. With `recording` (the session's facts), each
   * channel the relay records (screen, shell, commands: RECORDED_CHANNELS) carries the same `rec`
   * claim on both sides; the files channel is audited per operation instead and never carries it.
   */
  async mintSessionTokens(
    sessionId: string,
    channels: readonly string[],
    recording?: SessionRecordingFacts,
  ): Promise<SessionRelayTokens> {
    const unique = [...new Set(channels)];
    if (!isRelaySessionId(sessionId)) throw errors.unusableSessionId();
    if (unique.length === 0 || unique.length > MAX_CHANNELS_PER_SESSION || !unique.every(isRelayChannel)) {
      throw errors.badChannels(MAX_CHANNELS_PER_SESSION);
    }
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + this.config.relay.tokenTtlSec) * 1000);
    const agent: Record<string, string> = {};
    const tech: Record<string, string> = {};
    const rec = recording && this.recordingClaim(recording);
    for (const ch of unique) {
      const claim = isRecordedChannel(ch) ? rec : undefined;
      [agent[ch], tech[ch]] = await Promise.all([
        this.mint(sessionId, ch, 'agent', claim),
        this.mint(sessionId, ch, 'tech', claim),
      ]);
    }
    return { url: this.relayUrl, expiresAt, agent, tech };
  }
}
