import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { lookup } from 'node:dns/promises';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { IS_PUBLIC } from '../../src/common/decorators';
import { PAGE_PASS_COOKIE } from '../../src/common/rate-limit/page-pass';
import { RATE_LIMIT_POLICY } from '../../src/common/rate-limit/rate-limit.decorator';
import { PUBLIC_POLICIES, TECHNICIAN_WRITES_PER_MIN } from '../../src/common/rate-limit/rate-limit.policies';
import {
  INSTALLER_FIXTURE_ENV,
  installerTokenIn,
  makeSupportSession,
  registerBody,
  USER_AGENTS,
} from '../support/quick-support-factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, TestApp } from '../support/test-app';

/*
 * The portal does not trust X-Forwarded-For here (TRUST_PROXY unset), so every "address" is a real
 * loopback source address (127.x.y.z, all routed to lo on Linux) chosen with `localAddress`.
 */
const agents = new Map<string, Agent>();
function from(address: string): Agent {
  let agent = agents.get(address);
  if (!agent) {
    agent = new Agent({ localAddress: address, keepAlive: false });
    agents.set(address, agent);
  }
  return agent;
}

const MISSES_PER_IP = 4;
const MISSES_PER_NETWORK = 30;
const UNKNOWN_TOKEN = (i: number): string => `${String(i).padStart(6, '0')}${'A'.repeat(37)}`;

