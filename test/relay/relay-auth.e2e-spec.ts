import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import { createRelayKeyring, deriveRelayKey } from '../../contracts/node/relay-keys';
import type { RelayTokenSubject } from '../../contracts/node/relay-token';
import { pino } from 'pino';
import { startRelay, type RelayServer } from '../../relay/relay-server';
import {
  OTHER_SECRET,
  TEST_SECRET,
  TOKEN_KEY,
  expectRefused,
  mint,
  openClient,
  subjectFor,
  testRelayConfig,
  until,
  withRelay,
  wsUrl,
} from './support/relay-harness';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('relay: tokens are checked before the upgrade', () => {
  let relay: RelayServer;
  beforeAll(async () => {
    relay = await withRelay({ tokenKeys: createRelayKeyring(TEST_SECRET, OTHER_SECRET, 'token') });
  });
  afterAll(() => relay.close());

  const tech = (sid?: string): RelayTokenSubject => subjectFor('tech', sid);

  it('upgrades a valid tech token from Sec-WebSocket-Protocol and answers relay.v1', async () => {
    const ws = await openClient(relay, tech(), { via: 'protocol' });
    expect(ws.protocol).toBe('relay.v1');
    ws.close();
  });

  it('upgrades a valid agent token from the Authorization header', async () => {
    const ws = await openClient(relay, subjectFor('agent'), { via: 'header' });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('accepts a token signed with RELAY_SECRET_PREVIOUS during a rotation', async () => {
    const subject = tech();
    const ws = await openClient(relay, subject, {
      token: await mint(subject, { key: deriveRelayKey(OTHER_SECRET, 'token') }),
    });
    ws.close();
  });

  it('answers 401 with no token at all', async () => {
    const refusal = await expectRefused(relay, tech(), { token: '' });
    expect(refusal).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.InvalidToken,
      body: { code: 'invalid_token' },
    });
  });

  it('refuses a forged signature and upgrades nothing', async () => {
    const subject = tech();
    const upgradedBefore = relay.metrics.connectionsTotal;
    const attacker = deriveRelayKey('attacker-secret-0123456789abcdef-0123456789abcdef', 'token');
    const forged = await mint(subject, { key: { kid: TOKEN_KEY.kid, secret: attacker.secret } });
    expect(await expectRefused(relay, subject, { token: forged })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.InvalidToken,
    });
    const [h, , s] = (await mint(subject)).split('.');
    const now = Math.floor(Date.now() / 1000);
    const swapped = `${h}.${b64({ ...subject, sid: randomUUID(), aud: 'relay', iat: now, exp: now + 60, jti: randomUUID() })}.${s}`;
    expect(await expectRefused(relay, subject, { token: swapped })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.InvalidToken,
    });
    expect(relay.metrics.connectionsTotal).toBe(upgradedBefore);
  });

  it('refuses a truncated MAC', async () => {
    const subject = tech();
    const token = await mint(subject);
    for (const cut of [1, 8, 43]) {
      expect(await expectRefused(relay, subject, { token: token.slice(0, -cut) })).toMatchObject({
        status: 401,
        closeCode: RelayCloseCode.InvalidToken,
      });
    }
  });

  it('refuses alg none and other algorithms', async () => {
    const subject = tech();
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...subject, aud: 'relay', iat: now, exp: now + 60, jti: randomUUID() };
    const none = `${b64({ alg: 'none', typ: 'relay+jwt', kid: TOKEN_KEY.kid })}.${b64(claims)}.`;
    expect(await expectRefused(relay, subject, { token: none })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.InvalidToken,
    });
    const hs384 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS384', typ: 'relay+jwt', kid: TOKEN_KEY.kid })
      .sign(TOKEN_KEY.secret);
    expect(await expectRefused(relay, subject, { token: hs384 })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.InvalidToken,
    });
  });

  it('refuses an expired token with the "expired" code', async () => {
    const subject = tech();
    const token = await mint(subject, { ttlSec: 60, now: Date.now() - 120_000 });
    expect(await expectRefused(relay, subject, { token })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.TokenExpired,
      body: { code: 'token_expired' },
    });
  });

  it('refuses a token that is not valid yet', async () => {
    const subject = tech();
    const token = await mint(subject, { now: Date.now() + 120_000 });
    expect(await expectRefused(relay, subject, { token })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.TokenNotYetValid,
    });
  });

  it('refuses the wrong audience', async () => {
    const subject = tech();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ ...subject, jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', typ: 'relay+jwt', kid: TOKEN_KEY.kid })
      .setAudience('portal')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(TOKEN_KEY.secret);
    expect(await expectRefused(relay, subject, { token })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.InvalidToken,
    });
  });

  it('refuses an agent token used as tech and a tech token used as agent', async () => {
    const sid = randomUUID();
    const agentToken = await mint(subjectFor('agent', sid));
    expect(await expectRefused(relay, subjectFor('tech', sid), { token: agentToken })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.TokenMismatch,
    });
    const techToken = await mint(subjectFor('tech', sid));
    expect(await expectRefused(relay, subjectFor('agent', sid), { token: techToken })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.TokenMismatch,
    });
  });

  it('refuses a token for session A on session B, and for another channel', async () => {
    const token = await mint(subjectFor('tech', 'session-a'));
    expect(await expectRefused(relay, subjectFor('tech', 'session-b'), { token })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.TokenMismatch,
    });
    expect(await expectRefused(relay, subjectFor('tech', 'session-a', 'shell'), { token })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.TokenMismatch,
    });
  });

  it('accepts a token id once: a replay is refused', async () => {
    const subject = tech();
    const token = await mint(subject);
    const first = await openClient(relay, subject, { token });
    first.close();
    expect(await expectRefused(relay, subject, { token })).toMatchObject({
      status: 401,
      closeCode: RelayCloseCode.TokenReused,
    });
  });

  it('refuses a tech connection from a disallowed or missing Origin, and an agent from a browser page elsewhere', async () => {
    expect(await expectRefused(relay, tech(), { origin: 'https://evil.example' })).toMatchObject({
      status: 403,
      closeCode: RelayCloseCode.OriginNotAllowed,
    });
    expect(await expectRefused(relay, tech(), { origin: null })).toMatchObject({
      status: 403,
      closeCode: RelayCloseCode.OriginNotAllowed,
    });
    expect(await expectRefused(relay, subjectFor('agent'), { origin: 'https://evil.example' })).toMatchObject(
      { status: 403 },
    );
  });

  it('never takes a token from the query string', async () => {
    const subject = tech();
    const token = await mint(subject);
    const url = `${wsUrl(relay, subject)}&token=${token}`;
    expect(await expectRefused(relay, subject, { url, token })).toMatchObject({
      status: 400,
      closeCode: RelayCloseCode.BadRequest,
    });
  });

  it('refuses malformed requests: unknown path, missing query, two tokens, no relay.v1', async () => {
    const subject = tech();
    const base = relay.url.replace(/^http/, 'ws');
    expect(
      await expectRefused(relay, subject, { url: `${base}/other?sid=a&ch=screen&role=tech` }),
    ).toMatchObject({ status: 404 });
    expect(await expectRefused(relay, subject, { url: `${base}/ws?sid=a&role=tech` })).toMatchObject({
      status: 400,
    });
    const token = await mint(subject);
    expect(
      await expectRefused(relay, subject, {
        token,
        via: 'protocol',
        ws: { headers: { authorization: `Bearer ${token}` } },
      }),
    ).toMatchObject({ status: 400 });
    const ws = new WebSocket(wsUrl(relay, subject), [`bearer.${token}`], { origin: 'http://localhost:4200' });
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(400);
  });
});

