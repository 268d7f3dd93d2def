import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { firstValueFrom, filter, take, timeout } from 'rxjs';
import { parseRegisterResponse } from '../../contracts/agent-protocol/registration';
import { DevicesService } from '../../src/devices/devices.service';
import { QuickSupportEvents } from '../../src/quick-support/quick-support-events';
import { QuickSupportService } from '../../src/quick-support/quick-support.service';
import {
  downloadInstaller,
  INSTALLER_FIXTURE_ENV,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
} from '../support/quick-support-factories';
import { createTestApp, TestApp } from '../support/test-app';

const FIXTURES = join(__dirname, '..', '..', 'docs', 'fixtures');

describe('agent registration (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  let db: Client;
  beforeAll(async () => {
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV });
    db = new Client({ connectionString: t.config.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  async function freshToken(os: 'windows' | 'macos' | 'linux' = 'linux') {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, s.path, os);
    return { tech, s, token };
  }

  it('accepts the protocol fixture, activates the session and answers in the fixture’s shape', async () => {
    const { tech, s, token } = await freshToken();
    const request = {
      ...JSON.parse(readFileSync(join(FIXTURES, 'request_register.json'), 'utf8')),
      installerToken: token,
    };
    // No Origin, no cookie: agents are not browsers.
    const res = await t.http().post('/api/agent/register').send(request).expect(201);
    const parsed = parseRegisterResponse(res.body);
    expect(parsed.ok).toBe(true);
    expect(Object.keys(res.body).sort()).toEqual(
      Object.keys(JSON.parse(readFileSync(join(FIXTURES, 'response_register.json'), 'utf8'))).sort(),
    );
    expect(res.body.controlUrl).toBe(`${t.baseUrl.replace(/^http/, 'ws')}/api/agent/ws`);
    const session = await tech.get(`/api/quick-support/sessions/${s.id}`).expect(200);
    expect(session.body).toMatchObject({
      status: 'active',
      device: { id: res.body.deviceId, hostname: 'reception-pc', os: 'linux' },
    });
    const device = (
      await db.query('SELECT kind, credential_hash, support_session_id FROM devices WHERE id = $1', [
        res.body.deviceId,
      ])
    ).rows[0];
    expect(device).toMatchObject({ kind: 'quick', support_session_id: s.id });
    expect(device.credential_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(device.credential_hash).not.toContain(res.body.deviceCredential);
    const token_row = (
      await db.query('SELECT used_at, device_id FROM installer_tokens WHERE session_id = $1', [s.id])
    ).rows[0];
    expect(token_row.used_at).not.toBeNull();
    expect(token_row.device_id).toBe(res.body.deviceId);
    const audit = await db.query(`SELECT action FROM audit_events WHERE target_id IN ($1, $2) ORDER BY id`, [
      s.id,
      res.body.deviceId,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual([
      'support_session.created',
      'installer_token.minted',
      'support_session.activated',
      'device.registered',
    ]);
  });

  it('lets exactly one of 50 parallel redemptions of one token win; the rest get 409', async () => {
    const { s, token } = await freshToken();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t
          .http()
          .post('/api/agent/register')
          .send(registerBody(token, { hostname: `racer-${i}` })),
      ),
    );
    const codes = results.map((r) => r.status);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c !== 201).every((c) => c === 409 || c === 410)).toBe(true);
    expect(results.find((r) => r.status === 409)?.body.code).toBe('installer_token_used');
    const devices = await db.query('SELECT count(*)::int AS n FROM devices WHERE support_session_id = $1', [
      s.id,
    ]);
    expect(devices.rows[0].n).toBe(1);
  });

  it('lets only one device join a session when two different installer tokens race', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    const a = await downloadInstaller(t, s.path, 'linux');
    const b = await downloadInstaller(t, s.path, 'linux');
    const [ra, rb] = await Promise.all(
      [a, b].map((d) => t.http().post('/api/agent/register').send(registerBody(d.token))),
    );
    expect([ra.status, rb.status].sort()).toEqual([201, 409]);
    expect([ra.body.code, rb.body.code]).toContain('session_not_waiting');
    const devices = await db.query('SELECT count(*)::int AS n FROM devices WHERE support_session_id = $1', [
      s.id,
    ]);
    expect(devices.rows[0].n).toBe(1);
    // The losing token was not consumed (its transaction rolled back) but can no longer join.
    expect(
      (
        await db.query(
          'SELECT count(*)::int AS n FROM installer_tokens WHERE session_id = $1 AND used_at IS NULL',
          [s.id],
        )
      ).rows[0].n,
    ).toBe(1);
  });

  it('answers unknown and expired tokens 410, used ones 409, another OS 409, an ended session 410', async () => {
    const unknown = await t
      .http()
      .post('/api/agent/register')
      .send(registerBody('Z'.repeat(43)));
    expect([unknown.status, unknown.body.code]).toEqual([410, 'installer_token_invalid']);

    const expired = await freshToken();
    await db.query(
      `UPDATE installer_tokens SET expires_at = now() - interval '1 second' WHERE session_id = $1`,
      [expired.s.id],
    );
    expect((await t.http().post('/api/agent/register').send(registerBody(expired.token))).status).toBe(410);

    const wrongOs = await freshToken('windows');
    const mismatch = await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(wrongOs.token, { os: 'linux' }));
    expect([mismatch.status, mismatch.body.code]).toEqual([409, 'installer_os_mismatch']);
    await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(wrongOs.token, { os: 'windows', hostname: 'WIN-PC' }))
      .expect(201);

    const ended = await freshToken();
    await ended.tech.post(`/api/quick-support/sessions/${ended.s.id}/end`).expect(200);
    const late = await t.http().post('/api/agent/register').send(registerBody(ended.token));
    expect(late.status).toBe(410);
    expect(
      (await db.query('SELECT used_at FROM installer_tokens WHERE session_id = $1', [ended.s.id])).rows[0]
        .used_at,
    ).toBeNull();
    expect(
      (await db.query('SELECT count(*)::int AS n FROM devices WHERE support_session_id = $1', [ended.s.id]))
        .rows[0].n,
    ).toBe(0);
  });

  it('refuses incompatible protocol versions with a clear error, and accepts a newer minor', async () => {
    const { token } = await freshToken();
    const res = await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { protocolVersion: '2.0' }));
    expect(res.status).toBe(426);
    expect(res.body.code).toBe('protocol_mismatch');
    expect(res.body.message).toMatch(/protocol 2\.0.*portal speaks 1\.\d/);
    await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { protocolVersion: '1.9' }))
      .expect(201);
  });

  it('bounds every untrusted string and refuses malformed bodies without consuming the token', async () => {
    const { s, token } = await freshToken();
    const bad: Record<string, unknown>[] = [
      { hostname: 'h'.repeat(256) },
      { hostname: 'line\nbreak' },
      { hostname: 'evil\u202eexe.txt' },
      { hostname: '' },
      { osVersion: 'v'.repeat(101) },
      { arch: 'X64' },
      { arch: 'x64; rm -rf /' },
      { agentVersion: '1.0 beta' },
      { os: 'bsd' },
      { protocolVersion: 'one' },
      { installerToken: 'short' },
      { installerToken: `${token}'$(id)` },
      { hostname: 42 },
    ];
    for (const b of bad) {
      const res = await t.http().post('/api/agent/register').send(registerBody(token, b));
      expect([res.status, res.body.code, JSON.stringify(b)]).toEqual([
        400,
        'validation_failed',
        JSON.stringify(b),
      ]);
    }
    expect(
      (
        await t
          .http()
          .post('/api/agent/register')
          .set('Content-Type', 'application/json')
          .send('{"installerToken":')
      ).status,
    ).toBe(400);
    expect((await t.http().post('/api/agent/register').send([1, 2])).status).toBe(400);
    expect(
      (await db.query('SELECT used_at FROM installer_tokens WHERE session_id = $1', [s.id])).rows[0].used_at,
    ).toBeNull();
    // HTML is just text: stored as sent, escaped wherever it is shown (see the connect-page tests).
    const html = await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { hostname: '<img src=x onerror=alert(1)>' }))
      .expect(201);
    const device = await t.app.get(DevicesService).findById(html.body.deviceId);
    expect(device?.hostname).toBe('<img src=x onerror=alert(1)>');
  });

  describe('DevicesService for the control channel', () => {
    it('verifies credentials (right one only), tracks online state, and revokes the device when its session ends', async () => {
      const { tech, s, token } = await freshToken();
      const reg = (
        await t
          .http()
          .post('/api/agent/register')
          .send(registerBody(token, { hostname: 'CRED-PC' }))
          .expect(201)
      ).body;
      const devices = t.app.get(DevicesService);
      expect((await devices.verifyCredential(reg.deviceId, reg.deviceCredential))?.id).toBe(reg.deviceId);
      expect(
        await devices.verifyCredential(
          reg.deviceId,
          `${reg.deviceCredential.slice(0, -1)}${reg.deviceCredential.endsWith('A') ? 'B' : 'A'}`,
        ),
      ).toBeNull();
      expect(await devices.verifyCredential(reg.deviceId, '')).toBeNull();
      expect(
        await devices.verifyCredential('00000000-0000-4000-8000-000000000000', reg.deviceCredential),
      ).toBeNull();
      expect(await devices.verifyCredential('not-a-uuid', reg.deviceCredential)).toBeNull();

      await devices.markOnline(reg.deviceId);
      let list = (await tech.get('/api/devices?online=true').expect(200)).body.items;
      expect(list.find((d: { id: string }) => d.id === reg.deviceId)).toMatchObject({
        hostname: 'CRED-PC',
        online: true,
        kind: 'quick',
      });
      await devices.markOffline(reg.deviceId);
      list = (await tech.get('/api/devices').expect(200)).body.items;
      expect(list.find((d: { id: string }) => d.id === reg.deviceId)).toMatchObject({ online: false });
      expect(
        (await tech.get('/api/devices?online=true').expect(200)).body.items.map((d: { id: string }) => d.id),
      ).not.toContain(reg.deviceId);

      const ended = firstValueFrom(
        t.app.get(QuickSupportEvents).stream.pipe(
          filter((e) => e.type === 'session.ended' && e.sessionId === s.id),
          take(1),
          timeout(5000),
        ),
      );
      await tech.post(`/api/quick-support/sessions/${s.id}/end`).expect(200);
      expect(await ended).toMatchObject({
        type: 'session.ended',
        deviceIds: [reg.deviceId],
        reason: 'ended_by_technician',
      });
      const revoked = await devices.verifyCredential(reg.deviceId, reg.deviceCredential);
      expect(revoked?.revokedAt).toBeInstanceOf(Date);
      expect(
        (await tech.get('/api/devices').expect(200)).body.items.map((d: { id: string }) => d.id),
      ).not.toContain(reg.deviceId);
    });

    it('ends the session when the agent leaves for good', async () => {
      const { tech, s, token } = await freshToken();
      const reg = (await t.http().post('/api/agent/register').send(registerBody(token)).expect(201)).body;
      expect(await t.app.get(QuickSupportService).endForDevice(reg.deviceId, 'agent_left')).toBe(true);
      expect(await t.app.get(QuickSupportService).endForDevice(reg.deviceId, 'agent_left')).toBe(false);
      const session = await tech.get(`/api/quick-support/sessions/${s.id}`).expect(200);
      expect(session.body).toMatchObject({ status: 'ended', endReason: 'agent_left' });
    });

    it('lists devices for technicians only, with bounded filters', async () => {
      await t.http().get('/api/devices').expect(401);
      const tech = await t.loginAs();
      await tech.get('/api/devices?limit=0').expect(400);
      await tech.get('/api/devices?online=maybe').expect(400);
      await tech.get('/api/devices?kind=other').expect(400);
      await tech.get('/api/devices?kind=quick&limit=5').expect(200);
    });
  });
});
