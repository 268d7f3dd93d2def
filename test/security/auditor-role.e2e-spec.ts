import type TestAgent from 'supertest/lib/agent';
import { AuditorRole1763765000000 } from '../../migrations/1763765000000-AuditorRole';
import type { RelayServer } from '../../relay/relay-server';
import { eventually } from '../agent/support/script-run';
import { FakeAgent } from '../remote-sessions/fake-agent';
import { onlineAgent, startStack } from '../remote-sessions/stack';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import type { TestApp } from '../support/test-app';
import { withMigrationsUpTo } from '../support/migrations';

jest.setTimeout(120_000);

/**
 * The auditor role on the real portal, relay and control channel: a technician runs a remote session
 * on a customer's device; an auditor reads the history and can act on nothing. An admin may end any
 * technician's live session; a second technician may not.
 */
describe('auditor: reads the history, acts on nothing', () => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];
  let admin: TestAgent;
  let tech: TestAgent;
  let other: TestAgent;
  let auditor: TestAgent;
  let auditorId: string;
  let supportId: string;
  let deviceId: string;

  async function addUser(email: string, role: string): Promise<[TestAgent, string]> {
    const res = await admin
      .post('/api/users')
      .send({ email, displayName: `The ${role}`, role, password: 'user-password-1234' })
      .expect(201);
    expect(res.body.user.role).toBe(role);
    return [await t.loginAs(email, 'user-password-1234'), res.body.user.id as string];
  }

  const startVnc = (who: TestAgent) =>
    who
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false });

  const expectRole = (res: { status: number; body: unknown }) => {
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ code: 'role_not_allowed', message: expect.stringMatching(/auditor/) });
  };

  beforeAll(async () => {
    ({ t, relay } = await startStack());
    admin = await t.loginAs();
    [tech] = await addUser('tech@example.test', 'technician');
    [other] = await addUser('other@example.test', 'technician');
    [auditor, auditorId] = await addUser('auditor@example.test', 'auditor');
    const support = await makeSupportSession(tech, { customerName: 'Front desk', note: 'private note' });
    supportId = support.id;
    const { token } = await downloadInstaller(t, support.path, 'linux');
    ({ deviceId } = await onlineAgent(t, tech, token, agents, { hostname: 'customer-pc' }));
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t?.close();
    await relay?.close();
  });

  it('reads the session lists and details, without the customer link or notes', async () => {
    const session = (await startVnc(tech).expect(201)).body.session as { id: string };
    const list = (await auditor.get('/api/remote-sessions').expect(200)).body.items as { id: string }[];
    expect(list.map((s) => s.id)).toContain(session.id);
    expect((await auditor.get(`/api/remote-sessions/${session.id}`).expect(200)).body.id).toBe(session.id);
    const qs = await auditor.get(`/api/quick-support/sessions/${supportId}`).expect(200);
    expect(qs.body).toMatchObject({ customerName: 'Front desk', url: null, note: null, canManage: false });
    await auditor.get('/api/quick-support/sessions').expect(200);
    await auditor.get('/api/quick-support/kpis').expect(200);
    expect((await auditor.get('/api/auth/me').expect(200)).body).toMatchObject({ role: 'auditor' });
    await tech.post(`/api/remote-sessions/${session.id}/end`).send({}).expect(200);
  });

  it('reads the whole audit trail, every session’s timeline and the CSV; a technician only their own', async () => {
    const session = (await startVnc(tech).expect(201)).body.session as { id: string };
    const lines = (who: TestAgent) =>
      who.get('/api/audit-events').query({ sessionId: session.id }).expect(200);
    const seen = (await lines(auditor)).body.items as { action: string }[];
    expect(seen.map((l) => l.action)).toContain('remote_session.started');
    expect((await lines(other)).body.items).toEqual([]);
    const timeline = (await auditor.get(`/api/remote-sessions/${session.id}/timeline`).expect(200)).body;
    expect(JSON.stringify(timeline)).toContain('remote_session.started');
    expect((await other.get(`/api/remote-sessions/${session.id}/timeline`).expect(403)).body.code).toBe(
      'not_session_owner',
    );
    const csv = await auditor.get('/api/audit-events.csv').query({ sessionId: session.id }).expect(200);
    expect(csv.headers['content-disposition']).toMatch(/attachment/);
    await tech.post(`/api/remote-sessions/${session.id}/end`).send({}).expect(200);
  });

  it('cannot start or end sessions, run commands, reach devices or create links', async () => {
    const live = (await startVnc(tech).expect(201)).body.session as { id: string };
    const rs = `/api/remote-sessions/${live.id}`;
    expectRole(await startVnc(auditor));
    expectRole(await auditor.post(`${rs}/end`).send({}));
    expectRole(await auditor.post(`${rs}/tokens`).send({}));
    expectRole(await auditor.post(`${rs}/channels/files`).send({}));
    expectRole(await auditor.post(`${rs}/commands`).send({ command: 'hostname' }));
    expectRole(await auditor.get('/api/devices'));
    expectRole(await auditor.get(`/api/devices/${deviceId}/remotehelp`));
    expectRole(await auditor.post(`/api/devices/${deviceId}/remotehelp/start`).send({}));
    expectRole(await auditor.post('/api/quick-support/sessions').send({ customerName: 'Someone' }));
    expectRole(await auditor.post(`/api/quick-support/sessions/${supportId}/end`).send({}));
    expectRole(
      await auditor.post(`/api/quick-support/sessions/${supportId}/assign`).send({ userId: auditorId }),
    );
    expect((await tech.get(rs).expect(200)).body.status).not.toBe('ended');
    await tech.post(`${rs}/end`).send({}).expect(200);
  });

  it('cannot manage users, installers or device grants', async () => {
    expectRole(await auditor.get('/api/users'));
    expectRole(
      await auditor.post('/api/users').send({ email: 'x@example.test', displayName: 'X', role: 'admin' }),
    );
    expectRole(await auditor.patch(`/api/users/${auditorId}`).send({ role: 'admin' }));
    expectRole(await auditor.delete(`/api/users/${auditorId}`));
    expectRole(await auditor.post('/api/installers').send({ os: 'linux' }));
    expectRole(await auditor.get(`/api/devices/${deviceId}/grants`));
    const me = (await admin.get('/api/users').expect(200)).body.items as { id: string; role: string }[];
    expect(me.find((u) => u.id === auditorId)?.role).toBe('auditor');
  });

  it('lets an admin end another technician’s live session; another technician cannot', async () => {
    const live = (await startVnc(tech).expect(201)).body.session as { id: string };
    const rs = `/api/remote-sessions/${live.id}`;
    const refused = await other.post(`${rs}/end`).send({});
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('not_session_owner');
    expect((await tech.get(rs).expect(200)).body.status).not.toBe('ended');
    await admin.post(`${rs}/end`).send({}).expect(200);
    await eventually(async () => (await tech.get(rs)).body.status === 'ended', 'remote session ended');
  });

  it('takes an auditor made a technician to the support work, and back', async () => {
    await admin.patch(`/api/users/${auditorId}`).send({ role: 'technician' }).expect(200);
    const again = await t.loginAs('auditor@example.test', 'user-password-1234');
    await again.get('/api/devices').expect(200);
    await admin.patch(`/api/users/${auditorId}`).send({ role: 'auditor' }).expect(200);
    await again.get('/api/auth/me').expect(401); // a role change ends the login
  });
});

