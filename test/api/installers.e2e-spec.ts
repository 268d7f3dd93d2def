import { buildAgentBundle } from '../agent/support/agent-env';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { InstallerOs } from '../../contracts/installer-template';
import { quickRunCommand } from '../../src/installers/install-commands';
import {
  downloadInstaller,
  installerTokenIn,
  INSTALLER_FIXTURE_ENV,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
  USER_AGENTS,
} from '../support/quick-support-factories';
import { createTestApp, TestApp } from '../support/test-app';

/** A scratch HOME with ~/Downloads and a `sudo` that just runs its arguments (we are not testing sudo). */
function scratchHome(): { home: string; bin: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'qs-home-'));
  mkdirSync(join(home, 'Downloads'));
  const bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'sudo'), '#!/bin/sh\nexec "$@"\n');
  chmodSync(join(bin, 'sudo'), 0o755);
  return { home, bin, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** A raw GET whose path is sent exactly as written (no client-side normalisation of `..`). */
function rawGet(baseUrl: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'GET',
        headers: { 'user-agent': USER_AGENTS.linux },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('installers: one-shot tokens and per-OS scripts (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  let db: Client;
  const tokenRows = async (sessionId: string): Promise<number> =>
    (await db.query('SELECT count(*)::int AS n FROM installer_tokens WHERE session_id = $1', [sessionId]))
      .rows[0].n;

  beforeAll(async () => {
    t = await createTestApp({
      ...INSTALLER_FIXTURE_ENV,
      ...RELAXED_LIMITS_ENV,
      QS_INSTALLER_TOKEN_TTL_SEC: '600',
    });
    db = new Client({ connectionString: t.config.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('mints a fresh one-shot token per download, stored hashed, bound to the session and OS', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const a = await downloadInstaller(t, s.path, 'linux');
    const b = await downloadInstaller(t, s.path, 'windows');
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = (
      await db.query('SELECT * FROM installer_tokens WHERE session_id = $1 ORDER BY created_at', [s.id])
    ).rows;
    expect(rows.map((r) => [r.mode, r.os, r.used_at])).toEqual([
      ['quick', 'linux', null],
      ['quick', 'windows', null],
    ]);
    expect(JSON.stringify(rows)).not.toContain(a.token);
    const ttl = (rows[0].expires_at.getTime() - rows[0].created_at.getTime()) / 1000;
    expect(Math.round(ttl)).toBe(600);
  });

  it('serves each OS as an attachment with the configured name, never cached', async () => {
    const s = await makeSupportSession(await t.loginAs());
    for (const [os, name] of [
      ['windows', 'kwgroup-quicksupport.exe'],
      ['macos', 'kwgroup-quicksupport.dmg'],
      ['linux', 'kwgroup-quicksupport.sh'],
    ] as const) {
      const res = await t
        .http()
        .get(`${s.path}/download/${os}`)
        .set('User-Agent', USER_AGENTS[os])
        .responseType('blob')
        .expect(200);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect((res.body as Buffer).toString()).toContain(`fixture-installer-ran os=${os}`);
      expect(installerTokenIn((res.body as Buffer).toString())).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it('mints nothing for HEAD requests or link-preview bots', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const head = await t
      .http()
      .head(`${s.path}/download/linux`)
      .set('User-Agent', USER_AGENTS.linux)
      .expect(200);
    expect(head.headers['content-disposition']).toContain('attachment');
    const bot = await t.http().get(`${s.path}/download/linux`).set('User-Agent', USER_AGENTS.slack);
    expect(bot.status).toBe(403);
    expect(bot.headers['content-disposition']).toBeUndefined();
    for (const ua of [
      'facebookexternalhit/1.1',
      'Mozilla/5.0 (compatible; Discordbot/2.0)',
      'WhatsApp/2.23',
      'TelegramBot (like TwitterBot)',
      'SkypeUriPreview Preview/0.5',
      '',
    ]) {
      expect((await t.http().get(`${s.path}/download/windows`).set('User-Agent', ua)).status).toBe(403);
    }
    expect(await tokenRows(s.id)).toBe(0);
    // A headless browser is a browser.
    const headless =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36';
    await t.http().get(`${s.path}/download/linux`).set('User-Agent', headless).expect(200);
    expect(await tokenRows(s.id)).toBe(1);
  });

  it('refuses traversal and malformed OS names with 400/404, minting nothing', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const bad400 = ['..%2f..%2fetc%2fpasswd', 'linux%00', 'LINUX', 'linux.sh', '%2e%2e', 'windows%2f..%2f..'];
    for (const os of bad400) expect(await rawGet(t.baseUrl, `${s.path}/download/${os}`)).toBe(400);
    const bad404 = [
      `${s.path}/download/linux/extra`,
      `${s.path}/download/`,
      `/support/connect/..%2f..%2fetc%2fpasswd/download/linux`,
      `/support/connect/../../etc/passwd`,
      `/support/connect/${s.token}/../../../etc/passwd`,
      `/support/connect/${'A'.repeat(43)}/download/linux`,
    ];
    for (const p of bad404) expect(await rawGet(t.baseUrl, p)).toBe(404);
    expect(await tokenRows(s.id)).toBe(0);
  });

  it('stops serving downloads once a device is connected (409) and after the session ends (404)', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, s.path, 'linux');
    await t.http().post('/api/agent/register').send(registerBody(token)).expect(201);
    const res = await t.http().get(`${s.path}/download/linux`).set('User-Agent', USER_AGENTS.linux);
    expect(res.status).toBe(409);
    await tech.post(`/api/quick-support/sessions/${s.id}/end`).expect(200);
    expect((await t.http().get(`${s.path}/download/linux`).set('User-Agent', USER_AGENTS.linux)).status).toBe(
      404,
    );
  });

  it('serves shell scripts that parse (bash -n) and that the page’s command really runs', async () => {
    const s = await makeSupportSession(await t.loginAs());
    for (const os of ['linux', 'macos'] as InstallerOs[]) {
      const { token, script } = await downloadInstaller(t, s.path, os);
      const { home, bin, cleanup } = scratchHome();
      try {
        const file = join(
          home,
          'Downloads',
          { linux: 'kwgroup-quicksupport.sh', macos: 'kwgroup-quicksupport.dmg', windows: '' }[os],
        );
        writeFileSync(file, script);
        execFileSync('bash', ['-n', file]);
        const out = execFileSync('bash', ['-c', quickRunCommand('kwgroup-quicksupport', os)], {
          env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home },
          encoding: 'utf8',
        });
        expect(out).toContain(
          `fixture-installer-ran os=${os} mode=quick token=${token} portal=${t.baseUrl} brand=KW Group`,
        );
        expect(out).toContain('bundle-ok');
      } finally {
        cleanup();
      }
    }
  });

  describe('persistent-agent install command (admin)', () => {
    it('is for administrators only and checks the OS', async () => {
      const admin = await t.loginAs();
      await admin
        .post('/api/users')
        .send({
          email: 'plain-tech@example.test',
          displayName: 'Tech',
          role: 'technician',
          password: 'plain-tech-pass-1',
        })
        .expect(201);
      const tech = await t.loginAs('plain-tech@example.test', 'plain-tech-pass-1');
      await tech.post('/api/installers').send({ os: 'linux' }).expect(403);
      await t.browser().post('/api/installers').send({ os: 'linux' }).expect(401);
      for (const os of ['LINUX', 'bsd', '', 42])
        expect((await admin.post('/api/installers').send({ os })).status).toBe(400);
    });

    it('gives a one-line command per OS whose script the device fetches with the token in a header', async () => {
      const admin = await t.loginAs();
      for (const os of ['windows', 'macos', 'linux'] as const) {
        const res = await admin.post('/api/installers').send({ os }).expect(201);
        expect(res.body).toMatchObject({
          os,
          mode: 'persistent',
          scriptUrl: `${t.baseUrl}/api/installers/script`,
        });
        expect(res.body.command).not.toContain('\n');
        const token = /Bearer ([A-Za-z0-9_-]{43})/.exec(res.body.command)?.[1];
        expect(token).toBeTruthy();
        expect(res.body.command).not.toContain(`script?`);
        const script = await t
          .http()
          .get('/api/installers/script')
          .set('Authorization', `Bearer ${token}`)
          .expect(200);
        expect(script.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(script.text).toContain(`fixture-installer-ran os=${os}`);
        expect(installerTokenIn(script.text)).toBe(token);
        expect(script.text).toMatch(/(MODE|Mode) ?= ?['"]persistent['"]/);
      }
      await t.http().get('/api/installers/script').expect(410);
      await t
        .http()
        .get('/api/installers/script')
        .set('Authorization', `Bearer ${'B'.repeat(43)}`)
        .expect(410);
    });

    it('runs for real on Linux: fetch with curl, then the script (sudo stubbed), and registers a persistent device once', async () => {
      const admin = await t.loginAs();
      const res = await admin.post('/api/installers').send({ os: 'linux' }).expect(201);
      const command = res.body.command as string;
      const { home, bin, cleanup } = scratchHome();
      try {
        // Asynchronously: the portal answering curl runs in this very process.
        const { stdout: out } = await promisify(execFile)('bash', ['-c', command], {
          env: { PATH: `${bin}:/usr/bin:/bin`, HOME: home },
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect(out).toContain('fixture-installer-ran os=linux mode=persistent');
      } finally {
        cleanup();
      }
      const token = installerTokenIn(
        `INSTALLER_TOKEN='${/Bearer ([A-Za-z0-9_-]{43})/.exec(res.body.command)![1]}'`,
      );
      const reg = await t
        .http()
        .post('/api/agent/register')
        .send(registerBody(token, { hostname: 'build-server' }))
        .expect(201);
      const devices = await admin.get('/api/devices?kind=persistent').expect(200);
      expect(devices.body.items.find((d: { id: string }) => d.id === reg.body.deviceId)).toMatchObject({
        kind: 'persistent',
        supportSessionId: null,
      });
      // Used: neither the script nor a second registration works any more.
      await t.http().get('/api/installers/script').set('Authorization', `Bearer ${token}`).expect(410);
      expect((await t.http().post('/api/agent/register').send(registerBody(token))).status).toBe(409);
    });
  });
});

// A second portal in the same process only after the first has closed (passport is a process-wide singleton).
describe('installers without an agent build', () => {
  it('answers 503 agent_not_built, minting nothing, when the agent bundle is missing', async () => {
    const t2 = await createTestApp({
      ...RELAXED_LIMITS_ENV,
      AGENT_TEMPLATE_DIR: INSTALLER_FIXTURE_ENV.AGENT_TEMPLATE_DIR,
      AGENT_BUNDLE_PATH: '/nonexistent/agent.js',
    });
    try {
      const s = await makeSupportSession(await t2.loginAs());
      const res = await t2.http().get(`${s.path}/download/linux`).set('User-Agent', USER_AGENTS.linux);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('agent_not_built');
      expect(res.body.message).toContain('npm run build:agent');
      expect(res.headers['content-disposition']).toBeUndefined();
      const admin = await t2.loginAs();
      expect((await admin.post('/api/installers').send({ os: 'linux' })).status).toBe(503);
      const c = new Client({ connectionString: t2.config.databaseUrl });
      await c.connect();
      expect((await c.query('SELECT count(*)::int AS n FROM installer_tokens')).rows[0].n).toBe(0);
      await c.end();
    } finally {
      await t2.close();
    }
  });
});

// The agent's real templates with the real bundle, built here (as `npm run build:agent` does) into a
// scratch folder, so the suite never depends on a previous build.
describe('installers with the real agent build', () => {
  it('serve complete scripts embedding the real bundle; the shell ones parse', async () => {
    const buildDir = mkdtempSync(join(tmpdir(), 'qs-agent-build-'));
    const bundlePath = buildAgentBundle(buildDir);
    const t3 = await createTestApp({ ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundlePath });
    try {
      const s = await makeSupportSession(await t3.loginAs());
      const bundle = readFileSync(bundlePath);
      for (const os of ['linux', 'macos', 'windows'] as InstallerOs[]) {
        const { token, script } = await downloadInstaller(t3, s.path, os);
        expect(script).not.toContain('@@QS_');
        expect(script).toContain(token);
        expect(script).toContain(bundle.toString('base64'));
        expect(script).toContain(createHash('sha256').update(bundle).digest('hex'));
        if (os !== 'windows') {
          const { home, cleanup } = scratchHome();
          try {
            writeFileSync(join(home, 'script'), script);
            execFileSync('bash', ['-n', join(home, 'script')]);
          } finally {
            cleanup();
          }
        }
      }
    } finally {
      await t3.close();
      rmSync(buildDir, { recursive: true, force: true });
    }
  });
});
