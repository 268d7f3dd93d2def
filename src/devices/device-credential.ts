import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device credentials are 256 random bits (base64url). Because they cannot be guessed or looked up in a
 * dictionary, a single SHA-256 is enough to store them (a slow password hash would only slow down every
 * control-channel connect); comparison is constant-time.
 */
export function newDeviceCredential(): string {
  return randomBytes(32).toString('base64url');
}

export function hashDeviceCredential(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('hex');
}

/** Constant-time check of a presented credential against a stored hash (hex). */
export function deviceCredentialMatches(credential: string, storedHash: string): boolean {
  const presented = Buffer.from(hashDeviceCredential(credential), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