describe('AuditorRole migration', () => {
  it('adds the role, and going down disables and signs out auditors instead of letting them act', async () => {
    await withMigrationsUpTo(AuditorRole1763765000000, async (ds) => {
      await ds.runMigrations();
      const [{ id }] = await ds.query<{ id: string }[]>(
        `INSERT INTO users (email, display_name, password_hash, role) VALUES ('a@example.test', 'A', 'x', 'auditor') RETURNING id`,
      );
      await ds.query(
        `INSERT INTO auth_sessions (sid, sess, expire) VALUES ('s1', $1, now() + interval '1 hour')`,
        [JSON.stringify({ passport: { user: id } })],
      );
      await ds.undoLastMigration();
      const [row] = await ds.query<{ role: string; disabled: boolean }[]>(
        `SELECT role::text, disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1`,
        [id],
      );
      expect(row).toEqual({ role: 'technician', disabled: true });
      expect(await ds.query(`SELECT 1 FROM auth_sessions`)).toHaveLength(0);
      await expect(
        ds.query(
          `INSERT INTO users (email, display_name, password_hash, role) VALUES ('b@example.test', 'B', 'x', 'auditor')`,
        ),
      ).rejects.toThrow(/user_role/);
      await ds.runMigrations();
      await ds.query(`UPDATE users SET role = 'auditor' WHERE id = $1`, [id]);
    });
  });
});
