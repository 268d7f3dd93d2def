import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes → 43 base64url characters (256 bits; the issue asks for at least 128). */
const TOKEN_BYTES = 32;
export const SUPPORT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSupportToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The lookup key stored in the database (hex SHA-256). Tokens are random, so no salt or slow hash is needed. */
export function hashSupportToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a path segment can be a support token at all (checked before any database lookup). */
export function isSupportTokenShape(value: unknown): value is string {
  return typeof value === 'string' && SUPPORT_TOKEN_PATTERN.test(value);
}
