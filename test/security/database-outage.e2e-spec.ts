import { createServer, connect, type Server, type Socket } from 'node:net';
import type TestAgent from 'supertest/lib/agent';
import {
  INSTALLER_FIXTURE_ENV,
  RELAXED_LIMITS_ENV,
  downloadInstaller,
  makeSupportSession,
  registerBody,
  type MadeSession,
} from '../support/quick-support-factories';
import { createTestApp, freePort, type TestApp } from '../support/test-app';
import { adminDatabaseUrl } from '../support/test-db';

jest.setTimeout(90_000);

/**
 * A TCP proxy between the portal and its own test database: `cut()` drops every open connection and
 * refuses new ones (as a stopped or unreachable server does), `restore()` listens again. Only this
 * suite's database is behind it; no other suite is disturbed.
 */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  restore(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('a database outage answers 503 with Retry-After (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  let proxy: CuttableProxy;
  let admin: TestAgent;
  let session: MadeSession;

  beforeAll(async () => {
    // Every suite's database lives on the run's server; this suite reaches its own through the proxy.
    const server = new URL(adminDatabaseUrl());
    proxy = new CuttableProxy(await freePort(), { host: server.hostname, port: Number(server.port || 5432) });
    await proxy.restore();
    t = await createTestApp(
      { ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV },
      {
        databaseUrl: (url) => {
          const u = new URL(url);
          u.hostname = '127.0.0.1';
          u.port = String(proxy.port);
          return u.toString();
        },
      },
    );
    admin = await t.loginAs();
    session = await makeSupportSession(admin);
  });
  afterAll(async () => {
    await t.close();
    await proxy.cut();
  });

  it('registration, the connect page status and a signed-in request get 503 unavailable; the installer token survives', async () => {
    const { token } = await downloadInstaller(t, session.path);
    await proxy.cut();
    try {
      const register = await t.http().post('/api/agent/register').send(registerBody(token));
      expect(register.status).toBe(503);
      expect(register.body).toEqual({
        code: 'unavailable',
        message: 'The portal cannot reach its database right now. Please try again in a moment.',
      });
      expect(Number(register.headers['retry-after'])).toBeGreaterThan(0);

      const status = await t.http().get(`${session.path}/status`);
      expect(status.status).toBe(503);
      expect(status.body).toMatchObject({ code: 'unavailable' });
      expect(status.headers['retry-after']).toBeDefined();

      const me = await admin.get('/api/auth/me');
      expect(me.status).toBe(503);
      expect(me.body).toMatchObject({ code: 'unavailable' });
      expect(me.headers['retry-after']).toBeDefined();
    } finally {
      await proxy.restore();
    }

    // Back up: the token the outage refused is still unused and registers the device now.
    const again = await t.http().post('/api/agent/register').send(registerBody(token));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ deviceId: expect.any(String), deviceCredential: expect.any(String) });
  });
});
