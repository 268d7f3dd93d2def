import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { DeviceGrants1763750000000 } from '../../migrations/1763750000000-DeviceGrants';
import { ACCESS_RULE, ROUTE_ROLES, type AccessRule } from '../../src/access/access-rule';
import { IS_PUBLIC } from '../../src/common/decorators';
import { DevicesService } from '../../src/devices/devices.service';
import type { RelayServer } from '../../relay/relay-server';
import { eventually } from '../agent/support/script-run';
import { FakeAgent } from '../remote-sessions/fake-agent';
import { onlineAgent, startStack } from '../remote-sessions/stack';
import { downloadInstaller, makeSupportSession, registerBody } from '../support/quick-support-factories';
import { openStream, SseReader } from '../support/sse-reader';
import type { TestApp } from '../support/test-app';
import { withMigrationsUpTo } from '../support/migrations';

jest.setTimeout(120_000);

/**
 * Every route a logged-in technician can call, by what it does for a technician who does not own the
 * resource. The last test checks this list against the portal's own route table, so a new route
 * cannot slip past the walk below.
 */
const TECHNICIAN_ROUTES = {
  /** Team views: answered, with what belongs to another technician left out. */
  teamView: [
    'GET /api/quick-support/sessions',
    'GET /api/quick-support/sessions/:id',
    'GET /api/quick-support/kpis',
    'GET /api/quick-support/events',
    'POST /api/quick-support/sessions',
    'GET /api/remote-sessions',
    'GET /api/remote-sessions/:id',
    'GET /api/remote-sessions/events',
    'GET /api/devices',
    'GET /api/users/technicians',
  ],
  /** Refused unless the caller owns the session / runs it / reaches the device, or is an admin. */
  ownerOnly: [
    'POST /api/quick-support/sessions/:id/end',
    'GET /api/quick-support/sessions/:id/chat',
    'POST /api/quick-support/sessions/:id/chat',
    'GET /api/remote-sessions/:id/support-session',
    'POST /api/quick-support/sessions/:id/assign',
    'POST /api/remote-sessions',
    'POST /api/remote-sessions/:id/tokens',
    'POST /api/remote-sessions/:id/end',
    'POST /api/remote-sessions/:id/commands',
    'GET /api/remote-sessions/:id/commands/:commandId/output',
    'GET /api/remote-sessions/:id/events',
    'POST /api/remote-sessions/:id/channels/:channel/ask',
    'POST /api/remote-sessions/:id/channels/shell/plain',
    'POST /api/remote-sessions/:id/channels/files',
    'POST /api/remote-sessions/:id/screen/monitor',
    'POST /api/remote-sessions/:id/commands/:commandId/cancel',
    'GET /api/devices/:id/remotehelp',
    'POST /api/devices/:id/remotehelp/start',
    'POST /api/devices/:id/remotehelp/stop',
    'POST /api/devices/:id/remotehelp/install',
    'GET /api/remote-sessions/:id/timeline',
  ],
  /** Administrators only. */
  adminOnly: [
    'GET /api/devices/:id/grants',
    'PUT /api/devices/:id/grants/:userId',
    'DELETE /api/devices/:id/grants/:userId',
    'PATCH /api/devices/:id/consent-policy',
    'GET /api/users',
    'POST /api/users',
    'PATCH /api/users/:id',
    'DELETE /api/users/:id',
    'POST /api/installers',
    'GET /api/recordings/:id/export.zip',
    'PUT /api/recordings/:id/legal-hold',
  ],
  /** Administrators and auditors only (checking a recording's integrity). */
  readersOnly: ['POST /api/recordings/:id/verify'],
  /**
   * Recordings: answered, narrowed to the caller's own sessions; another technician's recording is
   * 404 recording_not_found (test/api/recordings.e2e-spec.ts).
   */
  ownRecordings: [
    'GET /api/recordings/settings',
    'GET /api/recordings',
    'GET /api/remote-sessions/:id/recordings',
    'GET /api/recordings/:id',
    'GET /api/recordings/:id/playback',
    'GET /api/recordings/:id/chunks/:index',
  ],
  /** The audit trail: answered, narrowed to the lines of the caller's own remote sessions. */
  ownAuditLines: ['GET /api/audit-events', 'GET /api/audit-events.csv'],
  /** The remote-session history: answered, narrowed to the caller's own sessions (history.e2e-spec). */
  ownHistory: ['GET /api/remote-sessions/history', 'GET /api/remote-sessions/export.csv'],
  /** The caller's own login. */
  ownAccount: ['POST /api/auth/logout', 'GET /api/auth/me'],
};

