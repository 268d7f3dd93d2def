import { loadOrCreateDevSecret, relaySecretProblem } from './dev-secret';
import type { EnvReader } from './env-reader';

/**
 * The settings both the portal and the relay read, parsed once: the relay secret (and its production
 * rules), the session lifetime and the pairing timeout. Each process reads the rest of its own
 * environment; see README's configuration table for what each variable means.
 */

/** `RELAY_SESSION_TTL_SEC`: the relay cuts a paired session after this long. */
export const RELAY_SESSION_TTL_SEC = {
  name: 'RELAY_SESSION_TTL_SEC',
  fallback: 3600,
  min: 10,
  max: 86_400,
} as const;
/** `RELAY_PAIR_TIMEOUT_SEC`: how long one side waits at the relay for the other. */
export const RELAY_PAIR_TIMEOUT_SEC = {
  name: 'RELAY_PAIR_TIMEOUT_SEC',
  fallback: 60,
  min: 1,
  max: 3600,
} as const;

export function readRelaySessionTtlSec(r: EnvReader): number {
  const { name, fallback, min, max } = RELAY_SESSION_TTL_SEC;
  return r.int(name, fallback, min, max);
}

export function readRelayPairTimeoutSec(r: EnvReader): number {
  const { name, fallback, min, max } = RELAY_PAIR_TIMEOUT_SEC;
  return r.int(name, fallback, min, max);
}

export interface RelaySecrets {
  /** `RELAY_SECRET`, or the development secret; undefined only when production refused it (missing). */
  readonly secret: string | undefined;
  /** `RELAY_SECRET_PREVIOUS`, still accepted during a rotation. */
  readonly previous: string | undefined;
  /** True when this call created the development secret file (worth one log line). */
  readonly generated: boolean;
}

/**
 * `RELAY_SECRET` and `RELAY_SECRET_PREVIOUS`. In production the secret is required, at least 32 bytes
 * and not an example value; elsewhere a set secret must be at least 32 bytes, and an unset one is
 * read from (or created in) the data folder, so the portal and the relay on one machine share it.
 * `dataDir` is only called then.
 */
export function readRelaySecrets(r: EnvReader, production: boolean, dataDir: () => string): RelaySecrets {
  let secret = r.optionalString('RELAY_SECRET', /^.{1,4096}$/s, 'a secret string');
  let generated = false;
  if (production) {
    const problem = relaySecretProblem(secret);
    if (problem) r.fail('RELAY_SECRET', `${problem} (generate one with: openssl rand -base64 48)`);
  } else if (!secret) {
    const dev = loadOrCreateDevSecret(dataDir());
    secret = dev.secret;
    generated = dev.created;
  } else if (Buffer.byteLength(secret) < 32) {
    r.fail('RELAY_SECRET', 'must be at least 32 bytes long');
  }
  const previous = r.optionalString('RELAY_SECRET_PREVIOUS', /^.{32,4096}$/s, 'at least 32 bytes long');
  return { secret, previous, generated };
}
