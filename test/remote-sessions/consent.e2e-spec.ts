import { DataSource } from 'typeorm';
import type {
  OpenChannelMessage,
  PortalToAgentMessage,
} from '../../contracts/agent-protocol/control-messages';
import { ASK_AGAIN_LIMITS } from '../../contracts/api/remote-sessions';
import type { RelayServer } from '../../relay/relay-server';
import { eventually } from '../agent/support/script-run';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import { loginCookie, openStream, SseReader } from '../support/sse-reader';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestApp } from '../support/test-app';
import type { FakeAgent, FakeAgentOptions } from './fake-agent';
import { onlineAgent, startStack } from './stack';

jest.setTimeout(90_000);

const SESSION_START = {
  type: 'attended',
  protocol: 'web',
  reason: 'Printer queue stuck',
  recordingEnabled: false,
};

/**
 * The portal's side of consent (protocol 1.2) on the real portal, relay and control channel: a
 * stand-in agent reports what its person answered, the way the real agent does (agent/src/consent/,
 * whose prompts the browser and system suites drive for real).
 */
describe('consent: channel states, the audit trail and asking again', () => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];

  beforeAll(async () => {
    ({ t, relay } = await startStack());
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
  });

  async function device(opts: FakeAgentOptions = {}) {
    const tech = await t.loginAs();
    const support = await makeSupportSession(tech, { customerName: 'Front desk' });
    const { token } = await downloadInstaller(t, support.path, 'linux');
    const { deviceId, agent } = await onlineAgent(t, tech, token, agents, { os: 'linux' }, opts);
    return { deviceId, agent, tech };
  }

  const stateOf = async (tech: Awaited<ReturnType<TestApp['loginAs']>>, id: string, channel: string) => {
    const session = (await tech.get(`/api/remote-sessions/${id}`).expect(200)).body;
    return session.channelStates.find((c: { channel: string }) => c.channel === channel);
  };

  const consentRows = (sessionId: string) =>
    t.app.get(DataSource).query<{ actor_type: string; channel: string; event: string }[]>(
      `SELECT actor_type, details->>'channel' AS channel, details->>'event' AS event FROM audit_events
          WHERE action = 'remote_session.consent' AND target_id = $1 ORDER BY id`,
      [sessionId],
    );

  it('returns at once while the person is asked, and names who asks and why', async () => {
    const asked: OpenChannelMessage[] = [];
    const { deviceId, tech } = await device({
      // The device shows its question and waits: nothing is answered.
      onMessage: (m) => {
        if (m.type !== 'open_channel') return;
        asked.push(m);
        return new Promise<void>(() => undefined);
      },
    });
    const res = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, ...SESSION_START })
      .expect(201);
    expect(res.body.session.channelStates.map((c: { state: string }) => c.state)).toEqual([
      'opening',
      'opening',
    ]);
    expect(res.body.relay.tokens).toHaveLength(2);
    await eventually(() => asked.length === 2, 'both questions');
    for (const m of asked)
      expect(m.consent).toEqual({
        technician: 'Administrator',
        organisation: t.config.brand.name,
        reason: 'Printer queue stuck',
        policy: 'ask',
        timeoutSec: 30,
      });
  });

  it('shows the question, then the no in words; the trail has both; the session stays for asking again', async () => {
    const late: { agent?: FakeAgent } = {};
    const setup = await device({
      onMessage: (m) => {
        if (m.type !== 'open_channel' || m.channel !== 'screen') return;
        late.agent!.send({
          type: 'consent',
          sessionId: m.sessionId,
          channel: 'screen',
          event: 'asked',
          policy: 'ask',
          promptId: 'p-screen-1',
          expiresInSec: 30,
        });
        late.agent!.send({
          type: 'consent',
          sessionId: m.sessionId,
          channel: 'screen',
          event: 'denied',
          policy: 'ask',
          promptId: 'p-screen-1',
        });
      },
      refuse: (m) =>
        m.type === 'open_channel' && m.channel === 'screen'
          ? { code: 'consent_denied', message: 'The person at the device did not allow this.' }
          : undefined,
    });
    const agent = (late.agent = setup.agent);
    const { deviceId, tech } = setup;
    const { session } = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, ...SESSION_START })
        .expect(201)
    ).body;
    const screen = await eventually(async () => {
      const s = await stateOf(tech, session.id, 'screen');
      return s.state === 'denied' && s;
    }, 'the screen denied');
    expect(screen).toMatchObject({
      message: 'The person at the device did not allow this.',
      mode: null,
      asks: 1,
    });
    expect(Date.parse(screen.askAgainAt)).toBeGreaterThan(Date.now());
    expect(await stateOf(tech, session.id, 'shell')).toMatchObject({ state: 'open' });
    expect((await tech.get(`/api/remote-sessions/${session.id}`).expect(200)).body.status).not.toBe('ended');
    expect(await consentRows(session.id)).toEqual([
      { actor_type: 'agent', channel: 'screen', event: 'asked' },
      { actor_type: 'customer', channel: 'screen', event: 'denied' },
    ]);

    // Too soon: refused in words with Retry-After, and nothing is asked of the device.
    const opensBefore = agent.received('open_channel').length;
    const soon = await tech.post(`/api/remote-sessions/${session.id}/channels/screen/ask`).expect(429);
    expect(soon.body.code).toBe('ask_again_too_soon');
    expect(Number(soon.headers['retry-after'])).toBeGreaterThan(0);
    expect(agent.received('open_channel')).toHaveLength(opensBefore);
    // A channel that is open is not asked again; a channel the session does not have is not found.
    expect(
      (await tech.post(`/api/remote-sessions/${session.id}/channels/shell/ask`).expect(409)).body.code,
    ).toBe('channel_not_askable');
    expect(
      (await tech.post(`/api/remote-sessions/${session.id}/channels/commands/ask`).expect(404)).body.code,
    ).toBe('not_found');
    // Files (1.4) is a channel kind, opened on demand: a session without it has nothing to ask.
    expect(
      (await tech.post(`/api/remote-sessions/${session.id}/channels/files/ask`).expect(404)).body.code,
    ).toBe('not_found');
    expect(
      (await tech.post(`/api/remote-sessions/${session.id}/channels/printer/ask`).expect(400)).body.code,
    ).toBe('validation_failed');

    // Once the interval has passed, a new question goes to the device with a fresh token.
    await new Promise((r) => setTimeout(r, Date.parse(screen.askAgainAt) - Date.now() + 50));
    const again = await tech.post(`/api/remote-sessions/${session.id}/channels/screen/ask`).expect(200);
    expect(again.body.tokens.map((x: { channel: string }) => x.channel)).toEqual(['screen']);
    await eventually(() => agent.received('open_channel').length === opensBefore + 1, 'the new question');
    const rows = await t.app.get(DataSource).query(
      `SELECT actor_type, details->>'channel' AS channel FROM audit_events
        WHERE action = 'remote_session.consent_requested' AND target_id = $1`,
      [session.id],
    );
    expect(rows).toEqual([{ actor_type: 'user', channel: 'screen' }]);
    expect(ASK_AGAIN_LIMITS.maxPerChannel).toBeGreaterThan(1);
  });

  it('follows view-only and the switch back to control, live on the session’s own stream', async () => {
    const late: { agent?: FakeAgent } = {};
    const setup = await device({
      onMessage: (m) => {
        if (m.type === 'open_channel' && m.channel === 'screen')
          late.agent!.send({
            type: 'consent',
            sessionId: m.sessionId,
            channel: 'screen',
            event: 'allowed_view_only',
            policy: 'ask',
            scope: 'session',
            mode: 'view_only',
          });
      },
    });
    const agent = (late.agent = setup.agent);
    const { deviceId, tech } = setup;
    const { session } = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, ...SESSION_START })
        .expect(201)
    ).body;
    const cookie = await loginCookie(t, ADMIN_EMAIL, ADMIN_PASSWORD);
    const stream = new SseReader(
      await openStream(t.baseUrl, cookie, `/api/remote-sessions/${session.id}/events`),
    );
    try {
      await eventually(
        async () => (await stateOf(tech, session.id, 'screen')).mode === 'view_only',
        'view only',
      );
      agent.send({
        type: 'consent',
        sessionId: session.id,
        channel: 'screen',
        event: 'mode_changed',
        policy: 'ask',
        mode: 'control',
      });
      const update = await stream.waitFor(
        (e) =>
          e.event === 'remote_session.updated' &&
          (e.data as { channelStates: { channel: string; mode: string }[] }).channelStates.some(
            (c) => c.channel === 'screen' && c.mode === 'control',
          ),
      );
      expect((update.data as { id: string }).id).toBe(session.id);
    } finally {
      stream.close();
    }
  });

  it('ignores consent a device reports for another device’s session, and a late answer', async () => {
    const victim = await device({
      onMessage: (m) => (m.type === 'open_channel' ? new Promise<void>(() => undefined) : undefined),
    });
    const other = await device();
    const { session } = (
      await victim.tech
        .post('/api/remote-sessions')
        .send({ deviceId: victim.deviceId, ...SESSION_START })
        .expect(201)
    ).body;
    victim.agent.send({
      type: 'consent',
      sessionId: session.id,
      channel: 'screen',
      event: 'asked',
      policy: 'ask',
      promptId: 'p-now',
      expiresInSec: 30,
    });
    await eventually(
      async () => (await stateOf(victim.tech, session.id, 'screen')).state === 'asking',
      'asking',
    );
    other.agent.send({
      type: 'consent',
      sessionId: session.id,
      channel: 'screen',
      event: 'allowed',
      policy: 'ask',
      promptId: 'p-now',
      scope: 'session',
    });
    victim.agent.send({
      type: 'consent',
      sessionId: session.id,
      channel: 'screen',
      event: 'allowed',
      policy: 'ask',
      promptId: 'p-old',
      scope: 'session',
    });
    // An event the portal does apply, sent last on the same socket, proves the two before were read.
    victim.agent.send({
      type: 'consent',
      sessionId: session.id,
      channel: 'shell',
      event: 'denied',
      policy: 'ask',
    });
    await eventually(
      async () => (await stateOf(victim.tech, session.id, 'shell')).state === 'denied',
      'shell denied',
    );
    expect(await stateOf(victim.tech, session.id, 'screen')).toMatchObject({ state: 'asking' });
    expect((await consentRows(session.id)).map((r) => r.event)).toEqual(['asked', 'allowed', 'denied']);
  });

  it('ends the session as ended on the device when its person ends it there', async () => {
    const { deviceId, agent, tech } = await device();
    const { session } = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, ...SESSION_START })
        .expect(201)
    ).body;
    await eventually(async () => (await stateOf(tech, session.id, 'screen')).state === 'open', 'open');
    agent.send({ type: 'consent', sessionId: session.id, event: 'ended_locally', policy: 'ask' });
    const ended = await eventually(async () => {
      const s = (await tech.get(`/api/remote-sessions/${session.id}`).expect(200)).body;
      return s.status === 'ended' && s;
    }, 'ended');
    expect(ended.endReason).toBe('ended_on_device');
  });

  it('asks before a command runs and answers a no in words (403 consent_denied)', async () => {
    const seen: PortalToAgentMessage[] = [];
    const { deviceId, tech } = await device({
      onMessage: (m) => void seen.push(m),
      refuse: (m) =>
        m.type === 'run_command'
          ? { code: 'consent_denied', message: 'The person at the device did not allow this.' }
          : undefined,
    });
    const { session } = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, ...SESSION_START })
        .expect(201)
    ).body;
    const res = await tech
      .post(`/api/remote-sessions/${session.id}/commands`)
      .send({ command: 'uname -a' })
      .expect(403);
    expect(res.body).toEqual({
      code: 'consent_denied',
      message: 'The person at the device did not allow this.',
    });
    const run = seen.find((m) => m.type === 'run_command');
    expect(run).toMatchObject({
      sessionId: session.id,
      consent: { technician: 'Administrator', policy: 'ask' },
    });
  });

  it('refuses an unattended session to a device that asks, and sends the device’s policy with each question', async () => {
    const quick = await device();
    const refused = await quick.tech
      .post('/api/remote-sessions')
      .send({ deviceId: quick.deviceId, ...SESSION_START, type: 'unattended' })
      .expect(409);
    expect(refused.body.code).toBe('consent_required');
    expect(refused.body.message).toMatch(/asks the person at it/);

    const admin = await t.loginAs();
    const res = await admin.post('/api/installers').send({ os: 'linux' }).expect(201);
    const token = /Bearer ([A-Za-z0-9_-]{43})/.exec(res.body.command as string)![1];
    const opened: OpenChannelMessage[] = [];
    const { deviceId } = await onlineAgent(
      t,
      admin,
      token,
      agents,
      { hostname: 'file-server' },
      {
        mode: 'persistent',
        onMessage: (m) => void (m.type === 'open_channel' && opened.push(m)),
      },
    );
    await admin
      .post('/api/remote-sessions')
      .send({ deviceId, ...SESSION_START, type: 'unattended' })
      .expect(409);
    await admin.patch(`/api/devices/${deviceId}/consent-policy`).send({ policy: 'silent' }).expect(200);
    await admin
      .post('/api/remote-sessions')
      .send({ deviceId, ...SESSION_START, type: 'unattended', protocol: 'ssh' })
      .expect(201);
    await eventually(() => opened.length === 1, 'the open request');
    expect(opened[0].consent).toMatchObject({ policy: 'silent' });
  });
});
