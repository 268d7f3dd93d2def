import { performance } from 'node:perf_hooks';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, TestApp } from '../support/test-app';

function cookieOf(res: { headers: Record<string, unknown> }, name = 'qs.sid'): string {
  const set = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const c = set.find((s) => s.startsWith(`${name}=`));
  if (!c) throw new Error('no session cookie set');
  return c;
}
const sid = (cookie: string): string => cookie.split(';')[0];

describe('technician login (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs in with the first admin and sets an HttpOnly, SameSite=Lax session cookie', async () => {
    const res = await t
      .browser()
      .post('/api/auth/login')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
    expect(res.body.user).toMatchObject({ email: ADMIN_EMAIL, role: 'admin', disabled: false });
    expect(res.body.user.passwordHash).toBeUndefined();
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('accepts the email in any letter case', async () => {
    await t
      .browser()
      .post('/api/auth/login')
      .send({ email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD })
      .expect(200);
  });

  it('issues a new session id at login, and the pre-login id grants nothing', async () => {
    const agent = t.browser();
    const pre = await agent.get('/api/auth/csrf').set('X-Forwarded-For', '192.0.2.50').expect(200);
    const before = sid(cookieOf(pre));
    const login = await agent
      .post('/api/auth/login')
      .set('X-Forwarded-For', '192.0.2.50')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
    const after = sid(cookieOf(login));
    expect(after).not.toEqual(before);
    await t.http().get('/api/auth/me').set('Cookie', before).expect(401);
    await t.http().get('/api/auth/me').set('Cookie', after).expect(200);
  });

  it('logout ends the session: replaying the old cookie gets 401', async () => {
    const agent = t.browser();
    const login = await agent
      .post('/api/auth/login')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
    const cookie = sid(cookieOf(login));
    await agent.post('/api/auth/logout').expect(204);
    const replay = await t.http().get('/api/auth/me').set('Cookie', cookie).expect(401);
    expect(replay.body).toEqual({ code: 'unauthenticated', message: expect.any(String) });
    await t.http().post('/api/auth/logout').set('Cookie', cookie).set('Origin', t.baseUrl).expect(401);
  });

  it('answers an unknown email and a wrong password identically, after similar work', async () => {
    const attempt = async (email: string, ip: string) => {
      const start = performance.now();
      const res = await t
        .browser()
        .post('/api/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email, password: 'not-the-password-123' });
      return { res, ms: performance.now() - start };
    };
    const unknown = [];
    const wrong = [];
    for (let i = 0; i < 4; i++) {
      unknown.push(await attempt(`nobody-${i}@example.test`, '192.0.2.10'));
      wrong.push(await attempt(ADMIN_EMAIL, '192.0.2.11'));
    }
    for (const a of [...unknown, ...wrong]) {
      expect(a.res.status).toBe(401);
      expect(a.res.body).toEqual({
        code: 'invalid_credentials',
        message: 'The email or password is not correct.',
      });
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratio = median(unknown.map((a) => a.ms)) / median(wrong.map((a) => a.ms));
    // Both paths run one full scrypt verification; a shortcut for unknown users would be ~10x faster.
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(2.5);
  });

  it('throttles repeated failures for one account from one address with 429 + Retry-After, without locking the owner out elsewhere', async () => {
    const attacker = '198.51.100.7';
    for (let i = 0; i < 5; i++) {
      await t
        .browser()
        .post('/api/auth/login')
        .set('X-Forwarded-For', attacker)
        .send({ email: ADMIN_EMAIL, password: 'guess-' + i + '-wrong' })
        .expect(401);
    }
    const blocked = await t
      .browser()
      .post('/api/auth/login')
      .set('X-Forwarded-For', attacker)
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password is refused from the throttled address...
    // ...while the real user, from their own address, still gets in.
    await t
      .browser()
      .post('/api/auth/login')
      .set('X-Forwarded-For', '203.0.113.20')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
  });

  it('throttles one address that sprays many accounts', async () => {
    const sprayer = '198.51.100.99';
    let last = 0;
    for (let i = 0; i < 21; i++) {
      const res = await t
        .browser()
        .post('/api/auth/login')
        .set('X-Forwarded-For', sprayer)
        .send({ email: `user${i}@example.test`, password: 'Password1234!' });
      last = res.status;
      if (res.status === 429) break;
    }
    expect(last).toBe(429);
  });

  it('refuses a missing or oversized credential with 400, not a login attempt', async () => {
    const res = await t.browser().post('/api/auth/login').send({ email: ADMIN_EMAIL });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    await t
      .browser()
      .post('/api/auth/login')
      .send({ email: ADMIN_EMAIL, password: 'x'.repeat(300) })
      .expect(400);
  });
});

describe('cross-site request protection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'error' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a POST whose Origin is another site', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('Origin', 'https://evil.example')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('cross_site_request');
  });

  it('refuses a POST the browser marks Sec-Fetch-Site: cross-site, even with a session', async () => {
    const agent = await t.loginAs();
    const res = await agent
      .post('/api/users')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ email: 'x@example.test', displayName: 'X', role: 'technician' });
    expect(res.status).toBe(403);
    const list = await agent.get('/api/users').expect(200);
    expect(list.body.items.map((u: { email: string }) => u.email)).not.toContain('x@example.test');
  });

  it('fails closed when neither Origin nor Sec-Fetch-Site is sent and no CSRF token is given', async () => {
    await t.http().post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(403);
  });

  it('accepts a header-less client that presents the session CSRF token', async () => {
    const agent = t.http();
    const { body } = await agent.get('/api/auth/csrf').expect(200);
    await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', 'wrong-token-wrong-token-wrong-tok')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(403);
    await agent
      .post('/api/auth/login')
      .set('X-CSRF-Token', body.csrfToken)
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
  });

  it('accepts Sec-Fetch-Site: same-origin', async () => {
    await t
      .http()
      .post('/api/auth/login')
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
  });
});

describe('Secure cookie behind an https reverse proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ PORTAL_ORIGIN: 'https://portal.example.test', TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('marks the session cookie Secure when the proxy says the request came over https', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('Origin', 'https://portal.example.test')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
    // An https origin names it __Host-qs.sid (test/security/production-transport.e2e-spec.ts).
    expect(cookieOf(res, '__Host-qs.sid')).toMatch(/;\s*Secure/i);
  });
});

describe('request bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers malformed JSON with 400 malformed_json and no stack trace', async () => {
    const res = await t
      .browser()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.c", ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'malformed_json', message: 'The request body is not valid JSON.' });
    expect(res.text).not.toMatch(/at \w+ \(|node_modules|SyntaxError/);
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const res = await t
      .browser()
      .post('/api/auth/login')
      .send({ email: ADMIN_EMAIL, password: 'x', pad: 'y'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
    expect(res.text).not.toMatch(/at \w+ \(|node_modules/);
  });

  it('answers unknown API routes with JSON 404, never the dashboard', async () => {
    const res = await t.http().get('/api/does-not-exist').expect(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.code).toBe('not_found');
  });

  it('reports health with the database reachable', async () => {
    const res = await t.http().get('/api/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up' });
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.http().get('/api/docs-json').expect(200);
    expect(res.body.paths['/api/auth/login']).toBeDefined();
    expect(res.body.paths['/api/users']).toBeDefined();
  });
});
