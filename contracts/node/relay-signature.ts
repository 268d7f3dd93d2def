import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RelayKey } from './relay-keys';

/**
 * HMAC-SHA256 signatures on HTTP requests between the portal and the relay:
 * relay → portal events (`events`) and portal → relay control requests (`control`).
 *
 * Headers: `X-Relay-Timestamp: <unix seconds>` and `X-Relay-Signature: v1=<64 hex>`, where the MAC is
 * HMAC-SHA256(signing key, "kwgroup-relay.<purpose>.v1.<timestamp>." + raw body bytes). The purpose in
 * the MAC keeps an event body from being replayed as a control request and vice versa; the timestamp
 * bounds replays to {@link RELAY_SIGNATURE_MAX_SKEW_SEC}; receivers de-duplicate by message id inside it.
 */
export const RELAY_TIMESTAMP_HEADER = 'x-relay-timestamp';
export const RELAY_SIGNATURE_HEADER = 'x-relay-signature';
export const RELAY_SIGNATURE_MAX_SKEW_SEC = 300;

export type RelaySignedPurpose = 'events' | 'control';

export type RelaySignatureCheck = 'ok' | 'missing' | 'malformed' | 'stale' | 'mismatch';

const SIGNATURE_PATTERN = /^v1=([0-9a-f]{64})$/;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

function mac(
  secret: Uint8Array,
  purpose: RelaySignedPurpose,
  timestamp: string,
  body: string | Uint8Array,
): Buffer {
  return createHmac('sha256', secret)
    .update(`kwgroup-relay.${purpose}.v1.${timestamp}.`)
    .update(body)
    .digest();
}

/** Headers to send with `body` (the exact bytes that go on the wire). */
export function signRelayRequest(
  key: RelayKey,
  purpose: RelaySignedPurpose,
  body: string | Uint8Array,
  nowMs: number = Date.now(),
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    [RELAY_TIMESTAMP_HEADER]: timestamp,
    [RELAY_SIGNATURE_HEADER]: `v1=${mac(key.secret, purpose, timestamp, body).toString('hex')}`,
  };
}

/** A header value as Node gives it (absent, one string, or repeated). */
export type HeaderValue = string | readonly string[] | undefined;

/**
 * Checks the signature of a received request against every accepted key (current, then previous), in
 * constant time per key. `rawBody` must be the bytes received, before any JSON parsing.
 */
export function verifyRelayRequest(
  keys: readonly RelayKey[],
  purpose: RelaySignedPurpose,
  headers: { readonly timestamp: HeaderValue; readonly signature: HeaderValue },
  rawBody: Uint8Array,
  nowMs: number = Date.now(),
): RelaySignatureCheck {
  const { timestamp, signature } = headers;
  if (timestamp === undefined || signature === undefined) return 'missing';
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return 'malformed';
  const match = SIGNATURE_PATTERN.exec(signature);
  if (!match || !TIMESTAMP_PATTERN.test(timestamp)) return 'malformed';
  if (Math.abs(Number(timestamp) - nowMs / 1000) > RELAY_SIGNATURE_MAX_SKEW_SEC) return 'stale';
  const given = Buffer.from(match[1], 'hex');
  let valid = false;
  for (const key of keys) {
    if (timingSafeEqual(given, mac(key.secret, purpose, timestamp, rawBody))) valid = true;
  }
  return valid ? 'ok' : 'mismatch';
}