describe('relay: tokens never reach the logs', () => {
  it('logs neither accepted nor refused tokens, even at trace level', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const relay = await startRelay(testRelayConfig(), { logger });
    try {
      const subject = subjectFor('tech');
      const token = await mint(subject);
      (await openClient(relay, subject, { token })).close();
      await expectRefused(relay, subject, { token });
      const agentToken = await mint(subjectFor('agent'));
      await expectRefused(relay, subjectFor('agent'), { token: `${agentToken}x` });
      await until(() => lines.some((l) => l.includes('refused an upgrade')));
      const text = lines.join('');
      for (const t of [token, agentToken]) {
        expect(text).not.toContain(t.split('.')[2]);
        expect(text).not.toContain(t.split('.')[1]);
      }
      expect(text).not.toMatch(/bearer\./i);
    } finally {
      await relay.close();
    }
  });
});

describe('relay: abuse limits before the upgrade', () => {
  it('answers 429 after too many failures from one address', async () => {
    const relay = await withRelay({ authFailuresPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++)
        expect((await expectRefused(relay, subjectFor('tech'), { token: 'x.y.z' })).status).toBe(401);
      const limited = await expectRefused(relay, subjectFor('tech'));
      expect(limited).toMatchObject({
        status: 429,
        closeCode: RelayCloseCode.RateLimited,
        body: { code: 'rate_limited' },
      });
    } finally {
      await relay.close();
    }
  });

  it('answers 503 when the connection limit is reached', async () => {
    const relay = await withRelay({ maxConnections: 2 });
    try {
      const a = await openClient(relay, subjectFor('agent'));
      const b = await openClient(relay, subjectFor('agent'));
      expect(await expectRefused(relay, subjectFor('agent'))).toMatchObject({
        status: 503,
        closeCode: RelayCloseCode.RelayFull,
      });
      a.close();
      b.close();
    } finally {
      await relay.close();
    }
  });
});