function expectRateLimited(res: Response): void {
  expect(res.status).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('rate limits that bite attackers and spare everyone else (real portal, real sockets)', () => {
  let t: TestApp;
  let admin: TestAgent;
  /** A live link, for hammering a route that finds what it looks up. */
  let live: string;
  beforeAll(async () => {
    t = await createTestApp({
      ...INSTALLER_FIXTURE_ENV,
      QS_PUBLIC_MISSES_PER_IP: String(MISSES_PER_IP),
      QS_PUBLIC_MISSES_PER_NETWORK: String(MISSES_PER_NETWORK),
    });
    admin = await t.loginAs();
    live = (await makeSupportSession(admin)).path;
  }, 60_000);
  afterAll(async () => {
    for (const a of agents.values()) a.destroy();
    await t.close();
  });

  const login = (address: string, password: string, email = ADMIN_EMAIL) =>
    t.http().post('/api/auth/login').agent(from(address)).set('Origin', t.baseUrl).send({ email, password });

  describe('login throttling under parallel requests', () => {
    it('reserves a slot before checking a password: of 30 parallel guesses at most 5 are checked, and the right password among them is refused with 429', async () => {
      const attacker = '127.0.5.1';
      const guesses = Array.from({ length: 29 }, (_, i) => login(attacker, `wrong-guess-${i}-xxxx`));
      const answered = Promise.all(guesses.map((g) => g.then((res) => res)));
      // Guess 30 (the right one) goes out while the first guesses are still being checked: once any
      // answer is back the five slots of this account+address are taken.
      await Promise.race(guesses.map((g) => g.then(() => undefined)));
      const right = await login(attacker, ADMIN_PASSWORD);
      const wrong = await answered;

      expectRateLimited(right);
      expect(right.body).toEqual({ code: 'rate_limited', message: expect.any(String) });
      const checked = wrong.filter((r) => r.status === 401).length;
      expect(checked).toBeGreaterThan(0);
      expect(checked).toBeLessThanOrEqual(5);
      for (const r of wrong) expect([401, 429]).toContain(r.status);
      for (const r of wrong.filter((x) => x.status === 429)) expectRateLimited(r);
      // The owner, from their own address, still gets in.
      expect((await login('127.0.5.200', ADMIN_PASSWORD)).status).toBe(200);
    }, 120_000);

    it('answers 40 parallel logins with 200, 401 or 429 (never 500) and keeps thread-pool room for the database driver meanwhile', async () => {
      const burst = Array.from({ length: 40 }, (_, i) =>
        login(`127.0.6.${i + 1}`, i % 3 === 0 ? 'wrong-password-xxxx' : ADMIN_PASSWORD).then((r) => r),
      );
      // A new database connection resolves its host and runs SCRAM on libuv's thread pool, the pool
      // that scrypt uses. Measure how long such a job waits while the burst is being checked.
      await Promise.race(burst);
      const started = performance.now();
      await lookup('localhost');
      const waitedMs = performance.now() - started;
      const answers = await Promise.all(burst);

      const statuses = answers.map((r) => r.status);
      for (const s of statuses) expect([200, 401, 429]).toContain(s);
      for (const r of answers.filter((x) => x.status === 429)) expectRateLimited(r);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(waitedMs).toBeLessThan(1500);
    }, 180_000);
  });

  describe('public routes', () => {
    it('does not let an attacker spreading misses over 52 addresses make a customer on another network get 429 (page, status, download, agent registration)', async () => {
      const s = await makeSupportSession(admin);
      // 52 addresses in 13 networks, each spending its miss budget and then some, on every kind of lookup.
      const attackers = Array.from(
        { length: 52 },
        (_, i) => `127.0.${20 + Math.floor(i / 4)}.${(i % 4) + 1}`,
      );
      let refused = 0;
      let n = 0;
      for (const [i, address] of attackers.entries()) {
        const tries = await Promise.all(
          Array.from({ length: MISSES_PER_IP + 2 }, (_, k) => {
            const token = UNKNOWN_TOKEN(n++);
            switch ((i + k) % 3) {
              case 0:
                return t.http().get(`/support/connect/${token}`).agent(from(address));
              case 1:
                return t.http().get(`/support/connect/${token}/status`).agent(from(address));
              default:
                return t.http().post('/api/agent/register').agent(from(address)).send(registerBody(token));
            }
          }),
        );
        refused += tries.filter((r) => r.status === 429).length;
        for (const r of tries) expect([404, 410, 429]).toContain(r.status);
      }
      // Every attacking address was cut off after its own budget...
      expect(refused).toBeGreaterThanOrEqual(attackers.length * 2);
      await t
        .http()
        .get(`/support/connect/${UNKNOWN_TOKEN(0)}`)
        .agent(from(attackers[0]))
        .expect(429);

      // ...while a customer on another network is served as usual.
      const customer = from('127.0.200.7');
      await t.http().get(s.path).agent(customer).expect(200);
      await t.http().get(`${s.path}/status`).agent(customer).expect(200);
      const res = await t
        .http()
        .get(`${s.path}/download/linux`)
        .agent(customer)
        .set('User-Agent', USER_AGENTS.linux)
        .responseType('blob');
      expect(res.status).toBe(200);
      const token = installerTokenIn((res.body as Buffer).toString('utf8'));
      await t.http().post('/api/agent/register').agent(customer).send(registerBody(token)).expect(201);
    }, 240_000);

    it('lets a customer holding the page pass keep polling after someone on their network spent its miss budget', async () => {
      const s = await makeSupportSession(admin);
      const page = await t.http().get(s.path).agent(from('127.0.50.10')).expect(200);
      const setCookie = ((page.headers['set-cookie'] as unknown as string[] | undefined) ?? []).find((c) =>
        c.startsWith(`${PAGE_PASS_COOKIE}=`),
      );
      expect(setCookie).toBeDefined();
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      expect(setCookie).toContain(`Path=${s.path}`);
      expect(setCookie).toMatch(/Max-Age=\d+/);
      const pass = setCookie!.split(';')[0];
      expect(pass).not.toContain(s.token);

      // Someone else on 127.0.50.0/24 guesses until the network has no misses left.
      for (let i = 0; i < Math.ceil(MISSES_PER_NETWORK / MISSES_PER_IP) + 1; i++) {
        await Promise.all(
          Array.from({ length: MISSES_PER_IP }, (_, k) =>
            t
              .http()
              .get(`/support/connect/${UNKNOWN_TOKEN(10_000 + i * 10 + k)}/status`)
              .agent(from(`127.0.50.${100 + i}`)),
          ),
        );
      }
      // The network is cut off for lookups without the pass (even a valid link, even a new address)...
      expectRateLimited(await t.http().get(`${s.path}/status`).agent(from('127.0.50.11')));
      expectRateLimited(await t.http().get(`${s.path}/status`).agent(from('127.0.50.10')));
      // ...but the customer whose page loaded keeps polling and can still write a note.
      for (let i = 0; i < 3; i++) {
        const poll = await t.http().get(`${s.path}/status`).agent(from('127.0.50.10')).set('Cookie', pass);
        expect(poll.status).toBe(200);
        expect(poll.body.status).toBe('waiting');
      }
      await t
        .http()
        .post(`${s.path}/note`)
        .agent(from('127.0.50.10'))
        .set('Origin', t.baseUrl)
        .set('Cookie', pass)
        .send({ note: 'Still here' })
        .expect(201);
      // The pass is bound to its link: it opens nothing for another one.
      const other = await makeSupportSession(admin);
      expectRateLimited(
        await t.http().get(`${other.path}/status`).agent(from('127.0.50.10')).set('Cookie', pass),
      );
    }, 120_000);

    it('gives every @Public() route a named rate-limit policy', () => {
      const routes = publicRoutes(t.app);
      expect(routes.length).toBeGreaterThanOrEqual(10);
      const missing = routes.filter((r) => r.policy === undefined).map((r) => r.route);
      expect(missing).toEqual([]);
      for (const r of routes) expect(Object.keys(PUBLIC_POLICIES)).toContain(r.policy);
      expect(routes.map((r) => r.route)).toEqual(
        expect.arrayContaining([
          'ConnectPageController.page',
          'ConnectPageController.status',
          'ConnectPageController.note',
          'InstallerDownloadController.download',
          'InstallersController.script',
          'AgentRegistrationController.register',
          'AuthController.login',
          'AuthController.csrf',
          'HealthController.health',
        ]),
      );
    });

    it.each([
      ['a live link’s status poll', 70, () => `${live}/status`],
      ['lookups of unknown links', 73, (i: number) => `/support/connect/${UNKNOWN_TOKEN(i)}/status`],
      ['the CSRF token route', 71, () => '/api/auth/csrf'],
      ['the health check', 72, () => '/api/health'],
    ])(
      'answers 429 with Retry-After once one address hammers %s',
      async (_name, net, path) => {
        const address = `127.0.${net}.9`;
        let limited: Response | undefined;
        for (let round = 0; round < 100 && !limited; round++) {
          const batch = await Promise.all(
            Array.from({ length: 20 }, (_, k) =>
              t
                .http()
                .get(path(round * 20 + k + 50_000))
                .agent(from(address)),
            ),
          );
          limited = batch.find((r) => r.status === 429);
        }
        expect(limited).toBeDefined();
        expectRateLimited(limited!);
        expect(limited!.body.code).toBe('rate_limited');
      },
      180_000,
    );
  });

  describe('technician APIs', () => {
    it('refuses a technician creating 300 quick-support sessions with 429 + Retry-After past the budget, while another technician is unaffected', async () => {
      const make = async (email: string) => {
        await admin
          .post('/api/users')
          .send({ email, displayName: 'Tech', role: 'technician', password: 'technician-pass-123' })
          .expect(201);
        return t.loginAs(email, 'technician-pass-123');
      };
      const busy = await make('busy@example.test');
      const other = await make('other@example.test');
      const results: Response[] = [];
      for (let batch = 0; batch < 30; batch++) {
        results.push(
          ...(await Promise.all(
            Array.from({ length: 10 }, () => busy.post('/api/quick-support/sessions').send({})),
          )),
        );
      }
      const created = results.filter((r) => r.status === 201).length;
      const limited = results.filter((r) => r.status === 429);
      expect(created).toBeLessThanOrEqual(TECHNICIAN_WRITES_PER_MIN);
      expect(created + limited.length).toBe(300);
      expect(limited.length).toBeGreaterThan(0);
      expectRateLimited(limited[0]);
      expect(limited[0].body).toEqual({ code: 'rate_limited', message: expect.any(String) });

      await other.post('/api/quick-support/sessions').send({}).expect(201);
      await other.get('/api/quick-support/sessions').expect(200);
    }, 240_000);
  });
});

/** Every handler of the app whose route is marked @Public(), with the rate-limit policy it names. */
function publicRoutes(app: INestApplication): { route: string; policy: string | undefined }[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const found: { route: string; policy: string | undefined }[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance) continue;
    const proto = Object.getPrototypeOf(instance) as object;
    const type = instance.constructor as new (...args: never[]) => unknown;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = (proto as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      if (Reflect.getMetadata('path', handler) === undefined) continue;
      const targets = [handler, type];
      if (!reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) continue;
      found.push({
        route: `${type.name}.${name}`,
        policy: reflector.getAllAndOverride<string | undefined>(RATE_LIMIT_POLICY, targets),
      });
    }
  }
  return found;
}
