import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { RemoteSessionHistoryIndexes1763785000000 } from '../../migrations/1763785000000-RemoteSessionHistoryIndexes';
import { withMigrationsUpTo } from '../support/migrations';
import { makeSupportSession } from '../support/quick-support-factories';
import { createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(60_000);

interface HistoryBody {
  items: { id: string; customerName: string | null; deviceName: string; technician: string | null }[];
  total: number;
  totalCapped: boolean;
}

/**
 * The remote-session history on the real portal and PostgreSQL: ended sessions of any age, searched
 * and paged, exported as CSV, read by role (administrators and auditors everyone's, a technician their
 * own). Sessions are written as rows, the way the lifecycle leaves them when they end.
 */
describe('remote-session history (search, paging, CSV)', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: TestAgent;
  let tech: TestAgent;
  let techId: string;
  let other: TestAgent;
  let auditor: TestAgent;
  const techSessions: string[] = [];

  async function addUser(email: string, role: string, displayName: string): Promise<[TestAgent, string]> {
    const res = await admin
      .post('/api/users')
      .send({ email, displayName, role, password: 'user-password-1234' })
      .expect(201);
    return [await t.loginAs(email, 'user-password-1234'), res.body.user.id as string];
  }

  async function device(hostname: string, supportSessionId: string | null): Promise<string> {
    const rows = await db.query<{ id: string }[]>(
      `INSERT INTO devices (kind, hostname, os, os_version, arch, agent_version, protocol_version, credential_hash, support_session_id)
       VALUES ($1, $2, 'linux', 'Debian 12', 'x64', '1.0.0', '1.0', repeat('0', 64), $3) RETURNING id`,
      [supportSessionId ? 'quick' : 'persistent', hostname, supportSessionId],
    );
    return rows[0].id;
  }

  async function endedSession(
    deviceId: string,
    technicianId: string,
    opts: { hoursAgo: number; reason?: string; endReason?: string },
  ): Promise<string> {
    const rows = await db.query<{ id: string }[]>(
      `INSERT INTO remote_sessions (device_id, technician_id, type, protocol, reason, status, channels, relay_url, started_at, ended_at, end_reason)
       VALUES ($1, $2, 'attended', 'web', $3, 'ended', '{screen}', 'ws://127.0.0.1:1/ws',
               now() - make_interval(hours => $4) - interval '10 minutes', now() - make_interval(hours => $4), $5)
       RETURNING id`,
      [deviceId, technicianId, opts.reason ?? null, opts.hoursAgo, opts.endReason ?? 'technician'],
    );
    return rows[0].id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    admin = await t.loginAs();
    [tech, techId] = await addUser('tech@example.test', 'technician', 'Robin Tech');
    const [, otherId] = await addUser('other@example.test', 'technician', 'Sam Other');
    other = await t.loginAs('other@example.test', 'user-password-1234');
    [auditor] = await addUser('auditor@example.test', 'auditor', 'Alex Auditor');

    const ada = await makeSupportSession(tech, { customerName: 'Ada Lovelace' });
    const grace = await makeSupportSession(tech, { customerName: '=HYPERLINK("http://evil")' });
    const adaPc = await device('DESKTOP-4F2K9', ada.id);
    const gracePc = await device('DESKTOP-4F2K9', grace.id);
    const server = await device('build-server', null);
    // 30 of the technician's sessions, one every 2 hours back to 60 hours ago (past the old 24 h).
    for (let i = 1; i <= 30; i++)
      techSessions.push(
        await endedSession(i % 2 ? adaPc : server, techId, {
          hoursAgo: i * 2,
          reason: i === 29 ? 'Printer queue stuck' : undefined,
          endReason: i === 30 ? 'ended_on_device' : 'technician',
        }),
      );
    await endedSession(gracePc, otherId, { hoursAgo: 1, reason: 'VPN 100%_down' });
    // An open session never appears in the history.
    await db.query(
      `INSERT INTO remote_sessions (device_id, technician_id, type, protocol, status, channels, relay_url)
       VALUES ($1, $2, 'attended', 'web', 'active', '{screen}', 'ws://127.0.0.1:1/ws')`,
      [server, techId],
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const history = async (who: TestAgent, query: Record<string, string | number>): Promise<HistoryBody> =>
    (await who.get('/api/remote-sessions/history').query(query).expect(200)).body as HistoryBody;

  it('pages through every ended session, newest end first, beyond 24 hours, with the customer name', async () => {
    const first = await history(admin, { limit: 10 });
    expect(first.total).toBe(31);
    expect(first.totalCapped).toBe(false);
    expect(first.items).toHaveLength(10);
    expect(first.items[0]).toMatchObject({
      customerName: '=HYPERLINK("http://evil")',
      technician: 'Sam Other',
    });
    expect(first.items[1]).toMatchObject({ id: techSessions[0], customerName: 'Ada Lovelace' });
    const last = await history(admin, { limit: 10, offset: 30 });
    expect(last.items.map((s) => s.id)).toEqual([techSessions[29]]);
    const all = [
      ...first.items,
      ...(await history(admin, { limit: 10, offset: 10 })).items,
      ...(await history(admin, { limit: 10, offset: 20 })).items,
      ...last.items,
    ].map((s) => s.id);
    expect(new Set(all).size).toBe(31);
    // A persistent device has no customer.
    expect(first.items.find((s) => s.deviceName === 'build-server')?.customerName).toBeNull();
  });

  it('searches the customer, device, technician, reason and end reason, case-insensitively', async () => {
    expect((await history(admin, { q: 'lovelace' })).total).toBe(15);
    expect((await history(admin, { q: 'BUILD-server' })).total).toBe(15);
    expect((await history(admin, { q: 'sam oth' })).total).toBe(1);
    expect((await history(admin, { q: 'printer queue' })).items.map((s) => s.id)).toEqual([techSessions[28]]);
    expect((await history(admin, { q: 'ended on device' })).items.map((s) => s.id)).toEqual([
      techSessions[29],
    ]);
    expect((await history(admin, { endReason: 'ended_on_device' })).total).toBe(1);
    // Wildcards are text: "100%_" matches only that reason, "%" alone matches nothing else.
    expect((await history(admin, { q: '100%_' })).total).toBe(1);
    expect((await history(admin, { q: '%' })).total).toBe(1);
    expect((await history(admin, { q: 'nobody here' })).items).toEqual([]);
  });

  it('lets auditors read everyone’s history and a technician only their own', async () => {
    expect((await history(auditor, {})).total).toBe(31);
    expect((await history(tech, {})).total).toBe(30);
    expect((await history(other, {})).items).toHaveLength(1);
    expect((await history(other, { q: 'lovelace' })).total).toBe(0);
  });

  it('refuses bad paging and search with a sentence', async () => {
    for (const [query, field] of [
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ offset: -1 }, 'offset'],
      [{ offset: 10_001 }, 'offset'],
      [{ q: 'x'.repeat(101) }, 'q'],
      [{ endReason: 'bored' }, 'endReason'],
      [{ sort: 'id' }, 'sort'],
    ] as const) {
      const res = await admin.get('/api/remote-sessions/history').query(query);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.message).toContain(field);
    }
    await t.http().get('/api/remote-sessions/history').expect(401);
    await t.http().get('/api/remote-sessions/export.csv').expect(401);
  });

  it('exports the filtered history as CSV with formulas defused', async () => {
    const res = await auditor
      .get('/api/remote-sessions/export.csv')
      .query({ q: 'desktop-4f2k9' })
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="remote-sessions-.*\.csv"$/);
    const lines = res.text.split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^id,started_at,connected_at,ended_at,duration_sec,end_reason,customer_name,/);
    expect(lines).toHaveLength(1 + 16);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain('Sam Other');
    expect(lines.slice(2).every((l) => l.includes('Ada Lovelace'))).toBe(true);
    // A technician's export holds their own sessions only.
    const own = await tech.get('/api/remote-sessions/export.csv').expect(200);
    expect(own.text.split('\r\n').filter(Boolean)).toHaveLength(1 + 30);
    await admin.get('/api/remote-sessions/export.csv').query({ endReason: 'nope' }).expect(400);
  });

  it('lists the launcher’s quick-support devices with their customer, so two DESKTOP-4F2K9 differ', async () => {
    const res = await admin.get('/api/devices').expect(200);
    const named = (res.body.items as { hostname: string; supportSession: { customerName: string } | null }[])
      .filter((d) => d.hostname === 'DESKTOP-4F2K9')
      .map((d) => d.supportSession?.customerName)
      .sort();
    expect(named).toEqual(['=HYPERLINK("http://evil")', 'Ada Lovelace']);
    const server = (res.body.items as { hostname: string; supportSession: unknown }[]).find(
      (d) => d.hostname === 'build-server',
    );
    expect(server?.supportSession).toBeNull();
  });

  it('hands a support session only to an active technician or administrator', async () => {
    const s = await makeSupportSession(tech, { customerName: 'Hand over' });
    const people = (await tech.get('/api/users/technicians').expect(200)).body.items as {
      id: string;
      displayName: string;
      role: string;
    }[];
    expect(people).toHaveLength(3);
    expect(people.map((p) => p.displayName)).toEqual(expect.arrayContaining(['Robin Tech', 'Sam Other']));
    expect(people.some((p) => p.role === 'auditor')).toBe(false);
    await auditor.get('/api/users/technicians').expect(403);
    const auditorId = (await admin.get('/api/users').expect(200)).body.items.find(
      (u: { role: string }) => u.role === 'auditor',
    ).id as string;
    const refused = await tech.post(`/api/quick-support/sessions/${s.id}/assign`).send({ userId: auditorId });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('validation_failed');
    const sam = people.find((p) => p.displayName === 'Sam Other')!;
    const handed = await tech.post(`/api/quick-support/sessions/${s.id}/assign`).send({ userId: sam.id });
    expect(handed.status).toBe(200);
    expect(handed.body.assignedTo).toEqual({ id: sam.id, displayName: 'Sam Other' });
    expect(handed.body.canManage).toBe(false);
    // Robin no longer owns it and cannot take it back; an administrator can.
    await tech.post(`/api/quick-support/sessions/${s.id}/assign`).send({}).expect(403);
    const taken = await admin.post(`/api/quick-support/sessions/${s.id}/assign`).send({}).expect(200);
    expect(taken.body.assignedTo.displayName).not.toBe('Sam Other');
  });

  it('walks the history’s order on its index, and its migration goes down and up again', async () => {
    const plan = await db.transaction(async (m) => {
      // A tiny table would be read whole; without that way out the planner shows what it can use.
      await m.query('SET LOCAL enable_seqscan = off');
      await m.query('SET LOCAL enable_sort = off');
      const rows = await m.query<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN SELECT rs.id FROM remote_sessions rs WHERE rs.status = 'ended' AND rs.technician_id = $1
          ORDER BY rs.ended_at DESC, rs.id DESC LIMIT 25`,
        [techId],
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/ix_remote_sessions_history/);
    expect(plan).not.toMatch(/\bSort\b/);

    await withMigrationsUpTo(RemoteSessionHistoryIndexes1763785000000, async (ds) => {
      const indexes = async (): Promise<string[]> =>
        (
          await ds.query<{ indexname: string }[]>(
            `SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_remote_sessions_history%' ORDER BY indexname`,
          )
        ).map((r) => r.indexname);
      await ds.runMigrations();
      expect(await indexes()).toEqual([
        'ix_remote_sessions_history',
        'ix_remote_sessions_history_technician',
      ]);
      await ds.undoLastMigration();
      expect(await indexes()).toEqual([]);
      await ds.runMigrations();
      expect(await indexes()).toHaveLength(2);
    });
  });
});
