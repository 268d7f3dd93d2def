import { randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import type { RelayKey } from './relay-keys';
import { findJsonProblem } from '../strict-json';
import type { RecordingMode } from '../recording/format';
import { isRelayChannel, isRelayRole, isRelaySessionId, type RelayTokenSubject } from '../relay-subject';

export {
  RELAY_CHANNELS,
  RELAY_CHANNEL_PATTERN,
  RELAY_ROLES,
  RELAY_SESSION_ID_PATTERN,
  isRelayChannel,
  isRelayRole,
  isRelaySessionId,
  type KnownRelayChannel,
  type RelayRole,
  type RelayTokenSubject,
} from '../relay-subject';

/**
 * The relay token: the one format shared by the portal (mints) and the relay (verifies).
 * A compact JWS, HS256 only, header `{ alg: "HS256", typ: "relay+jwt", kid }`, claims
 * {@link RelayTokenClaims}. See docs/relay.md.
 */
export const RELAY_AUDIENCE = 'relay';
export const RELAY_TOKEN_TYPE = 'relay+jwt';
export const RELAY_TOKEN_ALG = 'HS256';
/** Longest lifetime (`exp - iat`) a token may have. */
export const RELAY_TOKEN_MAX_TTL_SEC = 600;
/** Clock difference tolerated between the portal and the relay. */
export const RELAY_TOKEN_CLOCK_TOLERANCE_SEC = 5;
/** Tokens longer than this are refused unparsed. */
export const RELAY_TOKEN_MAX_CHARS = 1024;

const JTI_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const COMPACT_JWS_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * The `rec` claim: this channel of the session is recorded by the relay (ADR 0019). The portal puts the
 * same value into both sides' tokens; the relay records a pair when either side's token carries it.
 * `tech` and `device` are the portal's ids, copied into the recording's manifest.
 */
export interface RelayRecordingClaim {
  readonly mode: RecordingMode;
  readonly tech: string | null;
  readonly device: string | null;
}

export interface RelayTokenClaims extends RelayTokenSubject {
  readonly aud: typeof RELAY_AUDIENCE;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expires at, seconds since the epoch; at most {@link RELAY_TOKEN_MAX_TTL_SEC} after `iat`. */
  readonly exp: number;
  /** Unique token id; the relay accepts it once. */
  readonly jti: string;
  /** Present when the relay must record this channel. */
  readonly rec?: RelayRecordingClaim;
}

/** Why a token was refused. Each maps to one close code (see relay-close-codes.ts). */
export type RelayTokenFailure =
  | 'malformed'
  | 'algorithm'
  | 'unknown_key'
  | 'bad_signature'
  | 'audience'
  | 'expired'
  | 'not_yet_valid'
  | 'claims'
  | 'mismatch';

export class RelayTokenError extends Error {
  constructor(readonly reason: RelayTokenFailure) {
    super(`relay token refused: ${reason}`);
    this.name = 'RelayTokenError';
  }
}

export function isRelayTokenSubject(value: Partial<RelayTokenSubject>): value is RelayTokenSubject {
  return isRelaySessionId(value.sid) && isRelayChannel(value.ch) && isRelayRole(value.role);
}

/** HMAC keys are imported into WebCrypto once per derived secret, not once per token. */
const cryptoKeys = new WeakMap<Uint8Array, Promise<webcrypto.CryptoKey>>();

function hmacKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  let key = cryptoKeys.get(secret);
  if (!key) {
    const bytes = new Uint8Array(secret);
    key = webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    cryptoKeys.set(secret, key);
  }
  return key;
}

/**
 * Mints a token for one side of one channel of one session.
 * `now` (milliseconds) exists for tests and clock-skew checks; production callers leave it out.
 */
export async function mintRelayToken(
  secret: Uint8Array,
  kid: string,
  claims: RelayTokenSubject & { readonly rec?: RelayRecordingClaim },
  ttlSec: number,
  now: number = Date.now(),
): Promise<string> {
  if (!isRelayTokenSubject(claims)) throw new TypeError('Invalid relay token subject (sid, ch or role)');
  if (claims.rec !== undefined && !isRecordingClaim(claims.rec))
    throw new TypeError('Invalid relay token recording claim');
  if (!Number.isInteger(ttlSec) || ttlSec < 1 || ttlSec > RELAY_TOKEN_MAX_TTL_SEC) {
    throw new RangeError(`Relay token lifetime must be 1..${RELAY_TOKEN_MAX_TTL_SEC} seconds`);
  }
  const iat = Math.floor(now / 1000);
  const payload: Record<string, unknown> = { sid: claims.sid, ch: claims.ch, role: claims.role };
  if (claims.rec) payload.rec = { mode: claims.rec.mode, tech: claims.rec.tech, device: claims.rec.device };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: RELAY_TOKEN_ALG, typ: RELAY_TOKEN_TYPE, kid })
    .setAudience(RELAY_AUDIENCE)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ttlSec)
    .setJti(randomUUID())
    .sign(await hmacKey(secret));
}