interface Resources {
  supportId: string;
  supportUrl: string;
  quickDeviceId: string;
  persistentDeviceId: string;
  remoteId: string;
  commandId: string;
}

/**
 * Technician isolation (issue 10, item 4) on the real portal, relay and control channel: Alice owns a
 * quick-support session, its device, a remote session on it and a command; Bob, a second technician,
 * walks every technician route against them.
 */
describe('technician isolation: a second technician walks every technician route', () => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];
  let admin: TestAgent;
  let alice: TestAgent;
  let bob: TestAgent;
  let carol: TestAgent;
  const ids = { alice: '', bob: '', carol: '' };
  let r: Resources;

  async function addTechnician(email: string, displayName: string): Promise<[TestAgent, string]> {
    const res = await admin
      .post('/api/users')
      .send({ email, displayName, role: 'technician', password: 'technician-pass-123' })
      .expect(201);
    return [await t.loginAs(email, 'technician-pass-123'), res.body.user.id as string];
  }

  async function loginCookie(email: string): Promise<string> {
    const login = await t
      .browser()
      .post('/api/auth/login')
      .send({ email, password: 'technician-pass-123' })
      .expect(200);
    return (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
  }

  /** A quick-support session of `tech`'s with its device online (the customer ran the script). */
  async function quickDevice(tech: TestAgent, fields: { customerName?: string; note?: string } = {}) {
    const support = await makeSupportSession(tech, fields);
    const { token } = await downloadInstaller(t, support.path, 'linux');
    const { deviceId } = await onlineAgent(t, tech, token, agents, { hostname: 'alice-customer-pc' });
    return { support, deviceId };
  }

  /** A persistent device (admin's install command), online. */
  async function persistentDevice(): Promise<string> {
    const res = await admin.post('/api/installers').send({ os: 'linux' }).expect(201);
    const token = /Bearer ([A-Za-z0-9_-]{43})/.exec(res.body.command as string)![1];
    const { deviceId } = await onlineAgent(
      t,
      admin,
      token,
      agents,
      { hostname: 'file-server' },
      { mode: 'persistent' },
    );
    return deviceId;
  }

  const startVnc = (tech: TestAgent, deviceId: string) =>
    tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false });

  beforeAll(async () => {
    ({ t, relay } = await startStack());
    admin = await t.loginAs();
    [alice, ids.alice] = await addTechnician('alice@example.test', 'Alice');
    [bob, ids.bob] = await addTechnician('bob@example.test', 'Bob');
    [carol, ids.carol] = await addTechnician('carol@example.test', 'Carol');

    const { support, deviceId } = await quickDevice(alice, {
      customerName: 'Front desk',
      note: 'Alice private note: the CFO laptop',
    });
    await t.browser().post(`${support.path}/note`).send({ note: 'my password is hunter2' }).expect(201);
    const started = await startVnc(alice, deviceId).expect(201);
    const cmd = await alice
      .post(`/api/remote-sessions/${started.body.session.id}/commands`)
      .send({ command: 'hostname' })
      .expect(201);
    r = {
      supportId: support.id,
      supportUrl: support.url,
      quickDeviceId: deviceId,
      persistentDeviceId: await persistentDevice(),
      remoteId: started.body.session.id as string,
      commandId: cmd.body.commandId as string,
    };
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
  });

  it('shows Bob the team queue without Alice’s customer link, private note or customer notes', async () => {
    const list = await bob.get('/api/quick-support/sessions').expect(200);
    const row = list.body.items.find((s: { id: string }) => s.id === r.supportId);
    expect(row).toMatchObject({
      customerName: 'Front desk',
      status: 'active',
      assignedTo: { id: ids.alice, displayName: 'Alice' },
      url: null,
      note: null,
      notes: [],
      canManage: false,
    });
    const one = await bob.get(`/api/quick-support/sessions/${r.supportId}`).expect(200);
    expect(one.body).toMatchObject({ url: null, note: null, notes: [], canManage: false });
    const leaked = JSON.stringify([list.body, one.body]);
    expect(leaked).not.toContain(new URL(r.supportUrl).pathname.split('/').pop()!);
    expect(leaked).not.toContain('hunter2');
    expect(leaked).not.toContain('CFO laptop');
    // The team's KPIs count everyone's sessions.
    expect((await bob.get('/api/quick-support/kpis').expect(200)).body.active).toBeGreaterThanOrEqual(1);

    // The owner and an admin see it all.
    for (const who of [alice, admin]) {
      const full = await who.get(`/api/quick-support/sessions/${r.supportId}`).expect(200);
      expect(full.body).toMatchObject({
        url: r.supportUrl,
        note: 'Alice private note: the CFO laptop',
        notes: [expect.objectContaining({ body: 'my password is hunter2' })],
        canManage: true,
      });
    }
  });

  it('streams Bob the same view: Alice’s sessions without link or notes, no customer notes, no devices he cannot reach', async () => {
    const bobStream = new SseReader(await openStream(t.baseUrl, await loginCookie('bob@example.test')));
    const aliceStream = new SseReader(await openStream(t.baseUrl, await loginCookie('alice@example.test')));
    try {
      expect(bobStream.res.statusCode).toBe(200);
      // Alice's session changes, her customer writes, her device reports: Bob must not learn the secrets.
      await alice.post(`/api/quick-support/sessions/${r.supportId}/assign`).send({}).expect(200);
      const s2 = await makeSupportSession(alice, { note: 'second private note' });
      await t.browser().post(`${s2.path}/note`).send({ note: 'second customer secret' }).expect(201);
      await t.app.get(DevicesService).publishUpdated([r.quickDeviceId, r.persistentDeviceId]);

      // Alice (the owner) gets everything...
      await aliceStream.waitFor(
        (e) => e.event === 'note.added' && (e.data as { sessionId: string }).sessionId === s2.id,
      );
      await aliceStream.waitFor(
        (e) => e.event === 'device.updated' && (e.data as { id: string }).id === r.quickDeviceId,
      );
      const aliceCreated = await aliceStream.waitFor(
        (e) => e.event === 'session.created' && (e.data as { id: string }).id === s2.id,
      );
      expect(aliceCreated.data).toMatchObject({ url: s2.url, note: 'second private note', canManage: true });

      // ...Bob the redacted sessions, then his own device event last (events reach him in order).
      const updated = await bobStream.waitFor(
        (e) => e.event === 'session.updated' && (e.data as { id: string }).id === r.supportId,
      );
      expect(updated.data).toMatchObject({ url: null, note: null, notes: [], canManage: false });
      const created = await bobStream.waitFor(
        (e) => e.event === 'session.created' && (e.data as { id: string }).id === s2.id,
      );
      expect(created.data).toMatchObject({ url: null, note: null, canManage: false });
      const own = await makeSupportSession(bob);
      const { token } = await downloadInstaller(t, own.path, 'linux');
      const reg = await t.http().post('/api/agent/register').send(registerBody(token)).expect(201);
      await bobStream.waitFor(
        (e) => e.event === 'device.registered' && (e.data as { id: string }).id === reg.body.deviceId,
      );
      await bobStream.waitFor(
        (e) => e.event === 'session.created' && (e.data as { id: string }).id === own.id,
      );

      expect(bobStream.events.filter((e) => e.event === 'note.added')).toEqual([]);
      expect(
        bobStream.events
          .filter((e) => e.event.startsWith('device.'))
          .map((e) => (e.data as { id: string }).id),
      ).toEqual([reg.body.deviceId]);
      const streamed = JSON.stringify(bobStream.events);
      for (const secret of ['second private note', 'second customer secret', 'CFO laptop', s2.token])
        expect(streamed).not.toContain(secret);
    } finally {
      bobStream.close();
      aliceStream.close();
    }
  });

  it('refuses Bob every action on Alice’s sessions and devices, with a stable code, and changes nothing', async () => {
    const s = `/api/quick-support/sessions/${r.supportId}`;
    const rs = `/api/remote-sessions/${r.remoteId}`;
    const cmd = `${rs}/commands/${r.commandId}`;
    const walk: [
      route: string,
      call: () => Promise<{ status: number; body: { code?: string } }>,
      code: string,
    ][] = [
      ['POST /api/quick-support/sessions/:id/end', () => bob.post(`${s}/end`).send({}), 'not_session_owner'],
      ['GET /api/quick-support/sessions/:id/chat', () => bob.get(`${s}/chat`), 'not_session_owner'],
      [
        'POST /api/quick-support/sessions/:id/chat',
        () => bob.post(`${s}/chat`).send({ body: 'Hello from Bob' }),
        'not_session_owner',
      ],
      [
        'GET /api/remote-sessions/:id/support-session',
        () => bob.get(`${rs}/support-session`),
        'not_session_owner',
      ],
      [
        'POST /api/quick-support/sessions/:id/assign',
        () => bob.post(`${s}/assign`).send({}),
        'not_session_owner',
      ],
      [
        'POST /api/quick-support/sessions/:id/assign',
        () => bob.post(`${s}/assign`).send({ userId: ids.bob }),
        'not_session_owner',
      ],
      ['POST /api/remote-sessions', () => startVnc(bob, r.quickDeviceId), 'device_access_denied'],
      ['POST /api/remote-sessions', () => startVnc(bob, r.persistentDeviceId), 'device_access_denied'],
      ['POST /api/remote-sessions/:id/tokens', () => bob.post(`${rs}/tokens`).send({}), 'not_session_owner'],
      ['POST /api/remote-sessions/:id/end', () => bob.post(`${rs}/end`).send({}), 'not_session_owner'],
      ['GET /api/remote-sessions/:id/events', () => bob.get(`${rs}/events`), 'not_session_owner'],
      [
        'POST /api/remote-sessions/:id/channels/:channel/ask',
        () => bob.post(`${rs}/channels/screen/ask`).send({}),
        'not_session_owner',
      ],
      [
        'POST /api/remote-sessions/:id/channels/shell/plain',
        () => bob.post(`${rs}/channels/shell/plain`).send({}),
        'not_session_owner',
      ],
      [
        'POST /api/remote-sessions/:id/channels/files',
        () => bob.post(`${rs}/channels/files`).send({}),
        'not_session_owner',
      ],
      [
        'POST /api/remote-sessions/:id/screen/monitor',
        () => bob.post(`${rs}/screen/monitor`).send({ monitor: 1 }),
        'not_session_owner',
      ],
      ['GET /api/remote-sessions/:id/timeline', () => bob.get(`${rs}/timeline`), 'not_session_owner'],
      [
        'POST /api/remote-sessions/:id/commands',
        () => bob.post(`${rs}/commands`).send({ command: 'cat /etc/shadow' }),
        'not_session_owner',
      ],
      [
        'GET /api/remote-sessions/:id/commands/:commandId/output',
        () => bob.get(`${cmd}/output`),
        'not_session_owner',
      ],
      [
        'POST /api/remote-sessions/:id/commands/:commandId/cancel',
        () => bob.post(`${cmd}/cancel`).send({}),
        'not_session_owner',
      ],
      ...(['quickDeviceId', 'persistentDeviceId'] as const).flatMap(
        (device): [string, () => Promise<{ status: number; body: { code?: string } }>, string][] => {
          const rh = `/api/devices/${r[device]}/remotehelp`;
          return [
            ['GET /api/devices/:id/remotehelp', () => bob.get(rh), 'device_access_denied'],
            [
              'POST /api/devices/:id/remotehelp/start',
              () => bob.post(`${rh}/start`).send({}),
              'device_access_denied',
            ],
            [
              'POST /api/devices/:id/remotehelp/stop',
              () => bob.post(`${rh}/stop`).send({}),
              'device_access_denied',
            ],
            [
              'POST /api/devices/:id/remotehelp/install',
              () => bob.post(`${rh}/install`).send({}),
              'device_access_denied',
            ],
          ];
        },
      ),
      [
        'GET /api/devices/:id/grants',
        () => bob.get(`/api/devices/${r.persistentDeviceId}/grants`),
        'role_not_allowed',
      ],
      [
        'PUT /api/devices/:id/grants/:userId',
        () => bob.put(`/api/devices/${r.persistentDeviceId}/grants/${ids.bob}`).send({}),
        'role_not_allowed',
      ],
      [
        'DELETE /api/devices/:id/grants/:userId',
        () => bob.delete(`/api/devices/${r.persistentDeviceId}/grants/${ids.carol}`),
        'role_not_allowed',
      ],
      [
        'PATCH /api/devices/:id/consent-policy',
        () => bob.patch(`/api/devices/${r.persistentDeviceId}/consent-policy`).send({ policy: 'silent' }),
        'role_not_allowed',
      ],
      ['GET /api/users', () => bob.get('/api/users'), 'role_not_allowed'],
      [
        'POST /api/users',
        () => bob.post('/api/users').send({ email: 'mallory@example.test', displayName: 'M', role: 'admin' }),
        'role_not_allowed',
      ],
      [
        'PATCH /api/users/:id',
        () => bob.patch(`/api/users/${ids.bob}`).send({ role: 'admin' }),
        'role_not_allowed',
      ],
      ['DELETE /api/users/:id', () => bob.delete(`/api/users/${ids.alice}`), 'role_not_allowed'],
      ['POST /api/installers', () => bob.post('/api/installers').send({ os: 'linux' }), 'role_not_allowed'],
      [
        'GET /api/recordings/:id/export.zip',
        () => bob.get(`/api/recordings/${r.remoteId}/export.zip`),
        'role_not_allowed',
      ],
      [
        'PUT /api/recordings/:id/legal-hold',
        () => bob.put(`/api/recordings/${r.remoteId}/legal-hold`).send({ hold: false }),
        'role_not_allowed',
      ],
      [
        'POST /api/recordings/:id/verify',
        () => bob.post(`/api/recordings/${r.remoteId}/verify`).send({}),
        'role_not_allowed',
      ],
    ];
    const walked = new Set<string>();
    for (const [route, call, code] of walk) {
      const res = await call();
      walked.add(route);
      expect(`${route} → ${res.status} ${res.body?.code ?? ''}`).toBe(`${route} → 403 ${code}`);
      expect(res.body).toEqual({ code, message: expect.any(String) });
    }
    expect([...walked].sort()).toEqual(
      [
        ...TECHNICIAN_ROUTES.ownerOnly,
        ...TECHNICIAN_ROUTES.adminOnly,
        ...TECHNICIAN_ROUTES.readersOnly,
      ].sort(),
    );

    // Nothing changed: Alice still owns an open session, her remote session runs, no user was touched.
    const session = (await alice.get(s).expect(200)).body;
    expect(session).toMatchObject({ status: 'active', assignedTo: { id: ids.alice } });
    expect((await alice.get(rs).expect(200)).body.status).not.toBe('ended');
    expect((await admin.get('/api/users').expect(200)).body.items).toHaveLength(4);
    const byBob = await t.app
      .get(DataSource)
      .query(`SELECT action FROM audit_events WHERE actor_id = $1 AND target_id = ANY($2)`, [
        ids.bob,
        [r.supportId, r.remoteId, r.quickDeviceId, r.persistentDeviceId, ids.alice, ids.bob, ids.carol],
      ]);
    expect(byBob).toEqual([]);
  });

  it('lists only the devices a technician may reach; admins see them all', async () => {
    const listed = async (who: TestAgent) =>
      ((await who.get('/api/devices').expect(200)).body.items as { id: string }[]).map((d) => d.id);
    expect(await listed(bob)).not.toContain(r.quickDeviceId);
    expect(await listed(bob)).not.toContain(r.persistentDeviceId);
    expect(await listed(alice)).toContain(r.quickDeviceId);
    expect(await listed(alice)).not.toContain(r.persistentDeviceId);
    expect(await listed(admin)).toEqual(expect.arrayContaining([r.quickDeviceId, r.persistentDeviceId]));
    // Remote sessions are the team's list (no secrets in them); acting on them is what is guarded.
    const team = (await bob.get('/api/remote-sessions').expect(200)).body.items as { id: string }[];
    expect(team.map((x) => x.id)).toContain(r.remoteId);
    await bob.get(`/api/remote-sessions/${r.remoteId}`).expect(200);
  });

  it('lets a granted technician reach a persistent device and nobody else, until the grant is withdrawn (admin-only, audited)', async () => {
    const grants = `/api/devices/${r.persistentDeviceId}/grants`;
    expect((await admin.get(grants).expect(200)).body.items).toEqual([]);
    const granted = await admin.put(`${grants}/${ids.carol}`).send({}).expect(200);
    expect(granted.body).toMatchObject({
      deviceId: r.persistentDeviceId,
      userId: ids.carol,
      displayName: 'Carol',
    });
    await admin.put(`${grants}/${ids.carol}`).send({}).expect(200); // idempotent
    expect((await admin.get(grants).expect(200)).body.items.map((g: { userId: string }) => g.userId)).toEqual(
      [ids.carol],
    );

    // Carol now reaches it: listed, a remote session, Quick Assist readiness.
    expect(
      ((await carol.get('/api/devices').expect(200)).body.items as { id: string }[]).map((d) => d.id),
    ).toContain(r.persistentDeviceId);
    const session = await startVnc(carol, r.persistentDeviceId).expect(201);
    await carol.get(`/api/devices/${r.persistentDeviceId}/remotehelp`).expect(200);
    await carol.post(`/api/devices/${r.persistentDeviceId}/remotehelp/start`).send({}).expect(200);
    // Bob, ungranted, still cannot; and Carol cannot reach Alice's quick-support device.
    expect((await startVnc(bob, r.persistentDeviceId)).body.code).toBe('device_access_denied');
    expect((await startVnc(carol, r.quickDeviceId)).body.code).toBe('device_access_denied');
    // Granted too, Bob still cannot drive Quick Assist inside Carol's open session.
    await admin.put(`${grants}/${ids.bob}`).send({}).expect(200);
    const inOthers = await bob.post(`/api/devices/${r.persistentDeviceId}/remotehelp/start`).send({});
    expect(inOthers.status).toBe(403);
    expect(inOthers.body.code).toBe('not_session_owner');
    await admin.delete(`${grants}/${ids.bob}`).expect(204);
    await carol.post(`/api/remote-sessions/${session.body.session.id}/end`).send({}).expect(200);

    // Withdrawn: Carol is refused again; deleting twice is fine.
    await admin.delete(`${grants}/${ids.carol}`).expect(204);
    await admin.delete(`${grants}/${ids.carol}`).expect(204);
    expect((await startVnc(carol, r.persistentDeviceId)).body.code).toBe('device_access_denied');
    expect(
      ((await carol.get('/api/devices').expect(200)).body.items as { id: string }[]).map((d) => d.id),
    ).not.toContain(r.persistentDeviceId);

    const audit = await t.app
      .get(DataSource)
      .query(
        `SELECT action, details->>'userId' AS "userId" FROM audit_events WHERE target_type = 'device' AND target_id = $1 AND action LIKE 'device.access_%' ORDER BY id`,
        [r.persistentDeviceId],
      );
    expect(audit).toEqual([
      { action: 'device.access_granted', userId: ids.carol },
      { action: 'device.access_granted', userId: ids.bob },
      { action: 'device.access_revoked', userId: ids.bob },
      { action: 'device.access_revoked', userId: ids.carol },
    ]);

    // Quick-support devices take no grants; unknown devices and users are 404; bad ids 400.
    expect((await admin.put(`/api/devices/${r.quickDeviceId}/grants/${ids.bob}`).send({})).status).toBe(409);
    await admin
      .put(`/api/devices/00000000-0000-4000-8000-000000000000/grants/${ids.bob}`)
      .send({})
      .expect(404);
    await admin.put(`${grants}/00000000-0000-4000-8000-000000000000`).send({}).expect(404);
    await admin.put(`${grants}/not-a-uuid`).send({}).expect(400);
  });

  it('still lets the owner and an admin do everything, and hands ownership over with a reassignment', async () => {
    const rs = `/api/remote-sessions/${r.remoteId}`;
    // Alice, the remote session's technician: fresh tokens, a command and its output, cancel, Quick Assist.
    await alice.post(`${rs}/tokens`).send({}).expect(200);
    const cmd = await alice.post(`${rs}/commands`).send({ command: 'uptime' }).expect(201);
    const output = await alice.get(`${rs}/commands/${cmd.body.commandId}/output`).buffer(true).expect(200);
    expect(output.text).toContain('command_exit');
    await alice.post(`${rs}/commands/${cmd.body.commandId}/cancel`).send({}).expect(204);
    await alice.get(`/api/devices/${r.quickDeviceId}/remotehelp`).expect(200);
    await alice.post(`/api/devices/${r.quickDeviceId}/remotehelp/stop`).send({}).expect(200);

    // An admin: another technician's command output and tokens, and ending the session.
    const adminOut = await admin.get(`${rs}/commands/${r.commandId}/output`).buffer(true).expect(200);
    expect(adminOut.text).toContain('command_exit');
    await admin.post(`${rs}/tokens`).send({}).expect(200);
    await admin.post(`${rs}/end`).send({}).expect(200);
    await eventually(async () => (await alice.get(rs)).body.status === 'ended', 'remote session ended');

    // Alice hands her session to Bob: now he owns it (link, notes, end) and she sees the team view.
    const handed = await alice
      .post(`/api/quick-support/sessions/${r.supportId}/assign`)
      .send({ userId: ids.bob })
      .expect(200);
    expect(handed.body).toMatchObject({
      assignedTo: { id: ids.bob },
      url: null,
      note: null,
      canManage: false,
    });
    const bobs = await bob.get(`/api/quick-support/sessions/${r.supportId}`).expect(200);
    expect(bobs.body).toMatchObject({
      url: r.supportUrl,
      note: 'Alice private note: the CFO laptop',
      canManage: true,
    });
    expect((await alice.post(`/api/quick-support/sessions/${r.supportId}/end`).send({})).status).toBe(403);
    await bob.post(`/api/quick-support/sessions/${r.supportId}/end`).send({}).expect(200);
  });

  it('has every technician route in this walk, each declaring who may use it', () => {
    const routes = routeTable(t.app);
    const technician = routes.filter((x) => !x.public);
    const listed = Object.values(TECHNICIAN_ROUTES).flat();
    expect(technician.map((x) => x.route).sort()).toEqual([...new Set(listed)].sort());
    for (const x of technician) {
      const expected = TECHNICIAN_ROUTES.adminOnly.includes(x.route)
        ? 'admin'
        : TECHNICIAN_ROUTES.readersOnly.includes(x.route)
          ? 'readers'
          : TECHNICIAN_ROUTES.ownRecordings.includes(x.route)
            ? 'own-history'
            : TECHNICIAN_ROUTES.ownerOnly.includes(x.route)
              ? 'owner'
              : TECHNICIAN_ROUTES.teamView.includes(x.route)
                ? 'team'
                : TECHNICIAN_ROUTES.ownAuditLines.includes(x.route)
                  ? 'own-audit-lines'
                  : TECHNICIAN_ROUTES.ownHistory.includes(x.route)
                    ? 'own-history'
                    : 'own-account';
      const declared =
        x.roles?.length === 1 && x.roles[0] === 'admin'
          ? 'admin'
          : x.roles?.length === 2 && x.roles.includes('admin') && x.roles.includes('auditor')
            ? 'readers'
            : x.access?.kind === 'team'
              ? 'team'
              : x.access?.kind === 'own-account'
                ? 'own-account'
                : x.access?.kind === 'audit-trail' && !x.access.from
                  ? 'own-audit-lines'
                  : x.access?.kind === 'history'
                    ? 'own-history'
                    : 'owner';
      expect(`${x.route}: ${declared}`).toBe(`${x.route}: ${expected}`);
    }
  });
});

