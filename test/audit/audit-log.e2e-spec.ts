import { request as httpRequest } from 'node:http';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { AuditReadIndexes1763760000000 } from '../../migrations/1763760000000-AuditReadIndexes';
import type {
  AuditEventPageView,
  AuditEventView,
  RemoteSessionTimelineView,
} from '../../contracts/api/audit';
import type { RelayServer } from '../../relay/relay-server';
import { FakeAgent } from '../remote-sessions/fake-agent';
import { onlineAgent, startStack } from '../remote-sessions/stack';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestApp } from '../support/test-app';
import { withMigrationsUpTo } from '../support/migrations';

jest.setTimeout(120_000);

const PASSWORD = 'technician-pass-123';

/** Parses RFC 4180 text (quoted fields, doubled quotes, CRLF records) into records of fields. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  return records;
}

/**
 * The audit trail read through the real portal on real PostgreSQL: lines written by real remote
 * sessions (the real relay and a stand-in agent on the real control channel), plus bulk lines inserted
 * the way the writer inserts them.
 */
describe('audit trail: list, CSV export and remote-session timeline', () => {
  let t: TestApp;
  let relay: RelayServer;
  let db: DataSource;
  const agents: FakeAgent[] = [];
  let admin: TestAgent;
  let alice: TestAgent;
  let bob: TestAgent;
  const ids = { alice: '', bob: '' };
  const s = { alice: '', bob: '', aliceDevice: '', bobDevice: '' };

  async function technician(email: string, displayName: string): Promise<[TestAgent, string]> {
    const res = await admin
      .post('/api/users')
      .send({ email, displayName, role: 'technician', password: PASSWORD })
      .expect(201);
    return [await t.loginAs(email, PASSWORD), res.body.user.id as string];
  }

  /** A quick-support device of `tech`'s, online, and a VNC remote session on it. */
  async function sessionOf(
    tech: TestAgent,
    hostname: string,
  ): Promise<{ sessionId: string; deviceId: string }> {
    const support = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, support.path, 'linux');
    const { deviceId } = await onlineAgent(t, tech, token, agents, { hostname });
    const started = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false, reason: 'printer' })
      .expect(201);
    return { sessionId: started.body.session.id as string, deviceId };
  }

  /** Inserts lines as the writer does (src/audit/audit.queries.ts), `at` chosen by the test. */
  async function insertLines(
    lines: {
      at: Date;
      actorType?: string;
      actorId?: string | null;
      action: string;
      targetType?: string;
      targetId?: string;
      details?: object;
    }[],
  ): Promise<void> {
    for (const l of lines)
      await db.query(
        `INSERT INTO audit_events (at, actor_type, actor_id, action, target_type, target_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
        [
          l.at,
          l.actorType ?? 'system',
          l.actorId ?? null,
          l.action,
          l.targetType ?? null,
          l.targetId ?? null,
          JSON.stringify(l.details ?? {}),
        ],
      );
  }

  const page = async (
    who: TestAgent,
    query: Record<string, string | number> = {},
  ): Promise<AuditEventPageView> =>
    (await who.get('/api/audit-events').query(query).expect(200)).body as AuditEventPageView;

  beforeAll(async () => {
    ({ t, relay } = await startStack());
    db = t.app.get(DataSource);
    admin = await t.loginAs();
    [alice, ids.alice] = await technician('alice@example.test', 'Alice');
    [bob, ids.bob] = await technician('bob@example.test', 'Bob');
    ({ sessionId: s.alice, deviceId: s.aliceDevice } = await sessionOf(alice, 'front-desk-pc'));
    ({ sessionId: s.bob, deviceId: s.bobDevice } = await sessionOf(bob, 'warehouse-pc'));
    await alice.post(`/api/remote-sessions/${s.alice}/commands`).send({ command: 'hostname' }).expect(201);
    await bob
      .post(`/api/remote-sessions/${s.bob}/commands`)
      .send({ command: 'cat /etc/bob-secret' })
      .expect(201);
    await alice.post(`/api/remote-sessions/${s.alice}/tokens`).send({}).expect(200);
    // Consent and mode lines as the agent's reports will write them (issue 12), on Alice's session.
    // Written now, after the start and before the end (equal times are ordered by id).
    const now = new Date();
    await insertLines([
      {
        at: now,
        actorType: 'agent',
        actorId: s.aliceDevice,
        action: 'remote_session.consent',
        targetType: 'remote_session',
        targetId: s.alice,
        details: { channel: 'screen', event: 'asked' },
      },
      {
        at: now,
        actorType: 'agent',
        actorId: s.aliceDevice,
        action: 'remote_session.consent',
        targetType: 'remote_session',
        targetId: s.alice,
        details: { channel: 'screen', event: 'allowed', mode: 'view_only' },
      },
      {
        at: now,
        actorType: 'agent',
        actorId: s.aliceDevice,
        action: 'remote_session.mode_changed',
        targetType: 'remote_session',
        targetId: s.alice,
        details: { mode: 'control' },
      },
      // Quick Assist is written twice in one transaction: on the device (naming the session) and on the session.
      {
        at: now,
        actorType: 'user',
        actorId: ids.alice,
        action: 'quick_assist.started',
        targetType: 'device',
        targetId: s.aliceDevice,
        details: { remoteSessionId: s.alice },
      },
      {
        at: now,
        actorType: 'user',
        actorId: ids.alice,
        action: 'quick_assist.started',
        targetType: 'remote_session',
        targetId: s.alice,
        details: { deviceId: s.aliceDevice },
      },
    ]);
    await alice.post(`/api/remote-sessions/${s.alice}/end`).send({}).expect(200);
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
  });

  it('shows an administrator every line, newest first, with actor names, device and session', async () => {
    const { items } = await page(admin, { limit: 200 });
    const actions = items.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'user.created',
        'support_session.created',
        'device.registered',
        'remote_session.started',
        'remote_session.command_run',
        'remote_session.ended',
      ]),
    );
    const times = items.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const started = items.find((e) => e.action === 'remote_session.started' && e.sessionId === s.alice)!;
    expect(started).toMatchObject({
      actor: { type: 'user', id: ids.alice, displayName: 'Alice' },
      target: { type: 'remote_session', id: s.alice },
      deviceId: s.aliceDevice,
      deviceName: 'front-desk-pc',
      sessionId: s.alice,
      details: { protocol: 'vnc', type: 'attended' },
    });
    // The end carries no device in its details: the device comes through the session.
    const ended = items.find((e) => e.action === 'remote_session.ended' && e.sessionId === s.alice)!;
    expect(ended).toMatchObject({
      deviceId: s.aliceDevice,
      deviceName: 'front-desk-pc',
      details: { reason: 'technician' },
    });
    const system = items.find((e) => e.action === 'user.first_admin_created')!;
    expect(system.actor).toEqual({ type: 'system', id: null, displayName: null });
  });

  it('filters by actor, device, session, exact action, action prefix and time range (combined with AND)', async () => {
    const byAlice = await page(admin, { actor: ids.alice, limit: 200 });
    expect(byAlice.items.length).toBeGreaterThan(0);
    expect(byAlice.items.every((e) => e.actor.id === ids.alice)).toBe(true);

    const onDevice = await page(admin, { deviceId: s.bobDevice, limit: 200 });
    expect(onDevice.items.every((e) => e.deviceId === s.bobDevice)).toBe(true);
    expect(onDevice.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['device.registered', 'remote_session.started', 'remote_session.command_run']),
    );

    const inSession = await page(admin, { sessionId: s.alice, limit: 200 });
    expect(inSession.items.every((e) => e.sessionId === s.alice)).toBe(true);
    expect(inSession.items.map((e) => e.action)).toContain('remote_session.ended');

    const exact = await page(admin, { action: 'remote_session.command_run' });
    expect(exact.items.map((e) => e.sessionId).sort()).toEqual([s.alice, s.bob].sort());

    const prefix = await page(admin, { action: 'remote_session.', limit: 200 });
    expect(prefix.items.length).toBeGreaterThan(4);
    expect(prefix.items.every((e) => e.action.startsWith('remote_session.'))).toBe(true);
    // A prefix is a whole word: `remote_session.` never matches `remote_sessions_x.y`.
    await insertLines([{ at: new Date(), action: 'remote_sessionx.other' }]);
    expect(
      (await page(admin, { action: 'remote_session.', limit: 200 })).items.map((e) => e.action),
    ).not.toContain('remote_sessionx.other');

    const both = await page(admin, { actor: ids.bob, action: 'remote_session.command_run' });
    expect(both.items).toHaveLength(1);
    expect(both.items[0].details).toMatchObject({ command: 'cat /etc/bob-secret' });

    await insertLines([
      { at: new Date('2020-01-01T10:00:00Z'), action: 'test.old' },
      { at: new Date('2020-01-02T10:00:00Z'), action: 'test.old' },
      { at: new Date('2020-01-03T10:00:00Z'), action: 'test.old' },
    ]);
    const window = await page(admin, { from: '2020-01-02', to: '2020-01-03T10:00:00Z' });
    expect(window.items.map((e) => e.at)).toEqual(['2020-01-02T10:00:00.000Z']);
    const offset = await page(admin, { from: '2020-01-02T11:00:00+01:00', to: '2020-01-02T11:00:00+01:00' });
    expect(offset.items).toEqual([]); // to is exclusive
    const withOffset = await page(admin, {
      from: '2020-01-02T10:30:00+01:00',
      to: '2020-01-02T12:00:00+01:00',
    });
    expect(withOffset.items).toHaveLength(1);
  });

  it('shows a technician only the lines of their own remote sessions, never another technician’s', async () => {
    const mine = await page(bob, { limit: 200 });
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((e) => e.sessionId === s.bob)).toBe(true);
    expect(JSON.stringify(mine)).not.toContain(s.alice);

    // Asking for Alice's session, device or actions explicitly changes nothing.
    expect((await page(bob, { sessionId: s.alice })).items).toEqual([]);
    expect((await page(bob, { actor: ids.alice })).items).toEqual([]);
    expect((await page(bob, { deviceId: s.aliceDevice })).items).toEqual([]);
    const csv = await bob.get('/api/audit-events.csv').query({ actor: ids.alice }).expect(200);
    expect(parseCsv(csv.text)).toHaveLength(1); // the header only

    const aliceSees = await page(alice, { limit: 200 });
    expect(aliceSees.items.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'remote_session.consent',
        'quick_assist.started',
        'remote_session.reconnected',
      ]),
    );
    expect(aliceSees.items.every((e) => e.sessionId === s.alice)).toBe(true);
    expect(JSON.stringify(aliceSees)).not.toContain('bob-secret');

    // The timeline follows the same rule: her own, or an administrator.
    const refused = await bob.get(`/api/remote-sessions/${s.alice}/timeline`);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ code: 'not_session_owner', message: expect.any(String) });
    await admin.get(`/api/remote-sessions/${s.alice}/timeline`).expect(200);
  });

  it('pages by cursor over many lines without gaps or repeats, also between lines written at the same time', async () => {
    const at = new Date('2021-06-01T00:00:00Z');
    const lines = Array.from({ length: 130 }, (_, i) => ({
      at: new Date(at.getTime() + Math.floor(i / 3) * 1000), // three lines per second: ties broken by id
      action: 'test.paging',
      details: { n: i },
    }));
    await insertLines(lines);
    const seen: number[] = [];
    let before: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: AuditEventPageView = await page(admin, {
        action: 'test.paging',
        limit: 50,
        ...(before ? { before } : {}),
      });
      seen.push(...res.items.map((e) => (e.details as { n: number }).n));
      before = res.nextCursor;
      if (!before) break;
    }
    expect(seen).toEqual(Array.from({ length: 130 }, (_, i) => 129 - i));
    expect((await page(admin, { action: 'test.paging' })).items).toHaveLength(50); // the default page size
    // Ties are broken by the number, not by its text: 100000000 is newer than 99999999.
    await db.query(
      `INSERT INTO audit_events (id, at, actor_type, action) VALUES (99999999, '2021-07-01Z', 'system', 'test.ties'), (100000000, '2021-07-01Z', 'system', 'test.ties')`,
    );
    expect((await page(admin, { action: 'test.ties' })).items.map((e) => e.id)).toEqual([
      '100000000',
      '99999999',
    ]);
    const first = await page(admin, { action: 'test.ties', limit: 1 });
    expect(
      (await page(admin, { action: 'test.ties', before: first.nextCursor! })).items.map((e) => e.id),
    ).toEqual(['99999999']);

    const exact = await page(admin, { action: 'test.paging', limit: 130 });
    expect(exact.nextCursor).toBeNull();
  });

  it('refuses bad input with 400 validation_failed and a sentence naming the field', async () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ actor: 'not-a-uuid' }, /actor must be a UUID/],
      [{ deviceId: '123' }, /deviceId must be a UUID/],
      [{ sessionId: "' OR 1=1 --" }, /sessionId must be a UUID/],
      [{ action: 'Remote Session' }, /action must be/],
      [{ action: 'a'.repeat(65) }, /action/],
      [{ from: 'yesterday' }, /from must be/],
      [{ to: '2026-13-01' }, /to is not a real date/],
      [{ from: '2026-02-30' }, /from is not a real date/],
      [{ from: '2026-12-03T10:00:00' }, /from must be/], // no offset: ambiguous
      [{ from: '2026-12-03', to: '2026-12-02' }, /from must not be later than to/],
      [{ limit: '0' }, /limit must be a whole number from 1 to 200/],
      [{ limit: '201' }, /limit must be a whole number from 1 to 200/],
      [{ limit: 'ten' }, /limit must be a whole number/],
      [{ limit: '1.5' }, /limit must be a whole number/],
      [{ before: 'abc' }, /before must be a nextCursor/],
      [{ before: '999999999999' }, /before must be a nextCursor this list gave out/],
      [{ unknown: 'x' }, /unknown/],
    ];
    for (const [query, message] of bad) {
      const res = await admin.get('/api/audit-events').query(query);
      expect(`${JSON.stringify(query)} → ${res.status} ${res.body.code}`).toBe(
        `${JSON.stringify(query)} → 400 validation_failed`,
      );
      expect(res.body.message).toMatch(message);
    }
    for (const query of [{ actor: 'nope' }, { from: '2026-12-03', to: '2026-12-01' }, { limit: '50' }]) {
      const res = await admin.get('/api/audit-events.csv').query(query);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
    const badId = await admin.get('/api/remote-sessions/not-a-uuid/timeline');
    expect(badId.status).toBe(400);
    expect(badId.body.code).toBe('validation_failed');
    const unknown = await admin.get('/api/remote-sessions/00000000-0000-4000-8000-000000000000/timeline');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    expect((await bob.get('/api/remote-sessions/00000000-0000-4000-8000-000000000000/timeline')).status).toBe(
      404,
    );
    expect((await t.http().get('/api/audit-events')).status).toBe(401);
  });

  it('exports CSV as an attachment, streamed in chunks, RFC 4180 quoted and safe from formula injection', async () => {
    const hostile = '=HYPERLINK("http://evil.example","click"),\r\nnext';
    await insertLines([
      {
        at: new Date('2022-03-01T00:00:00Z'),
        actorType: 'agent',
        actorId: '+agent',
        action: 'test.csv',
        targetType: 'remote_session',
        targetId: '@target',
        details: { command: hostile },
      },
      {
        at: new Date('2022-03-01T00:00:01Z'),
        actorType: 'user',
        actorId: '-1',
        action: 'test.csv',
        details: { note: '\tTAB' },
      },
    ]);
    const res = await admin
      .get('/api/audit-events.csv')
      .query({ action: 'test.csv' })
      .buffer(true)
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-events-[0-9TZ-]+\.csv"$/,
    );
    const records = parseCsv(res.text);
    expect(records[0]).toEqual([
      'id',
      'at',
      'actor_type',
      'actor_id',
      'actor_name',
      'action',
      'target_type',
      'target_id',
      'device_id',
      'device_name',
      'session_id',
      'details',
    ]);
    expect(records).toHaveLength(3);
    const [newer, older] = records.slice(1);
    expect(newer[3]).toBe("'-1");
    expect(newer[11]).toBe(JSON.stringify({ note: '\tTAB' }));
    expect(older[3]).toBe("'+agent");
    expect(older[7]).toBe("'@target");
    expect(JSON.parse(older[11])).toEqual({ command: hostile });
    expect(res.text.endsWith('\r\n')).toBe(true);

    const login = await t
      .browser()
      .post('/api/auth/login')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
      .expect(200);
    const cookie = (login.headers['set-cookie'] as unknown as string[])
      .map((c) => c.split(';')[0])
      .join('; ');
    // A large export (several pages of lines) is sent chunked: no Content-Length, the body is never
    // built whole before sending.
    await db.query(
      `INSERT INTO audit_events (at, actor_type, action, details)
       SELECT timestamptz '2023-01-01' + g * interval '1 second', 'system', 'test.bulk', jsonb_build_object('n', g)
         FROM generate_series(1, 3500) g`,
    );
    const { text, headers } = await new Promise<{
      text: string;
      headers: Record<string, unknown>;
    }>((resolve, reject) => {
      const req = httpRequest(
        `${t.baseUrl}/api/audit-events.csv?action=test.bulk`,
        { headers: { cookie } },
        (r) => {
          const parts: Buffer[] = [];
          r.on('data', (d: Buffer) => parts.push(d));
          r.on('end', () => resolve({ text: Buffer.concat(parts).toString('utf8'), headers: r.headers }));
          r.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(headers['transfer-encoding']).toBe('chunked');
    expect(headers['content-length']).toBeUndefined();
    const bulk = parseCsv(text);
    expect(bulk).toHaveLength(3501);
    expect(bulk.slice(1).map((r) => (JSON.parse(r[11]) as { n: number }).n)).toEqual(
      Array.from({ length: 3500 }, (_, i) => 3500 - i),
    );
  });

  it('describes the routes in the OpenAPI document, with who may call them', async () => {
    const { paths } = (await t.http().get('/api/docs-json').expect(200)).body as {
      paths: Record<string, { get: { 'x-access'?: string; parameters?: { name: string }[] } }>;
    };
    expect(paths['/api/audit-events'].get['x-access']).toMatch(/Administrators and auditors: every line/);
    expect(paths['/api/audit-events'].get.parameters?.map((p) => p.name).sort()).toEqual(
      ['action', 'actor', 'before', 'deviceId', 'from', 'limit', 'sessionId', 'to'].sort(),
    );
    expect(paths['/api/audit-events.csv'].get['x-access']).toMatch(/their own remote sessions/);
    expect(paths['/api/remote-sessions/{id}/timeline'].get['x-access']).toMatch(
      /technician, an administrator or an auditor/,
    );
  });

  it('gives a remote session’s timeline in order: start, consent, mode, commands, Quick Assist once, reconnect, end and its reason', async () => {
    const res = await alice.get(`/api/remote-sessions/${s.alice}/timeline`).expect(200);
    const timeline = res.body as RemoteSessionTimelineView;
    expect(timeline.sessionId).toBe(s.alice);
    expect(timeline.truncated).toBe(false);
    const actions = timeline.items.map((e: AuditEventView) => e.action);
    expect(actions[0]).toBe('remote_session.started');
    expect(actions[actions.length - 1]).toBe('remote_session.ended');
    expect(actions).toEqual(
      expect.arrayContaining([
        'remote_session.command_run',
        'remote_session.reconnected',
        'remote_session.consent',
        'remote_session.mode_changed',
      ]),
    );
    expect(actions.filter((a) => a === 'quick_assist.started')).toHaveLength(1);
    const times = timeline.items.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(
      timeline.items.find(
        (e) => e.action === 'remote_session.consent' && (e.details as { event: string }).event === 'allowed',
      )?.details,
    ).toEqual({
      channel: 'screen',
      event: 'allowed',
      mode: 'view_only',
    });
    expect(timeline.items[timeline.items.length - 1].details).toEqual({ reason: 'technician' });
    expect(JSON.stringify(timeline)).not.toContain(s.bob);
  });
});

describe('AuditReadIndexes migration', () => {
  it('goes up, down and up again cleanly on a real PostgreSQL', async () => {
    await withMigrationsUpTo(AuditReadIndexes1763760000000, async (ds) => {
      const indexes = async (): Promise<string[]> =>
        (
          await ds.query<{ indexname: string }[]>(
            `SELECT indexname FROM pg_indexes WHERE indexname IN ('ix_audit_events_at_id', 'ix_audit_events_actor_at',
             'ix_audit_events_action_at', 'ix_audit_events_session_at', 'ix_audit_events_device_at',
             'ix_remote_sessions_technician') ORDER BY indexname`,
          )
        ).map((r) => r.indexname);
      await ds.runMigrations();
      expect(await indexes()).toHaveLength(6);
      await ds.undoLastMigration();
      expect(await indexes()).toEqual([]);
      await ds.runMigrations();
      expect(await indexes()).toHaveLength(6);
    });
  });
});
