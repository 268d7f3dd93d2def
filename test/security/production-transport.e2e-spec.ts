import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRelayExpectingExit, spawnRelay } from '../relay/support/relay-process';
import { createTestDatabase } from '../support/test-db';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, freePort, type TestApp } from '../support/test-app';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const STRONG_SECRET = 'a-strong-production-secret-for-the-transport-tests-0123456789';
const PLAIN = {
  PORTAL_ORIGIN: 'http://portal.example.test',
  RELAY_PUBLIC_URL: 'ws://relay.example.test',
  AGENT_NODE_MIRROR_URL: 'http://mirror.example.test/node',
};

interface PortalRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The portal's real entry point (src/main.ts through ts-node) with only the given environment. */
function runPortal(env: NodeJS.ProcessEnv): PortalRun {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, TS_NODE_PROJECT: 'tsconfig.spec.json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Resolves once the output contains `text`; rejects if the process exits first. */
function waitForOutput(run: PortalRun, text: string, timeoutMs = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" in:\n${run.output()}`)), timeoutMs);
    const check = (): void => {
      if (!run.output().includes(text)) return;
      clearTimeout(timer);
      resolve();
    };
    run.child.stdout?.on('data', check);
    run.child.stderr?.on('data', check);
    void run.exited.then((code) => {
      clearTimeout(timer);
      if (run.output().includes(text)) resolve();
      else reject(new Error(`portal exited (${code}) before "${text}":\n${run.output()}`));
    });
  });
}

function setCookies(res: { headers: Record<string, unknown> }): string[] {
  return (res.headers['set-cookie'] as string[] | undefined) ?? [];
}

describe('production refuses plain http/ws unless ALLOW_INSECURE_TRANSPORT=true', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'qs-transport-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('the portal stops at boot naming PORTAL_ORIGIN, RELAY_PUBLIC_URL and AGENT_NODE_MIRROR_URL', async () => {
    const run = runPortal({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      RELAY_SECRET: STRONG_SECRET,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never-used',
      ...PLAIN,
    });
    expect(await run.exited).toBe(78);
    const out = run.output();
    expect(out).toMatch(/PORTAL_ORIGIN must be an https:\/\/ URL when NODE_ENV=production/);
    expect(out).toMatch(/RELAY_PUBLIC_URL must be an wss:\/\/ URL when NODE_ENV=production/);
    expect(out).toMatch(/AGENT_NODE_MIRROR_URL must be an https:\/\/ URL when NODE_ENV=production/);
    expect(out).toContain('ALLOW_INSECURE_TRANSPORT=true');
  });

  it('the portal refuses a plain-http mirror even when the portal and relay use TLS', async () => {
    const run = runPortal({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      RELAY_SECRET: STRONG_SECRET,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never-used',
      PORTAL_ORIGIN: 'https://portal.example.test',
      AGENT_NODE_MIRROR_URL: PLAIN.AGENT_NODE_MIRROR_URL,
    });
    expect(await run.exited).toBe(78);
    expect(run.output()).toMatch(/AGENT_NODE_MIRROR_URL must be an https:\/\//);
    expect(run.output()).not.toMatch(/PORTAL_ORIGIN must|RELAY_PUBLIC_URL must/);
  });

  it('with the opt-out the portal starts and warns, naming every insecure variable', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const run = runPortal({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      RELAY_SECRET: STRONG_SECRET,
      DATABASE_URL: db.url,
      ADMIN_PASSWORD,
      ALLOW_INSECURE_TRANSPORT: 'true',
      ...PLAIN,
    });
    try {
      await waitForOutput(run, 'Portal ready');
      const warning = run
        .output()
        .split('\n')
        .find((l) => l.includes('ALLOW_INSECURE_TRANSPORT=true'));
      expect(warning).toBeDefined();
      const entry = JSON.parse(warning ?? '{}') as { level: number; msg: string };
      expect(entry.level).toBe(40); // pino "warn"
      expect(entry.msg).toMatch(/WITHOUT TLS for PORTAL_ORIGIN, RELAY_PUBLIC_URL, AGENT_NODE_MIRROR_URL/);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      await db.drop();
    }
  });

  it('the relay stops naming a plain-http PORTAL_ORIGIN, and with the opt-out starts with a warning', async () => {
    const refused = await runRelayExpectingExit({
      NODE_ENV: 'production',
      RELAY_SECRET: STRONG_SECRET,
      PORTAL_ORIGIN: PLAIN.PORTAL_ORIGIN,
    });
    expect(refused.code).toBe(78);
    expect(refused.stderr).toMatch(/PORTAL_ORIGIN must be an https:\/\/ URL when NODE_ENV=production/);

    const relay = await spawnRelay({
      NODE_ENV: 'production',
      RELAY_SECRET: STRONG_SECRET,
      PORTAL_ORIGIN: PLAIN.PORTAL_ORIGIN,
      RELAY_ALLOWED_ORIGINS: PLAIN.PORTAL_ORIGIN,
      ALLOW_INSECURE_TRANSPORT: 'true',
    });
    try {
      const warning = relay.logs.find((l) => String(l.msg).includes('ALLOW_INSECURE_TRANSPORT=true'));
      expect(warning).toMatchObject({ level: 40 });
      expect(String(warning?.msg)).toContain('WITHOUT TLS for PORTAL_ORIGIN, RELAY_ALLOWED_ORIGINS');
    } finally {
      await relay.stop();
    }
  });
});

describe('session cookie over an https portal origin', () => {
  const ORIGIN = 'https://portal.example.test';
  let t: TestApp;
  beforeAll(async () => {
    // Behind a TLS-terminating proxy, as in production: the proxy says the request came over https.
    t = await createTestApp({ PORTAL_ORIGIN: ORIGIN, TRUST_PROXY: '1' });
  });
  afterAll(() => t.close());

  it('is named __Host-qs.sid with Secure, Path=/ and no Domain, and logout clears that same cookie', async () => {
    const agent = t.http();
    const login = await agent
      .post('/api/auth/login')
      .set('Origin', ORIGIN)
      .set('X-Forwarded-Proto', 'https')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
    const cookie = setCookies(login).find((c) => c.startsWith('__Host-qs.sid='));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).not.toMatch(/Domain=/i);
    expect(setCookies(login).some((c) => c.startsWith('qs.sid='))).toBe(false);

    const session = (cookie ?? '').split(';')[0];
    await agent.get('/api/auth/me').set('Cookie', session).set('X-Forwarded-Proto', 'https').expect(200);
    const logout = await agent
      .post('/api/auth/logout')
      .set('Origin', ORIGIN)
      .set('Cookie', session)
      .set('X-Forwarded-Proto', 'https')
      .expect(204);
    const cleared = setCookies(logout).find((c) => c.startsWith('__Host-qs.sid=;'));
    expect(cleared).toBeDefined();
    expect(cleared).toMatch(/;\s*Secure/i);
    expect(cleared).toMatch(/;\s*Path=\/(;|$)/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    await agent.get('/api/auth/me').set('Cookie', session).set('X-Forwarded-Proto', 'https').expect(401);
  });
});