describe('DeviceGrants migration', () => {
  it('goes down and up again cleanly on a real PostgreSQL, and cascades with its device and user', async () => {
    await withMigrationsUpTo(DeviceGrants1763750000000, async (ds) => {
      const exists = async (): Promise<boolean> =>
        (
          await ds.query<unknown[]>(
            `SELECT 1 FROM information_schema.tables WHERE table_name = 'device_grants'`,
          )
        ).length > 0;
      await ds.runMigrations();
      expect(await exists()).toBe(true);
      const [{ id: user }] = await ds.query<{ id: string }[]>(
        `INSERT INTO users (email, display_name, password_hash) VALUES ('g@example.test', 'G', 'x') RETURNING id`,
      );
      const [{ id: device }] = await ds.query<{ id: string }[]>(
        `INSERT INTO devices (kind, hostname, os, os_version, arch, agent_version, protocol_version, credential_hash)
       VALUES ('persistent', 'h', 'linux', 'v', 'x64', '0.1.0', '1.0', repeat('0', 64)) RETURNING id`,
      );
      await ds.query(`INSERT INTO device_grants (device_id, user_id) VALUES ($1, $2)`, [device, user]);
      await ds.query(`DELETE FROM users WHERE id = $1`, [user]);
      expect(await ds.query(`SELECT 1 FROM device_grants`)).toHaveLength(0);
      // Down to just before DeviceGrants (the later migrations go first).
      for (let i = MIGRATIONS.length - 1; MIGRATIONS[i] !== DeviceGrants1763750000000; i--)
        await ds.undoLastMigration();
      await ds.undoLastMigration();
      expect(await exists()).toBe(false);
      await ds.runMigrations();
      expect(await exists()).toBe(true);
    });
  });
});

/** The portal's routes as Nest registered them, with their login, role and access declarations. */
function routeTable(
  app: INestApplication,
): { route: string; public: boolean; roles?: string[]; access?: AccessRule }[] {
  const out: { route: string; public: boolean; roles?: string[]; access?: AccessRule }[] = [];
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const cls = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!cls) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const handler = (cls.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (typeof path !== 'string') continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const full = ['', base.startsWith('support') ? '' : 'api', base, path]
          .join('/')
          .replace(/\/+/g, '/')
          .replace(/(.)\/$/, '$1');
        const meta = <T>(key: string): T | undefined =>
          (Reflect.getMetadata(key, handler) as T | undefined) ??
          (Reflect.getMetadata(key, cls) as T | undefined);
        out.push({
          route: `${method} ${full}`,
          public: meta<boolean>(IS_PUBLIC) === true,
          roles: meta<string[]>(ROUTE_ROLES),
          access: Reflect.getMetadata(ACCESS_RULE, handler) as AccessRule | undefined,
        });
      }
    }
  }
  return out;
}
