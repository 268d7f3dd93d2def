import { Client } from 'pg';
import { AppConfig } from '../../src/config/app-config';
import { QuickSupportExpiryJob } from '../../src/quick-support/quick-support-expiry.job';
import {
  downloadInstaller,
  INSTALLER_FIXTURE_ENV,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
} from '../support/quick-support-factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('quick-support sessions API (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  let db: Client;
  beforeAll(async () => {
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV, QS_SESSION_EXPIRY_MIN: '30' });
    db = new Client({ connectionString: t.config.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  async function addTechnician(email: string, displayName = 'Help Desk') {
    const admin = await t.loginAs();
    await admin
      .post('/api/users')
      .send({ email, displayName, role: 'technician', password: 'technician-pass-123' })
      .expect(201);
    return t.loginAs(email, 'technician-pass-123');
  }

  it('creates a waiting session with a 256-bit base64url token and its public URL', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech, { customerName: '  Ann Example  ', note: 'Printer offline' });
    expect(s.body).toMatchObject({
      status: 'waiting',
      customerName: 'Ann Example',
      note: 'Printer offline',
      device: null,
      notes: [],
    });
    expect(s.url).toBe(`${t.app.get(AppConfig).portalOrigin}/support/connect/${s.token}`);
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.token).not.toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(Buffer.from(s.token, 'base64url')).toHaveLength(32);
    const expires =
      new Date(s.body.expiresAt as string).getTime() - new Date(s.body.createdAt as string).getTime();
    expect(Math.round(expires / 60000)).toBe(30);
  });

  it('never stores the token in clear: a SHA-256 for lookup and an AES-GCM ciphertext for display', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    const row = (
      await db.query('SELECT token_hash, token_ciphertext FROM support_sessions WHERE id = $1', [s.id])
    ).rows[0];
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_ciphertext).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain(s.token);
    // The technician can copy the link again later.
    const again = await tech.get(`/api/quick-support/sessions/${s.id}`).expect(200);
    expect(again.body.url).toBe(s.url);
  });

  it('gives every session a different token (100 sessions, no repeats, no shared prefixes)', async () => {
    const tech = await t.loginAs();
    const tokens = new Set<string>();
    for (let i = 0; i < 100; i++) tokens.add((await makeSupportSession(tech)).token);
    expect(tokens.size).toBe(100);
    expect(new Set([...tokens].map((x) => x.slice(0, 6))).size).toBeGreaterThan(95);
    // Roughly uniform characters: each of the 64 symbols turns up.
    expect(new Set([...tokens].join('')).size).toBe(64);
  });

  it('bounds and checks the fields', async () => {
    const tech = await t.loginAs();
    const cases: Record<string, unknown>[] = [
      { customerName: 'x'.repeat(101) },
      { note: 'x'.repeat(1001) },
      { customerName: 'line\nbreak' },
      { customerName: 42 },
      { note: 'bell\u0007' },
      { unknownField: true },
    ];
    for (const body of cases) {
      const res = await tech.post('/api/quick-support/sessions').send(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const blank = await tech.post('/api/quick-support/sessions').send({ customerName: '   ' }).expect(201);
    expect(blank.body.customerName).toBeNull();
  });

  it('requires a logged-in technician and a same-origin request', async () => {
    await t.http().get('/api/quick-support/sessions').expect(401);
    await t.http().get('/api/quick-support/kpis').expect(401);
    await t.browser().post('/api/quick-support/sessions').send({}).expect(401);
    const tech = await t.loginAs();
    const cross = await tech
      .post('/api/quick-support/sessions')
      .set('Origin', 'https://evil.example')
      .send({});
    expect(cross.status).toBe(403);
    await tech.get('/api/quick-support/sessions/not-a-uuid').expect(400);
    await tech.get('/api/quick-support/sessions/00000000-0000-4000-8000-000000000000').expect(404);
  });

  it('lists newest first, filters by status and paginates', async () => {
    const tech = await t.loginAs();
    const a = await makeSupportSession(tech, { customerName: 'first' });
    const b = await makeSupportSession(tech, { customerName: 'second' });
    await tech.post(`/api/quick-support/sessions/${a.id}/end`).expect(200);
    const waiting = await tech.get('/api/quick-support/sessions?status=waiting&limit=1').expect(200);
    expect(waiting.body.items).toHaveLength(1);
    expect(waiting.body.items[0].id).toBe(b.id);
    expect(waiting.body.total).toBeGreaterThan(1);
    const page2 = await tech.get('/api/quick-support/sessions?status=waiting&limit=1&offset=1').expect(200);
    expect(page2.body.items[0].id).not.toBe(b.id);
    const ended = await tech.get('/api/quick-support/sessions?status=ended').expect(200);
    expect(ended.body.items.map((s: { id: string }) => s.id)).toContain(a.id);
    expect(ended.body.items.every((s: { status: string }) => s.status === 'ended')).toBe(true);
    await tech.get('/api/quick-support/sessions?status=bogus').expect(400);
    await tech.get('/api/quick-support/sessions?limit=1000').expect(400);
  });

  it('ends a session once (idempotent), forgets its link, and counts it in the KPIs', async () => {
    const tech = await t.loginAs();
    const before = (await tech.get('/api/quick-support/kpis').expect(200)).body;
    const s = await makeSupportSession(tech);
    const mid = (await tech.get('/api/quick-support/kpis').expect(200)).body;
    expect(mid.waiting).toBe(before.waiting + 1);
    const first = await tech.post(`/api/quick-support/sessions/${s.id}/end`).expect(200);
    expect(first.body).toMatchObject({ status: 'ended', endReason: 'ended_by_technician', url: null });
    const second = await tech.post(`/api/quick-support/sessions/${s.id}/end`).expect(200);
    expect(second.body.endedAt).toBe(first.body.endedAt);
    const after = (await tech.get('/api/quick-support/kpis').expect(200)).body;
    expect(after).toMatchObject({
      waiting: before.waiting,
      ended: before.ended + 1,
      endedLast24h: before.endedLast24h + 1,
    });
    const audit = await db.query(`SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id`, [s.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['support_session.created', 'support_session.ended']);
    const row = (await db.query('SELECT token_ciphertext FROM support_sessions WHERE id = $1', [s.id]))
      .rows[0];
    expect(row.token_ciphertext).toBeNull();
  });

  it('lets only one of many racing end requests make the transition', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => tech.post(`/api/quick-support/sessions/${s.id}/end`)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const ends = await db.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1 AND action = 'support_session.ended'`,
      [s.id],
    );
    expect(ends.rows[0].n).toBe(1);
  });

  it('assigns a session to another technician, whose name the customer then sees', async () => {
    const admin = await t.loginAs();
    const other = await addTechnician('assignee@example.test', 'Sam <b>Tech</b>');
    const me = (await other.get('/api/auth/me').expect(200)).body;
    const s = await makeSupportSession(admin);
    const res = await admin
      .post(`/api/quick-support/sessions/${s.id}/assign`)
      .send({ userId: me.id })
      .expect(200);
    expect(res.body.assignedTo).toEqual({ id: me.id, displayName: 'Sam <b>Tech</b>' });
    const status = await t.http().get(`${s.path}/status`).expect(200);
    expect(status.body.technician).toBe('Sam <b>Tech</b>');
    // Self-assignment by default; unknown users refused; ended sessions refused.
    const self = await other.post(`/api/quick-support/sessions/${s.id}/assign`).send({}).expect(200);
    expect(self.body.assignedTo.id).toBe(me.id);
    await admin
      .post(`/api/quick-support/sessions/${s.id}/assign`)
      .send({ userId: '00000000-0000-4000-8000-000000000000' })
      .expect(400);
    await admin.post(`/api/quick-support/sessions/${s.id}/end`).expect(200);
    await admin.post(`/api/quick-support/sessions/${s.id}/assign`).send({}).expect(409);
  });

  it('expires waiting sessions past their expiry through the scheduled job', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    const keep = await makeSupportSession(tech);
    await db.query(`UPDATE support_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      s.id,
    ]);
    const result = await t.app.get(QuickSupportExpiryJob).run();
    expect(result.expired).toBeGreaterThanOrEqual(1);
    const expired = await tech.get(`/api/quick-support/sessions/${s.id}`).expect(200);
    expect(expired.body).toMatchObject({ status: 'ended', endReason: 'expired' });
    expect((await tech.get(`/api/quick-support/sessions/${keep.id}`).expect(200)).body.status).toBe(
      'waiting',
    );
    const audit = await db.query(
      `SELECT actor_type FROM audit_events WHERE target_id = $1 AND action = 'support_session.ended'`,
      [s.id],
    );
    expect(audit.rows).toEqual([{ actor_type: 'system' }]);
  });

  it('shows the device and customer notes in the queue once they arrive', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech, { customerName: 'Queue customer' });
    await t.browser().post(`${s.path}/note`).send({ note: 'My screen is <b>blue</b>' }).expect(201);
    const { token } = await downloadInstaller(t, s.path, 'linux');
    await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { hostname: 'QUEUE-PC' }))
      .expect(201);
    const list = await tech.get('/api/quick-support/sessions?status=active').expect(200);
    const row = list.body.items.find((x: { id: string }) => x.id === s.id);
    expect(row.device).toMatchObject({ hostname: 'QUEUE-PC', os: 'linux', online: false });
    expect(row.notes.map((n: { body: string }) => n.body)).toEqual(['My screen is <b>blue</b>']);
    expect(row.activatedAt).not.toBeNull();
  });

  it('removes ended sessions past the retention period', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    await tech.post(`/api/quick-support/sessions/${s.id}/end`).expect(200);
    await db.query(`UPDATE support_sessions SET ended_at = now() - interval '400 days' WHERE id = $1`, [
      s.id,
    ]);
    const result = await t.app.get(QuickSupportExpiryJob).run();
    expect(result.purged).toBeGreaterThanOrEqual(1);
    await tech.get(`/api/quick-support/sessions/${s.id}`).expect(404);
  });

  it('describes its routes in the OpenAPI document', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    for (const p of [
      '/api/quick-support/sessions',
      '/api/quick-support/sessions/{id}',
      '/api/quick-support/sessions/{id}/end',
      '/api/quick-support/kpis',
      '/api/quick-support/events',
      '/support/connect/{token}',
      '/support/connect/{token}/status',
      '/support/connect/{token}/note',
      '/support/connect/{token}/download/{os}',
      '/api/agent/register',
      '/api/devices',
      '/api/installers',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});
