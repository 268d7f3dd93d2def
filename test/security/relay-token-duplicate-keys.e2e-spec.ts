import { createHmac, randomUUID } from 'node:crypto';
import type { RelayServer } from '../../relay/relay-server';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import { findJsonProblem } from '../../contracts/strict-json';
import { TOKEN_KEY, expectRefused, openClient, subjectFor, withRelay } from '../relay/support/relay-harness';

/**
 * A correctly HS256-signed relay token whose header or claims repeat a key. JSON.parse keeps the
 * last value, so `"role":"agent", ... "role":"tech"` would otherwise be read as a tech token.
 * The JSON is written by hand (as an attacker holding a signing oracle or a lenient minter would).
 */
function signRaw(headerJson: string, claimsJson: string): string {
  const enc = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
  const input = `${enc(headerJson)}.${enc(claimsJson)}`;
  const sig = createHmac('sha256', Buffer.from(TOKEN_KEY.secret)).update(input).digest('base64url');
  return `${input}.${sig}`;
}

function header(extra = ''): string {
  return `{"alg":"HS256","typ":"relay+jwt","kid":"${TOKEN_KEY.kid}"${extra}}`;
}

function claims(sid: string, roles: string[]): string {
  const now = Math.floor(Date.now() / 1000);
  const roleFields = roles.map((r) => `"role":"${r}"`).join(',');
  return `{"sid":"${sid}","ch":"screen",${roleFields},"aud":"relay","iat":${now},"nbf":${now},"exp":${now + 60},"jti":"${randomUUID()}"}`;
}

describe('relay tokens with duplicate JSON keys (real relay, real sockets)', () => {
  let relay: RelayServer;
  beforeAll(async () => {
    relay = await withRelay();
  });
  afterAll(() => relay.close());

  it('accepts the same hand-signed token without duplicates (the signing here is correct)', async () => {
    const sid = randomUUID();
    const ws = await openClient(relay, subjectFor('tech', sid), {
      token: signRaw(header(), claims(sid, ['tech'])),
    });
    ws.terminate();
  });

  it('refuses two role keys in the claims with 401 before the upgrade', async () => {
    const sid = randomUUID();
    const token = signRaw(header(), claims(sid, ['agent', 'tech']));
    const refusal = await expectRefused(relay, subjectFor('tech', sid), { token });
    expect(refusal.status).toBe(401);
    expect(refusal.closeCode).toBe(RelayCloseCode.InvalidToken);
  });

  it('refuses a duplicate key in the header with 401 before the upgrade', async () => {
    const sid = randomUUID();
    const token = signRaw(header(`,"typ":"relay+jwt"`), claims(sid, ['tech']));
    const refusal = await expectRefused(relay, subjectFor('tech', sid), { token });
    expect(refusal.status).toBe(401);
  });

  it('refuses a key repeated through an escape ("rol\\u0065") too', async () => {
    const sid = randomUUID();
    const token = signRaw(header(), claims(sid, ['agent']).replace('}', ',"rol\\u0065":"tech"}'));
    const refusal = await expectRefused(relay, subjectFor('tech', sid), { token });
    expect(refusal.status).toBe(401);
  });

  it('the strict scanner finds duplicates at any depth and accepts clean JSON', () => {
    expect(findJsonProblem('{"a":1,"b":{"c":[1,{"d":true}]}}')).toBeUndefined();
    expect(findJsonProblem('{"a":1,"b":{"c":1,"c":2}}')).toMatch(/duplicate key "c"/);
    expect(findJsonProblem('{"a":1,}')).toBeDefined();
    expect(findJsonProblem('{"a":1} x')).toBeDefined();
  });
});
