import { createRelayKeyring, deriveRelayKey } from './relay-keys';

const SECRET = 'unit-test-relay-secret-0123456789abcdef-0123456789';

describe('relay keys', () => {
  it('derives the same key and kid from the same secret, and never the secret itself', () => {
    const a = deriveRelayKey(SECRET, 'token');
    const b = deriveRelayKey(SECRET, 'token');
    expect(Buffer.from(a.secret).equals(Buffer.from(b.secret))).toBe(true);
    expect(a.kid).toBe(b.kid);
    expect(a.secret).toBeInstanceOf(Uint8Array);
    expect(a.secret).toHaveLength(32);
    expect(Buffer.from(a.secret).toString('utf8')).not.toContain(SECRET.slice(0, 16));
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it('separates purposes and secrets', () => {
    const token = deriveRelayKey(SECRET, 'token');
    const signing = deriveRelayKey(SECRET, 'signing');
    const other = deriveRelayKey(`${SECRET}x`, 'token');
    expect(Buffer.from(token.secret).equals(Buffer.from(signing.secret))).toBe(false);
    expect(token.kid).not.toBe(other.kid);
  });

  it('accepts the previous secret for verification only', () => {
    const ring = createRelayKeyring(SECRET, `old-${SECRET}`, 'token');
    expect(ring.current.kid).toBe(deriveRelayKey(SECRET, 'token').kid);
    expect(ring.accepted.map((k) => k.kid)).toEqual([
      ring.current.kid,
      deriveRelayKey(`old-${SECRET}`, 'token').kid,
    ]);
    expect(createRelayKeyring(SECRET, SECRET, 'token').accepted).toHaveLength(1);
    expect(() => deriveRelayKey('', 'token')).toThrow();
  });
});
