import { Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config';

const VERSION = 'v1';

/**
 * Encrypts public support tokens at rest so a technician can copy the customer's link again later.
 *
 * Why not store the token plainly: a leaked database dump or backup would then hand out every live
 * connect link. Why not store only the hash: the dashboard must be able to show the link again (Copy
 * URL, QR) after the creating request. So the row keeps a SHA-256 for lookups and an AES-256-GCM
 * ciphertext for display; the key is derived (HKDF) from the portal's session secret, which is not in
 * the database. If that secret changes, old links still work but cannot be shown again (null).
 */
@Injectable()
export class SupportTokenCipher {
  private readonly logger = new Logger(SupportTokenCipher.name);
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(
      hkdfSync('sha256', config.sessionSecret, 'quick-support', 'support-token-encryption-v1', 32),
    );
  }

  encrypt(token: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  /** The token, or null when the value is missing or was encrypted under another key. */
  decrypt(value: string | null | undefined): string | null {
    if (!value) return null;
    const [version, iv, body, tag] = value.split('.');
    if (version !== VERSION || !iv || !body || !tag) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch (err) {
      this.logger.warn(
        `A stored support link could not be decrypted (${err instanceof Error ? err.name : 'error'}); was SESSION_SECRET changed?`,
      );
      return null;
    }
  }
}
