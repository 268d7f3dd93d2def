import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { hashSupportToken, isSupportTokenShape, newSupportToken } from './support-token';
import { SupportTokenCipher } from './support-token-cipher';

const cipherFor = (sessionSecret: string): SupportTokenCipher =>
  new SupportTokenCipher({ sessionSecret } as AppConfig);

describe('support tokens', () => {
  it('are 256 random bits in base64url, unique, and hashed for lookup', () => {
    const tokens = Array.from({ length: 1000 }, () => newSupportToken());
    expect(new Set(tokens).size).toBe(1000);
    for (const t of tokens.slice(0, 20)) {
      expect(isSupportTokenShape(t)).toBe(true);
      expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    }
    expect(hashSupportToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(isSupportTokenShape('a'.repeat(42))).toBe(false);
    expect(isSupportTokenShape(`${'a'.repeat(42)}/`)).toBe(false);
  });
});

describe('SupportTokenCipher', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const cipher = cipherFor('a session secret of at least thirty-two bytes');

  it('round-trips, with a fresh IV each time', () => {
    const token = newSupportToken();
    const a = cipher.encrypt(token);
    const b = cipher.encrypt(token);
    expect(a).not.toBe(b);
    expect(a).not.toContain(token);
    expect(cipher.decrypt(a)).toBe(token);
    expect(cipher.decrypt(b)).toBe(token);
  });

  it('gives null for tampering, another key, or junk', () => {
    const sealed = cipher.encrypt(newSupportToken());
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[2], 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    parts[2] = flipped.toString('base64url');
    expect(cipher.decrypt(parts.join('.'))).toBeNull();
    expect(cipherFor('another secret, also thirty-two bytes long').decrypt(sealed)).toBeNull();
    expect(cipher.decrypt('v2.a.b.c')).toBeNull();
    expect(cipher.decrypt('')).toBeNull();
    expect(cipher.decrypt(null)).toBeNull();
  });
});
