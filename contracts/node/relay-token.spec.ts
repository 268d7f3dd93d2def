import { SignJWT } from 'jose';
import { createRelayKeyring, deriveRelayKey } from './relay-keys';
import {
  RELAY_TOKEN_MAX_TTL_SEC,
  RelayTokenError,
  mintRelayToken,
  verifyRelayToken,
  type RelayTokenFailure,
  type RelayTokenSubject,
} from './relay-token';

const SECRET = 'unit-test-relay-secret-0123456789abcdef-0123456789';
const OLD_SECRET = 'old-unit-test-relay-secret-0123456789abcdef-012345';
const keyring = createRelayKeyring(SECRET, undefined, 'token');
const key = keyring.current;
const subject: RelayTokenSubject = {
  sid: '6f1c2b9e-3f0a-4d2b-9a51-0c7e5d2f8a10',
  ch: 'screen',
  role: 'tech',
};

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

async function reason(promise: Promise<unknown>): Promise<RelayTokenFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RelayTokenError) return err.reason;
    throw err;
  }
  throw new Error('the token was accepted');
}

describe('relay tokens', () => {
  it('round-trips every claim', async () => {
    const now = Date.now();
    const token = await mintRelayToken(key.secret, key.kid, subject, 600, now);
    const claims = await verifyRelayToken(token, keyring.accepted, { ...subject, now });
    expect(claims).toMatchObject({
      ...subject,
      aud: 'relay',
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + 600,
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(header).toEqual({ alg: 'HS256', typ: 'relay+jwt', kid: key.kid });
  });

  it('gives each token a unique id', async () => {
    const a = await verifyRelayToken(
      await mintRelayToken(key.secret, key.kid, subject, 60),
      keyring.accepted,
    );
    const b = await verifyRelayToken(
      await mintRelayToken(key.secret, key.kid, subject, 60),
      keyring.accepted,
    );
    expect(a.jti).not.toBe(b.jti);
  });

  it('refuses to mint beyond the maximum lifetime or for an invalid subject', async () => {
    await expect(mintRelayToken(key.secret, key.kid, subject, RELAY_TOKEN_MAX_TTL_SEC + 1)).rejects.toThrow(
      RangeError,
    );
    await expect(mintRelayToken(key.secret, key.kid, { ...subject, ch: 'Screen!' }, 60)).rejects.toThrow(
      TypeError,
    );
    await expect(mintRelayToken(key.secret, key.kid, { ...subject, sid: '' }, 60)).rejects.toThrow(TypeError);
  });

  it('accepts new channel names that match the pattern', async () => {
    const token = await mintRelayToken(key.secret, key.kid, { ...subject, ch: 'clipboard' }, 60);
    await expect(verifyRelayToken(token, keyring.accepted, { ch: 'clipboard' })).resolves.toMatchObject({
      ch: 'clipboard',
    });
  });

  it('rejects a forged signature (payload changed, or signed with another secret under our kid)', async () => {
    const token = await mintRelayToken(key.secret, key.kid, subject, 60);
    const [h, , s] = token.split('.');
    const forgedPayload = `${h}.${b64({ sid: 'other-session', ch: 'screen', role: 'tech', aud: 'relay', iat: 1, exp: 2, jti: 'abcdefgh' })}.${s}`;
    expect(await reason(verifyRelayToken(forgedPayload, keyring.accepted))).toBe('bad_signature');
    const other = deriveRelayKey('attacker-secret-0123456789abcdef-0123456789abcdef', 'token');
    const forged = await mintRelayToken(other.secret, key.kid, subject, 60);
    expect(await reason(verifyRelayToken(forged, keyring.accepted))).toBe('bad_signature');
  });

  it('rejects a truncated MAC', async () => {
    const token = await mintRelayToken(key.secret, key.kid, subject, 60);
    // Depending on the cut, the MAC either fails to decode or fails to verify: both are refusals.
    for (const cut of [1, 2, 10, 42]) {
      expect(await reason(verifyRelayToken(token.slice(0, -cut), keyring.accepted))).toMatch(
        /^(bad_signature|malformed)$/,
      );
    }
    expect(await reason(verifyRelayToken(token.slice(0, token.lastIndexOf('.') + 1), keyring.accepted))).toBe(
      'bad_signature',
    );
  });

  it('rejects alg none and any algorithm other than HS256', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { ...subject, aud: 'relay', iat: now, exp: now + 60, jti: 'abcdefgh-1234' };
    const none = `${b64({ alg: 'none', typ: 'relay+jwt', kid: key.kid })}.${b64(payload)}.`;
    expect(await reason(verifyRelayToken(none, keyring.accepted))).toBe('algorithm');
    const hs512 = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS512', typ: 'relay+jwt', kid: key.kid })
      .sign(key.secret);
    expect(await reason(verifyRelayToken(hs512, keyring.accepted))).toBe('algorithm');
  });

  it('rejects an expired token and a token not valid yet (beyond the 5 s tolerance)', async () => {
    const now = Date.now();
    const expired = await mintRelayToken(key.secret, key.kid, subject, 60, now - 120_000);
    expect(await reason(verifyRelayToken(expired, keyring.accepted, { now }))).toBe('expired');
    const future = await mintRelayToken(key.secret, key.kid, subject, 60, now + 60_000);
    expect(await reason(verifyRelayToken(future, keyring.accepted, { now }))).toBe('not_yet_valid');
    const slightlyAhead = await mintRelayToken(key.secret, key.kid, subject, 60, now + 2000);
    await expect(verifyRelayToken(slightlyAhead, keyring.accepted, { now })).resolves.toMatchObject(subject);
  });

  it('rejects the wrong audience, type or a lifetime above the maximum even when signed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (payload: Record<string, unknown>, typ = 'relay+jwt'): Promise<string> =>
      new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ, kid: key.kid }).sign(key.secret);
    const good = { ...subject, aud: 'relay', iat: now, exp: now + 60, jti: 'abcdefgh-1234' };
    expect(await reason(verifyRelayToken(await sign({ ...good, aud: 'portal' }), keyring.accepted))).toBe(
      'audience',
    );
    expect(await reason(verifyRelayToken(await sign(good, 'JWT'), keyring.accepted))).toBe('claims');
    expect(await reason(verifyRelayToken(await sign({ ...good, exp: now + 3600 }), keyring.accepted))).toBe(
      'claims',
    );
    expect(await reason(verifyRelayToken(await sign({ ...good, role: 'admin' }), keyring.accepted))).toBe(
      'claims',
    );
    const { jti: _jti, ...noJti } = good;
    expect(await reason(verifyRelayToken(await sign(noJti), keyring.accepted))).toBe('claims');
  });

  it('rejects a token for another role, session or channel than expected', async () => {
    const agentToken = await mintRelayToken(key.secret, key.kid, { ...subject, role: 'agent' }, 60);
    expect(await reason(verifyRelayToken(agentToken, keyring.accepted, { ...subject, role: 'tech' }))).toBe(
      'mismatch',
    );
    const token = await mintRelayToken(key.secret, key.kid, subject, 60);
    expect(await reason(verifyRelayToken(token, keyring.accepted, { sid: 'another-session' }))).toBe(
      'mismatch',
    );
    expect(await reason(verifyRelayToken(token, keyring.accepted, { ch: 'shell' }))).toBe('mismatch');
  });

  it('rejects garbage, oversize tokens and unknown key ids', async () => {
    expect(await reason(verifyRelayToken('not-a-token', keyring.accepted))).toBe('malformed');
    expect(await reason(verifyRelayToken(`${'a'.repeat(2000)}.b.c`, keyring.accepted))).toBe('malformed');
    expect(await reason(verifyRelayToken('e30.e30.', keyring.accepted))).toBe('malformed');
    const stranger = deriveRelayKey('unknown-secret-0123456789abcdef-0123456789abcdef', 'token');
    const token = await mintRelayToken(stranger.secret, stranger.kid, subject, 60);
    expect(await reason(verifyRelayToken(token, keyring.accepted))).toBe('unknown_key');
  });

  it('accepts tokens from the previous secret during a rotation, and only then', async () => {
    const old = deriveRelayKey(OLD_SECRET, 'token');
    const token = await mintRelayToken(old.secret, old.kid, subject, 60);
    const rotating = createRelayKeyring(SECRET, OLD_SECRET, 'token');
    await expect(verifyRelayToken(token, rotating.accepted)).resolves.toMatchObject(subject);
    expect(await reason(verifyRelayToken(token, keyring.accepted))).toBe('unknown_key');
  });
});
