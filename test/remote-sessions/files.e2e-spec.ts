import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import type { OpenChannelMessage } from '../../contracts/agent-protocol/control-messages';
import { FILES_SINCE } from '../../contracts/agent-protocol/version';
import type { AuditEventView, RemoteSessionTimelineView } from '../../contracts/api/audit';
import type { RelayAccessView } from '../../contracts/api/remote-sessions';
import type { RelayServer } from '../../relay/relay-server';
import { eventually } from '../agent/support/script-run';
import { TECH_ORIGIN } from '../relay/support/relay-harness';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import type { TestApp } from '../support/test-app';
import type { FakeAgent, FakeAgentOptions } from './fake-agent';
import { onlineAgent, startStack } from './stack';

jest.setTimeout(120_000);

const SHA = 'a'.repeat(64);

/**
 * The files channel's portal side (protocol 1.4) on the real portal, relay and control channel: the
 * Files tab opens the channel on demand, the device asks its person (channel states), and the device's
 * `file_activity` reports land in the session's audit trail. A stand-in agent plays the device (the
 * agent's own suites drive the real files channel).
 */
describe('files: opened on demand, consent, reconnects, and the audit trail of what was done', () => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];
  let admin: TestAgent;
  let tech: TestAgent;
  let techId: string;
  let other: TestAgent;
  let auditor: TestAgent;

  async function addUser(email: string, role: string): Promise<[TestAgent, string]> {
    const res = await admin
      .post('/api/users')
      .send({ email, displayName: `The ${role}`, role, password: 'user-password-1234' })
      .expect(201);
    return [await t.loginAs(email, 'user-password-1234'), res.body.user.id as string];
  }

  beforeAll(async () => {
    ({ t, relay } = await startStack());
    admin = await t.loginAs();
    [tech, techId] = await addUser('files-tech@example.test', 'technician');
    [other] = await addUser('files-other@example.test', 'technician');
    [auditor] = await addUser('files-auditor@example.test', 'auditor');
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t?.close();
    await relay?.close();
  });

  /** A quick-support device of `tech`'s with a stand-in agent, and a session of `protocol` on it. */
  async function session(protocol: 'web' | 'ssh' | 'vnc' = 'web', opts: FakeAgentOptions = {}) {
    const support = await makeSupportSession(tech, { customerName: 'Accounts' });
    const { token } = await downloadInstaller(t, support.path, 'linux');
    const { deviceId, agent } = await onlineAgent(t, tech, token, agents, { os: 'linux' }, opts);
    const res = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol, recordingEnabled: false })
      .expect(201);
    const id = res.body.session.id as string;
    const rs = `/api/remote-sessions/${id}`;
    const files = () => tech.post(`${rs}/channels/files`).send({});
    const filesOpens = () => agent.received('open_channel').filter((m) => m.channel === 'files');
    const get = async () =>
      (await tech.get(rs).expect(200)).body as {
        channels: string[];
        channelStates: { channel: string; state: string; asks: number }[];
      };
    const filesState = async () => (await get()).channelStates.find((c) => c.channel === 'files');
    return { id, rs, deviceId, agent, files, filesOpens, get, filesState };
  }

  const timeline = async (id: string, who: TestAgent = tech): Promise<AuditEventView[]> =>
    ((await who.get(`/api/remote-sessions/${id}/timeline`).expect(200)).body as RemoteSessionTimelineView)
      .items;

  function techSocket(access: RelayAccessView, sid: string, ch: string): WebSocket {
    const u = new URL('ws', `${access.url}/`);
    u.search = new URLSearchParams({ sid, ch, role: 'tech' }).toString();
    const token = access.tokens.find((x) => x.channel === ch)!.token;
    return new WebSocket(u.toString(), ['relay.v1', `bearer.${token}`], { origin: TECH_ORIGIN });
  }

  it(`opens files on a ${FILES_SINCE} agent: added to the session, asked of the device, met through the relay, recorded`, async () => {
    const s = await session('web');
    expect((await s.get()).channels).toEqual(['screen', 'shell']);
    expect(s.filesOpens()).toEqual([]);

    const res = await s.files().expect(200);
    const access = res.body as RelayAccessView;
    expect(access).toEqual({
      url: expect.any(String),
      expiresAt: expect.any(String),
      tokens: [{ channel: 'files', token: expect.any(String) }],
      shellStartPatienceSec: expect.any(Number),
    });
    await eventually(() => s.filesOpens().length === 1, 'open_channel for files');
    const open: OpenChannelMessage = s.filesOpens()[0];
    expect(open).toMatchObject({ sessionId: s.id, channel: 'files', technician: 'The technician' });
    expect(open.consent).toMatchObject({ technician: 'The technician' });
    expect(open.shellProfile).toBeUndefined();
    expect(open.monitor).toBeUndefined();

    expect((await s.get()).channels).toEqual(['screen', 'shell', 'files']);
    await eventually(async () => (await s.filesState())?.state === 'open', 'files open');

    // The agent dialled with its files token; the viewer's files token meets it.
    const viewer = techSocket(access, s.id, 'files');
    await new Promise<void>((resolve, reject) => {
      viewer.once('open', () => resolve());
      viewer.once('error', reject);
    });
    const agentSide = s.agent.channels.get(`${s.id}/files`)!;
    const got = new Promise<string>((resolve) =>
      agentSide.once('message', (d: Buffer) => resolve(d.toString())),
    );
    viewer.send('{"op":"places","id":1}');
    expect(await got).toBe('{"op":"places","id":1}');
    viewer.close();

    const lines = await timeline(s.id);
    expect(lines.filter((l) => l.action === 'remote_session.files_opened')).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ type: 'user', id: techId }),
        details: { deviceId: s.deviceId, channels: ['files'] },
      }),
    ]);
  });

  it('follows the person at the device: asking, then open; a no can be asked again', async () => {
    let answer: 'allow' | 'deny' = 'deny';
    const s = await session('web', {
      onMessage: async (m) => {
        if (m.type !== 'open_channel' || m.channel !== 'files') return;
        const base = { type: 'consent', sessionId: m.sessionId, channel: 'files', policy: 'ask' };
        const promptId = `p-files-${Math.random().toString(36).slice(2)}`;
        s.agent.send({ ...base, event: 'asked', promptId, expiresInSec: 30 });
        await eventually(async () => (await s.filesState())?.state === 'asking', 'asking');
        s.agent.send({ ...base, event: answer === 'allow' ? 'allowed' : 'denied', promptId });
      },
      refuse: (m) =>
        m.type === 'open_channel' && m.channel === 'files' && answer === 'deny'
          ? { code: 'consent_denied', message: 'The person at the device did not allow this.' }
          : undefined,
    });
    await s.files().expect(200);
    await eventually(async () => (await s.filesState())?.state === 'denied', 'files denied');

    answer = 'allow';
    // The files route on a session that has files reconnects it: the device asks its person again.
    await s.files().expect(200);
    await eventually(async () => (await s.filesState())?.state === 'open', 'files open after a yes');
    const events = (await timeline(s.id))
      .filter((l) => l.action === 'remote_session.consent')
      .map((l) => l.details['event']);
    expect(events).toEqual(['asked', 'denied', 'asked', 'allowed']);
  });

  it('after a no, Ask again works for files (the same limits as the other channels)', async () => {
    const s = await session('web', {
      refuse: (m) =>
        m.type === 'open_channel' && m.channel === 'files' && s.filesOpens().length === 1
          ? { code: 'consent_denied', message: 'The person at the device did not allow this.' }
          : undefined,
    });
    await s.files().expect(200);
    await eventually(async () => (await s.filesState())?.state === 'denied', 'files denied');
    const soon = await tech.post(`${s.rs}/channels/files/ask`).send({}).expect(429);
    expect(soon.body.code).toBe('ask_again_too_soon');
    const askAgainAt = (
      (await tech.get(s.rs).expect(200)).body.channelStates as { channel: string; askAgainAt: string }[]
    ).find((c) => c.channel === 'files')!.askAgainAt;
    await new Promise((r) => setTimeout(r, Date.parse(askAgainAt) - Date.now() + 50));
    const again = await tech.post(`${s.rs}/channels/files/ask`).send({}).expect(200);
    expect((again.body as RelayAccessView).tokens.map((x) => x.channel)).toEqual(['files']);
    await eventually(async () => (await s.filesState())?.state === 'open', 'files open after asking again');
    expect(await s.filesState()).toMatchObject({ asks: 2 });
    const asked = (await timeline(s.id)).filter((l) => l.action === 'remote_session.consent_requested');
    expect(asked.map((l) => l.details['channel'])).toEqual(['files']);
  });

  it('opened again, it reconnects the files channel alone; the session’s reconnect includes it', async () => {
    const s = await session('web');
    await s.files().expect(200);
    await eventually(async () => (await s.filesState())?.state === 'open', 'files open');
    const opensBefore = s.agent.received('open_channel').length;

    const again = await s.files().expect(200);
    expect((again.body as RelayAccessView).tokens.map((x) => x.channel)).toEqual(['files']);
    await eventually(() => s.filesOpens().length === 2, 'files asked again');
    expect(s.agent.received('open_channel').length).toBe(opensBefore + 1);
    expect(s.agent.received('close_channel').map((m) => [m.channel, m.reason])).toEqual([
      ['files', 'reconnecting'],
    ]);
    expect((await s.get()).channels).toEqual(['screen', 'shell', 'files']);
    await eventually(async () => (await s.filesState())?.state === 'open', 'files open again');

    const all = await tech.post(`${s.rs}/tokens`).send({}).expect(200);
    expect((all.body as RelayAccessView).tokens.map((x) => x.channel)).toEqual(['screen', 'shell', 'files']);
    await eventually(() => s.filesOpens().length === 3, 'files in the reconnect');

    const actions = (await timeline(s.id)).map((l) => [l.action, l.details['channels']]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['remote_session.files_opened', ['files']],
        ['remote_session.reconnected', ['files']],
        ['remote_session.reconnected', ['screen', 'shell', 'files']],
      ]),
    );
  });

  it('opens files for an SSH session too', async () => {
    const s = await session('ssh');
    await s.files().expect(200);
    expect((await s.get()).channels).toEqual(['shell', 'files']);
    await eventually(async () => (await s.filesState())?.state === 'open', 'files open');
  });

  it('refuses an agent older than 1.4 with 409 files_outdated, naming its version; nothing is asked', async () => {
    const s = await session('web', { protocolVersion: '1.3' });
    const res = await s.files().expect(409);
    expect(res.body).toEqual({
      code: 'files_outdated',
      message: expect.stringContaining('speaks protocol 1.3'),
    });
    expect(res.body.message).toMatch(/1\.4 or later/);
    expect((await s.get()).channels).toEqual(['screen', 'shell']);
    expect(s.filesOpens()).toEqual([]);
    expect((await timeline(s.id)).map((l) => l.action)).not.toContain('remote_session.files_opened');
  });

  it('refuses a VNC session with 400 protocol_unavailable', async () => {
    const s = await session('vnc');
    const res = await s.files().expect(400);
    expect(res.body).toEqual({ code: 'protocol_unavailable', message: expect.stringMatching(/Web and SSH/) });
    expect((await s.get()).channels).toEqual(['screen']);
  });

  it('refuses another technician (403 not_session_owner) and an auditor (403 role_not_allowed); an admin may', async () => {
    const s = await session('web');
    const bob = await other.post(`${s.rs}/channels/files`).send({}).expect(403);
    expect(bob.body.code).toBe('not_session_owner');
    const audit = await auditor.post(`${s.rs}/channels/files`).send({}).expect(403);
    expect(audit.body.code).toBe('role_not_allowed');
    expect((await s.get()).channels).toEqual(['screen', 'shell']);
    await admin.post(`${s.rs}/channels/files`).send({}).expect(200);
    expect((await s.get()).channels).toEqual(['screen', 'shell', 'files']);
  });

  it('refuses an ended session with 410 and an unknown one with 404', async () => {
    const s = await session('web');
    await tech.post(`${s.rs}/end`).send({}).expect(200);
    expect((await s.files().expect(410)).body.code).toBe('gone');
    const unknown = await tech
      .post('/api/remote-sessions/00000000-0000-4000-8000-000000000000/channels/files')
      .send({});
    expect(unknown.status).toBe(404);
  });

  it('is refused with 503 audit_unavailable while the audit trail fails: no channel, nothing asked', async () => {
    const s = await session('web');
    const db = t.app.get(DataSource);
    await db.query(`
      CREATE OR REPLACE FUNCTION test_files_audit_refuses() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit storage unavailable (test)'; END $$`);
    await db.query(`
      CREATE TRIGGER tr_test_files_audit_refuses BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION test_files_audit_refuses()`);
    try {
      const res = await s.files().expect(503);
      expect(res.body.code).toBe('audit_unavailable');
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS tr_test_files_audit_refuses ON audit_events`);
      await db.query(`DROP FUNCTION IF EXISTS test_files_audit_refuses()`);
    }
    expect((await s.get()).channels).toEqual(['screen', 'shell']);
    expect(s.filesOpens()).toEqual([]);
    await s.files().expect(200);
    await eventually(() => s.filesOpens().length === 1, 'asked once the trail works');
  });

  describe('file_activity', () => {
    it('writes each report of the session’s device to the trail, with the technician; the timeline and the CSV show it', async () => {
      const s = await session('web');
      await s.files().expect(200);
      const report = { type: 'file_activity', sessionId: s.id };
      s.agent.send({
        ...report,
        action: 'download',
        path: '/home/ana/log.txt',
        bytes: 1234,
        sha256: SHA,
        result: 'ok',
      });
      s.agent.send({
        ...report,
        action: 'download',
        path: '/home/ana/Documents',
        bytes: 99,
        zip: true,
        result: 'cancelled',
      });
      s.agent.send({
        ...report,
        action: 'upload',
        path: '/tmp/setup.sh',
        bytes: 0,
        result: 'failed',
        error: 'no_space',
      });
      s.agent.send({ ...report, action: 'mkdir', path: '/tmp/new', result: 'ok' });
      s.agent.send({ ...report, action: 'rename', path: '/tmp/new', to: '/tmp/newer', result: 'ok' });
      s.agent.send({ ...report, action: 'delete', path: '/tmp/newer', result: 'ok' });
      const fileLines = async () =>
        (await timeline(s.id)).filter((l) => l.action.startsWith('remote_session.file_'));
      await eventually(async () => (await fileLines()).length === 6, 'six file lines');
      const lines = await fileLines();
      expect(lines.map((l) => l.action)).toEqual([
        'remote_session.file_download',
        'remote_session.file_download',
        'remote_session.file_upload',
        'remote_session.file_mkdir',
        'remote_session.file_rename',
        'remote_session.file_delete',
      ]);
      expect(lines[0]).toMatchObject({
        actor: { type: 'agent', id: s.deviceId },
        target: { type: 'remote_session', id: s.id },
        sessionId: s.id,
        deviceId: s.deviceId,
        details: {
          deviceId: s.deviceId,
          technicianId: techId,
          path: '/home/ana/log.txt',
          bytes: 1234,
          sha256: SHA,
          result: 'ok',
        },
      });
      expect(lines[1].details).toMatchObject({ zip: true, result: 'cancelled', bytes: 99 });
      expect(lines[2].details).toMatchObject({ result: 'failed', error: 'no_space' });
      expect(lines[4].details).toMatchObject({ path: '/tmp/new', to: '/tmp/newer' });

      const csv = await admin
        .get('/api/audit-events.csv')
        .query({ sessionId: s.id, action: 'remote_session.' })
        .expect(200);
      expect(csv.text.split('\r\n').filter((l) => l.includes('remote_session.file_'))).toHaveLength(6);
      expect(csv.text).toContain('/home/ana/log.txt');
    });

    it('ignores reports from another device about the session', async () => {
      const s = await session('web');
      const stranger = await session('web');
      await s.files().expect(200);
      await stranger.files().expect(200);
      stranger.agent.send({
        type: 'file_activity',
        sessionId: s.id,
        action: 'delete',
        path: '/etc/passwd',
        result: 'ok',
      });
      // Frames of one socket are handled in order: once the stranger's next (malformed) frame is
      // answered, its report has been queued, before the device's own report below.
      stranger.agent.send({ type: 'file_activity' });
      await eventually(() => stranger.agent.received('error').length > 0, 'the stranger’s bad_message');
      s.agent.send({ type: 'file_activity', sessionId: s.id, action: 'mkdir', path: '/tmp/x', result: 'ok' });
      await eventually(
        async () => (await timeline(s.id)).some((l) => l.action === 'remote_session.file_mkdir'),
        'the device’s own report',
      );
      const paths = [...(await timeline(s.id)), ...(await timeline(stranger.id))]
        .filter((l) => l.action.startsWith('remote_session.file_'))
        .map((l) => l.details['path']);
      expect(paths).toEqual(['/tmp/x']);
    });

    it.each([
      ['a bad sha256', { sha256: 'XYZ' }],
      ['an unknown action', { action: 'chmod' }],
      ['an unknown result', { result: 'maybe' }],
      ['a negative size', { bytes: -1 }],
      ['an unknown error code', { result: 'failed', error: 'oops' }],
      ['a path past 4096 characters', { path: `/${'a'.repeat(4096)}` }],
    ])('refuses %s as bad_message, and writes nothing', async (_label, bad) => {
      const s = await session('web');
      await s.files().expect(200);
      s.agent.send({
        type: 'file_activity',
        sessionId: s.id,
        action: 'download',
        path: '/tmp/a',
        result: 'ok',
        ...bad,
      });
      await eventually(
        () => s.agent.received('error').some((e) => e.code === 'bad_message'),
        'the portal’s bad_message',
      );
      s.agent.send({
        type: 'file_activity',
        sessionId: s.id,
        action: 'mkdir',
        path: '/tmp/ok',
        result: 'ok',
      });
      await eventually(
        async () => (await timeline(s.id)).some((l) => l.action === 'remote_session.file_mkdir'),
        'the next report',
      );
      expect((await timeline(s.id)).filter((l) => l.action === 'remote_session.file_download')).toEqual([]);
    });
  });
});
