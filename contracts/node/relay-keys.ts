import { createHash, hkdfSync } from 'node:crypto';

/**
 * Keys derived from `RELAY_SECRET` (and `RELAY_SECRET_PREVIOUS` during a rotation).
 *
 * The configured secret is never used directly: HKDF-SHA256 derives one 256-bit key per purpose, so a
 * token key can never verify an event signature and vice versa. Derivation happens once, at boot; the
 * derived bytes are kept as a `Uint8Array`.
 */
export type RelayKeyPurpose = 'token' | 'signing';

export interface RelayKey {
  /** Public key id (`kid` header of tokens): a short hash of the derived key, never the key itself. */
  readonly kid: string;
  readonly secret: Uint8Array;
}

/** The current key (signs) and every key accepted for verification (current first, then previous). */
export interface RelayKeyring {
  readonly current: RelayKey;
  readonly accepted: readonly RelayKey[];
}

const HKDF_SALT = 'kwgroup-relay/v1';
const KEY_BYTES = 32;
const KID_CHARS = 12;

export function deriveRelayKey(secret: string, purpose: RelayKeyPurpose): RelayKey {
  if (!secret) throw new Error('A relay secret is required');
  const derived = new Uint8Array(
    hkdfSync('sha256', Buffer.from(secret, 'utf8'), HKDF_SALT, `relay-${purpose}`, KEY_BYTES),
  );
  const kid = createHash('sha256').update('kid:').update(derived).digest('base64url').slice(0, KID_CHARS);
  return Object.freeze({ kid, secret: derived });
}

/** Builds the keyring for one purpose; `previous` is accepted for verification only. */
export function createRelayKeyring(
  secret: string,
  previous: string | undefined,
  purpose: RelayKeyPurpose,
): RelayKeyring {
  const current = deriveRelayKey(secret, purpose);
  const accepted = [current];
  if (previous && previous !== secret) accepted.push(deriveRelayKey(previous, purpose));
  return Object.freeze({ current, accepted: Object.freeze(accepted) });
}