export interface RelayTokenExpectation extends Partial<RelayTokenSubject> {
  /** Milliseconds since the epoch; defaults to now. */
  readonly now?: number;
}

/**
 * Verifies a token against the accepted keys (selected by `kid`) and, when given, the expected
 * session, channel and role. Throws {@link RelayTokenError}; never returns a partially checked token.
 */
export async function verifyRelayToken(
  token: string,
  keys: readonly RelayKey[],
  expected: RelayTokenExpectation = {},
): Promise<RelayTokenClaims> {
  if (typeof token !== 'string' || token.length > RELAY_TOKEN_MAX_CHARS || !COMPACT_JWS_PATTERN.test(token)) {
    throw new RelayTokenError('malformed');
  }
  // jose reads the header and claims with JSON.parse, which keeps the last of two equal keys: a
  // token whose signed JSON says `role` twice must not mean whichever one a parser happens to keep.
  const [headerSegment, claimsSegment] = token.split('.');
  if (!isStrictJsonSegment(headerSegment) || !isStrictJsonSegment(claimsSegment))
    throw new RelayTokenError('malformed');
  const now = expected.now ?? Date.now();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(
      token,
      // jose has refused every algorithm but HS256 (alg "none" included) before it asks for a key.
      (header) => {
        const key = keys.find((k) => k.kid === header.kid);
        if (!key) throw new RelayTokenError('unknown_key');
        return hmacKey(key.secret);
      },
      {
        algorithms: [RELAY_TOKEN_ALG],
        audience: RELAY_AUDIENCE,
        typ: RELAY_TOKEN_TYPE,
        clockTolerance: RELAY_TOKEN_CLOCK_TOLERANCE_SEC,
        currentDate: new Date(now),
        requiredClaims: ['sid', 'ch', 'role', 'iat', 'exp', 'jti'],
      },
    ));
  } catch (err) {
    throw err instanceof RelayTokenError ? err : new RelayTokenError(failureOf(err));
  }
  const claims = toClaims(payload);
  if (claims.iat * 1000 > now + RELAY_TOKEN_CLOCK_TOLERANCE_SEC * 1000) {
    throw new RelayTokenError('not_yet_valid');
  }
  for (const field of ['sid', 'ch', 'role'] as const) {
    if (expected[field] !== undefined && expected[field] !== claims[field]) {
      throw new RelayTokenError('mismatch');
    }
  }
  return claims;
}

/** A base64url segment holding one JSON object with no duplicate keys. */
function isStrictJsonSegment(segment: string): boolean {
  const text = Buffer.from(segment, 'base64url').toString('utf8');
  return text.trimStart().startsWith('{') && findJsonProblem(text) === undefined;
}

function failureOf(err: unknown): RelayTokenFailure {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return 'not_yet_valid';
    if (err.claim === 'aud') return 'audience';
    return 'claims';
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  return 'malformed';
}

const CLAIM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function isRecordingClaim(value: unknown): value is RelayRecordingClaim {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const idOrNull = (x: unknown): boolean => x === null || (typeof x === 'string' && CLAIM_ID_PATTERN.test(x));
  return (
    Object.keys(v).length === 3 &&
    (v.mode === 'optional' || v.mode === 'required') &&
    idOrNull(v.tech) &&
    idOrNull(v.device)
  );
}

function toClaims(payload: Record<string, unknown>): RelayTokenClaims {
  const { sid, ch, role, iat, exp, jti, rec } = payload;
  if (
    !isRelaySessionId(sid) ||
    !isRelayChannel(ch) ||
    !isRelayRole(role) ||
    typeof jti !== 'string' ||
    !JTI_PATTERN.test(jti) ||
    !Number.isSafeInteger(iat) ||
    !Number.isSafeInteger(exp)
  ) {
    throw new RelayTokenError('claims');
  }
  const issued = iat as number;
  const expires = exp as number;
  if (expires <= issued || expires - issued > RELAY_TOKEN_MAX_TTL_SEC) throw new RelayTokenError('claims');
  if (rec !== undefined && !isRecordingClaim(rec)) throw new RelayTokenError('claims');
  const claims = { sid, ch, role, aud: RELAY_AUDIENCE, iat: issued, exp: expires, jti } as const;
  return rec === undefined ? claims : { ...claims, rec };
}
