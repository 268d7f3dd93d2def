import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File, under DATA_DIR, holding the development relay secret shared by the portal and the relay. */
export const DEV_SECRET_FILE = 'relay-secret';

/**
 * Reads the development relay secret from the data folder, creating it once (mode 0600) when missing.
 * Both the portal and the relay call this, so the exclusive create decides who writes it.
 * Returns the secret and whether this call created it.
 */
export function loadOrCreateDevSecret(dataDir: string): { secret: string; created: boolean } {
  const file = join(dataDir, DEV_SECRET_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  try {
    writeFileSync(file, randomBytes(48).toString('base64url') + '\n', { flag: 'wx', mode: 0o600 });
    return { secret: readFileSync(file, 'utf8').trim(), created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { secret: readFileSync(file, 'utf8').trim(), created: false };
  }
}

/** Values that must never be accepted as a production secret (documentation examples). */
export const KNOWN_EXAMPLE_SECRETS: readonly string[] = [
  'change-me-to-a-long-random-string-of-at-least-32-bytes',
  'changeme',
  'secret',
];

/** Why a relay secret is unacceptable in production, or null when it is acceptable. */
export function relaySecretProblem(secret: string | undefined): string | null {
  if (!secret) return 'is required when NODE_ENV=production';
  if (Buffer.byteLength(secret, 'utf8') < 32) return 'must be at least 32 bytes long';
  if (KNOWN_EXAMPLE_SECRETS.includes(secret)) return 'must not be the example value from .env.example';
  return null;
}
