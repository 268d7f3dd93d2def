import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  RELAY_CLOSE_REASON_MAX_CHARS,
  RELAY_CONTROL_CLOSE_PATH,
  type RelayCloseRequest,
  type RelayCloseResponse,
} from '../../contracts/relay-events';
import { signRelayRequest } from '../../contracts/node/relay-signature';
import { AppConfig } from '../config/app-config';
import { RelayKeys } from './relay-keys.provider';
import { relayLinkErrors as errors } from './relay-link.errors';

const TIMEOUT_MS = 5_000;
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** A close reason the relay accepts: printable, at most 100 characters (and 123 bytes). */
export function toCloseReason(reason: string): string {
  let text = reason.replace(UNPRINTABLE, ' ').trim().slice(0, RELAY_CLOSE_REASON_MAX_CHARS);
  while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
  return text || 'session ended';
}

/** The portal's signed requests to the relay (RELAY_INTERNAL_URL): closing a session's pairs. */
@Injectable()
export class RelayControlService {
  private readonly logger = new Logger(RelayControlService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly keys: RelayKeys,
  ) {}

  /**
   * Closes every pair of the session (or one channel) with close code 4015 and `reason`; without a
   * channel the relay also refuses that session's unused tokens from then on. Returns how many pairs
   * the relay closed (0 when there were none). Throws `unavailable` when the relay cannot be reached.
   */
  async closeSession(sessionId: string, reason: string, channel?: string): Promise<number> {
    const request: RelayCloseRequest = {
      id: randomUUID(),
      sessionId,
      reason: toCloseReason(reason),
      ...(channel && { channel }),
    };
    const body = JSON.stringify(request);
    let res: Response;
    try {
      res = await fetch(new URL(RELAY_CONTROL_CLOSE_PATH.slice(1), `${this.config.relay.internalUrl}/`), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signRelayRequest(this.keys.signing.current, 'control', body),
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw errors.unreachable(err instanceof Error ? err.message : 'network error');
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw errors.closeRefused(res.status);
    }
    const { closed } = (await res.json()) as RelayCloseResponse;
    this.logger.log(
      `Relay closed ${closed} pair(s) of session ${sessionId}${channel ? ` (${channel})` : ''}`,
    );
    return closed;
  }
}
