import type TestAgent from 'supertest/lib/agent';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(60_000);

const ORIGIN = 'https://portal.example.test';
const TECH = { email: 'tech.docs@example.test', password: 'technician-password-1' };
const NOT_FOUND = { code: 'not_found', message: 'Nothing was found at this address.' };

/** The portal as production runs it: an https origin behind a TLS-terminating proxy. */
function productionApp(extra: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({ NODE_ENV: 'production', PORTAL_ORIGIN: ORIGIN, TRUST_PROXY: '1', ...extra });
}

/** A cookie-keeping client that comes "over https" through the proxy, from the portal's own origin. */
function client(t: TestApp): TestAgent {
  return t.http().set('X-Forwarded-Proto', 'https').set('Origin', ORIGIN);
}

async function signedIn(t: TestApp, email: string, password: string): Promise<string> {
  const res = await client(t).post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login as ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = ((res.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) =>
    c.startsWith('__Host-qs.sid='),
  );
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0];
}

describe('OpenAPI description exposure in production', () => {
  let t: TestApp;
  let admin: string;
  let tech: string;
  beforeAll(async () => {
    t = await productionApp();
    admin = await signedIn(t, ADMIN_EMAIL, ADMIN_PASSWORD);
    await client(t)
      .post('/api/users')
      .set('Cookie', admin)
      .send({ ...TECH, displayName: 'Docs Tech', role: 'technician' })
      .expect(201);
    tech = await signedIn(t, TECH.email, TECH.password);
  });
  afterAll(() => t.close());

  it.each(['/api/docs', '/api/docs-json', '/api/docs-yaml'])(
    '%s answers a stranger 404 not_found and names no route',
    async (path) => {
      const res = await client(t).get(path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
      expect(res.text).not.toContain('/api/users');
    },
  );

  it.each(['/api/docs', '/api/docs-json', '/api/docs-yaml'])(
    '%s answers a signed-in technician 404 too',
    async (path) => {
      const res = await client(t).get(path).set('Cookie', tech);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    },
  );

  it('serves the description and the docs page to a signed-in admin', async () => {
    const json = await client(t).get('/api/docs-json').set('Cookie', admin).expect(200);
    expect(Object.keys(json.body.paths as object)).toContain('/api/users');
    const yaml = await client(t).get('/api/docs-yaml').set('Cookie', admin).expect(200);
    expect(yaml.text).toContain('/api/users:');
    const page = await client(t).get('/api/docs').set('Cookie', admin).redirects(1);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/swagger/i);
  });
});

describe('OpenAPI description with PUBLIC_API_DOCS=true, and outside production', () => {
  it('is served to anyone when production opts in with PUBLIC_API_DOCS=true', async () => {
    const t = await productionApp({ PUBLIC_API_DOCS: 'true' });
    try {
      const res = await client(t).get('/api/docs-json').expect(200);
      expect(Object.keys(res.body.paths as object)).toContain('/api/users');
    } finally {
      await t.close();
    }
  });

  it('is served to anyone in development and tests, as before', async () => {
    const t = await createTestApp();
    try {
      await t.http().get('/api/docs-json').expect(200);
    } finally {
      await t.close();
    }
  });
});
