import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import type { RelayServer } from '../../relay/relay-server';
import { closed, TECH_ORIGIN } from '../relay/support/relay-harness';
import { eventually } from '../agent/support/script-run';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import type { TestApp } from '../support/test-app';
import { FakeAgent, type FakeAgentOptions } from './fake-agent';
import { onlineAgent, startStack } from './stack';

jest.setTimeout(60_000);

/**
 * Remote sessions on the real portal, the real relay (signed events both ways) and the real control
 * channel, with a stand-in agent that dials the relay for real.
 */
describe('remote sessions (portal + relay + control channel)', () => {
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

  /** A quick-support device with its agent connected, as after the customer ran the script. */
  async function connectedDevice(os: 'linux' | 'windows' = 'linux', opts: FakeAgentOptions = {}) {
    const tech = await t.loginAs();
    const support = await makeSupportSession(tech, { customerName: 'Front desk' });
    const { token } = await downloadInstaller(t, support.path, os);
    const { deviceId, agent } = await onlineAgent(
      t,
      tech,
      token,
      agents,
      { os, hostname: `${os}-workstation` },
      opts,
    );
    return { deviceId, agent, supportId: support.id };
  }

  function techSocket(url: string, sid: string, ch: string, token: string): WebSocket {
    const u = new URL('ws', `${url}/`);
    u.searchParams.set('sid', sid);
    u.searchParams.set('ch', ch);
    u.searchParams.set('role', 'tech');
    return new WebSocket(u.toString(), ['relay.v1', `bearer.${token}`], { origin: TECH_ORIGIN });
  }
  const opened = (ws: WebSocket) =>
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });

  it('starts a Web session: the agent dials the relay for screen and shell, the viewer meets it, bytes flow, state follows the relay', async () => {
    const { deviceId, agent } = await connectedDevice();
    const tech = await t.loginAs();
    const res = await tech.post('/api/remote-sessions').send({
      deviceId,
      type: 'attended',
      protocol: 'web',
      reason: 'Printer queue stuck',
      recordingEnabled: true,
    });
    expect(res.status).toBe(201);
    const { session, relay: access } = res.body;
    expect(session).toMatchObject({
      deviceId,
      status: 'pending',
      protocol: 'web',
      kind: 'quick',
      deviceName: 'linux-workstation',
      recordingEnabled: true,
      channels: ['screen', 'shell'],
    });
    expect(access.tokens.map((x: { channel: string }) => x.channel)).toEqual(['screen', 'shell']);
    // Starting returns at once; the device is asked to open each channel right after.
    await eventually(() => agent.received('open_channel').length === 2, 'both open requests');
    expect(JSON.stringify(res.body)).not.toContain(
      (agent.received('open_channel')[0] as { token: string }).token,
    );

    const screen = techSocket(access.url, session.id, 'screen', access.tokens[0].token);
    await opened(screen);
    const agentScreen = await eventually(() => agent.channels.get(`${session.id}/screen`), 'the device side');
    const got = new Promise<string>((resolve) =>
      screen.once('message', (d: Buffer) => resolve(d.toString())),
    );
    agentScreen.send(Buffer.from('RFB 003.008\n'));
    expect(await got).toBe('RFB 003.008\n');

    await eventually(
      async () => (await tech.get(`/api/remote-sessions/${session.id}`)).body.status === 'active',
      'active after the relay reported the pair',
    );
    const active = (await tech.get('/api/remote-sessions?filter=active')).body.items as {
      id: string;
      technician: string;
    }[];
    expect(active.find((s) => s.id === session.id)).toMatchObject({ technician: 'Administrator' });
    screen.close();
  });

  it('ends once for everyone: relay pairs closed, agent told, reason recorded once, listed in Recent', async () => {
    const { deviceId, agent } = await connectedDevice();
    const tech = await t.loginAs();
    const { session, relay: access } = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false })
    ).body;
    const screen = techSocket(access.url, session.id, 'screen', access.tokens[0].token);
    await opened(screen);
    const viewerClosed = closed(screen);

    const ended = await tech.post(`/api/remote-sessions/${session.id}/end`).expect(200);
    expect(ended.body).toMatchObject({ status: 'ended', endReason: 'technician' });
    expect((await viewerClosed).code).toBeGreaterThanOrEqual(4000);
    await eventually(() => agent.received('close_channel').length > 0, 'agent told to close');

    await tech.post(`/api/remote-sessions/${session.id}/end`).expect(200);
    const audit = await t.app
      .get(DataSource)
      .query(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'remote_session.ended' AND target_id = $1`,
        [session.id],
      );
    expect(audit[0].n).toBe(1);
    const recent = (await tech.get('/api/remote-sessions?filter=recent')).body.items as {
      id: string;
      endReason: string;
    }[];
    expect(recent.find((s) => s.id === session.id)).toMatchObject({ endReason: 'technician' });
    expect(
      ((await tech.get('/api/remote-sessions?filter=active')).body.items as { id: string }[]).map(
        (s) => s.id,
      ),
    ).not.toContain(session.id);
    await tech.post(`/api/remote-sessions/${session.id}/tokens`).expect(410);
  });

  it('ending the quick-support session ends its remote sessions with that reason', async () => {
    const { deviceId, supportId } = await connectedDevice();
    const tech = await t.loginAs();
    const { session } = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false })
    ).body;
    await tech.post(`/api/quick-support/sessions/${supportId}/end`).send({}).expect(200);
    await eventually(
      async () =>
        (await tech.get(`/api/remote-sessions/${session.id}`)).body.endReason === 'quick_support_ended',
      'ended with the support session',
    );
  });

  it('reconnects with fresh tokens for the same technician only', async () => {
    const { deviceId, agent } = await connectedDevice();
    const tech = await t.loginAs();
    const { session } = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, type: 'attended', protocol: 'ssh', recordingEnabled: false })
    ).body;
    const again = await tech.post(`/api/remote-sessions/${session.id}/tokens`).expect(200);
    expect(again.body.tokens).toHaveLength(1);
    expect(agent.received('open_channel')).toHaveLength(2);
    const shell = techSocket(again.body.url, session.id, 'shell', again.body.tokens[0].token);
    await opened(shell);
    shell.close();

    const admin = await t.loginAs();
    await admin
      .post('/api/users')
      .send({
        email: 'second.tech@example.test',
        displayName: 'Second technician',
        role: 'technician',
        password: 'second-tech-password',
      })
      .expect(201);
    const other = await t.loginAs('second.tech@example.test', 'second-tech-password');
    const refused = await other.post(`/api/remote-sessions/${session.id}/tokens`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('not_session_owner');
  });

  it('opens a plain shell (no login profile) in place of a silent one, leaving the screen live, for 1.3 agents only', async () => {
    const { deviceId, agent } = await connectedDevice();
    const tech = await t.loginAs();
    const { session, relay: access } = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, type: 'attended', protocol: 'web', recordingEnabled: false })
        .expect(201)
    ).body;
    const states = async () =>
      (
        (await tech.get(`/api/remote-sessions/${session.id}`).expect(200)).body.channelStates as {
          channel: string;
          state: string;
        }[]
      ).map((c) => [c.channel, c.state]);
    await eventually(
      async () => JSON.stringify(await states()) === '[["screen","open"],["shell","open"]]',
      'both channels open',
    );
    // The technician is watching the screen while asking for the plain shell.
    const screen = techSocket(access.url, session.id, 'screen', access.tokens[0].token);
    await opened(screen);
    const plain = await tech.post(`/api/remote-sessions/${session.id}/channels/shell/plain`).expect(200);
    expect(plain.body).toMatchObject({ shellStartPatienceSec: 10, tokens: [{ channel: 'shell' }] });
    await eventually(() => agent.received('open_channel').length === 3, 'the plain shell request');
    const opens = agent.received('open_channel');
    // The session's start asked for the login shell (no field); the plain shell is asked for the shell only.
    expect(opens.map((m) => [m.channel, m.shellProfile])).toEqual([
      ['screen', undefined],
      ['shell', undefined],
      ['shell', 'plain'],
    ]);
    const shell = techSocket(plain.body.url, session.id, 'shell', plain.body.tokens[0].token);
    await opened(shell);
    // Only the shell was replaced: the device was never told to close the screen (nor every channel),
    // the technician's screen still carries the device's bytes, and the session says so.
    expect(
      agent.received('close_channel').filter((m) => m.channel === undefined || m.channel === 'screen'),
    ).toEqual([]);
    expect(screen.readyState).toBe(WebSocket.OPEN);
    const got = new Promise<string>((resolve) => {
      screen.once('message', (d: Buffer) => resolve(d.toString()));
      screen.once('close', () => resolve('(the screen closed)'));
    });
    agent.channels.get(`${session.id}/screen`)!.send(Buffer.from('RFB 003.008\n'));
    expect(await got).toBe('RFB 003.008\n');
    await eventually(
      async () => JSON.stringify(await states()) === '[["screen","open"],["shell","open"]]',
      'both channels open again',
    );
    shell.close();
    screen.close();

    const vnc = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false })
        .expect(201)
    ).body.session;
    const noShell = await tech.post(`/api/remote-sessions/${vnc.id}/channels/shell/plain`);
    expect(noShell.status).toBe(404);
    expect(noShell.body.code).toBe('not_found');

    const old = await connectedDevice('linux', { protocolVersion: '1.2' });
    const oldSession = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId: old.deviceId, type: 'attended', protocol: 'ssh', recordingEnabled: false })
        .expect(201)
    ).body.session;
    const outdated = await tech.post(`/api/remote-sessions/${oldSession.id}/channels/shell/plain`);
    expect(outdated.status).toBe(409);
    expect(outdated.body).toMatchObject({ code: 'agent_outdated', message: expect.stringMatching(/1\.3/) });
    expect(old.agent.received('open_channel').some((m) => 'shellProfile' in m)).toBe(false);
  });

  it('refuses what cannot work, in words', async () => {
    const tech = await t.loginAs();
    const { deviceId } = await connectedDevice('windows');
    const rdp = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'rdp', recordingEnabled: false });
    expect(rdp.status).toBe(400);
    expect(rdp.body.code).toBe('protocol_unavailable');
    const ssh = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'ssh', recordingEnabled: false });
    expect(ssh.body).toMatchObject({
      code: 'protocol_unavailable',
      message: expect.stringMatching(/Linux and macOS/),
    });
    const web = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'web', recordingEnabled: false })
      .expect(201);
    expect(web.body.session.channels).toEqual(['screen']);

    const unknown = await tech.post('/api/remote-sessions').send({
      deviceId: '00000000-0000-4000-8000-000000000000',
      type: 'attended',
      protocol: 'vnc',
      recordingEnabled: false,
    });
    expect(unknown.status).toBe(404);
    const bad = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'sneaky', protocol: 'vnc', recordingEnabled: 'yes', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    await tech.get('/api/remote-sessions?filter=everything').expect(400);
    await tech.get('/api/remote-sessions/not-a-uuid').expect(400);
  });

  it('refuses an offline device (409) and a device whose person turned remote control off', async () => {
    const tech = await t.loginAs();
    const off = await connectedDevice('linux', { killSwitch: true });
    const ks = await tech
      .post('/api/remote-sessions')
      .send({ deviceId: off.deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false });
    expect(ks.status).toBe(409);
    expect(ks.body.code).toBe('kill_switch_on');

    const gone = await connectedDevice();
    gone.agent.close();
    await eventually(
      async () =>
        ((await tech.get('/api/devices')).body.items as { id: string; online: boolean }[]).some(
          (d) => d.id === gone.deviceId && !d.online,
        ),
      'offline',
    );
    const res = await tech
      .post('/api/remote-sessions')
      .send({ deviceId: gone.deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('device_offline');
  });

  it('needs a login', async () => {
    await t.http().get('/api/remote-sessions').expect(401);
    await t.browser().post('/api/remote-sessions').send({}).expect(401);
  });
});

describe('remote sessions and the relay pair timeout', () => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];

  beforeAll(async () => {
    ({ t, relay } = await startStack({ pairTimeoutMs: 1500 }));
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
  });

  async function startVnc() {
    const tech = await t.loginAs();
    const support = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, support.path, 'linux');
    const { deviceId } = await onlineAgent(t, tech, token, agents);
    const res = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false })
      .expect(201);
    return {
      tech,
      session: res.body.session as { id: string },
      access: res.body.relay as { url: string; tokens: { token: string }[] },
    };
  }

  it('ends a session whose viewer never came (pair_timeout)', async () => {
    const { tech, session } = await startVnc();
    await eventually(
      async () => (await tech.get(`/api/remote-sessions/${session.id}`)).body.endReason === 'pair_timeout',
      'ended by the pair timeout',
      10_000,
    );
  });

  it('keeps a session that was connected when a reconnect is not completed in time', async () => {
    const { tech, session, access } = await startVnc();
    const u = new URL('ws', `${access.url}/`);
    u.search = new URLSearchParams({ sid: session.id, ch: 'screen', role: 'tech' }).toString();
    const viewer = new WebSocket(u.toString(), ['relay.v1', `bearer.${access.tokens[0].token}`], {
      origin: TECH_ORIGIN,
    });
    await new Promise<void>((resolve, reject) => {
      viewer.once('open', () => resolve());
      viewer.once('error', reject);
    });
    await eventually(
      async () => (await tech.get(`/api/remote-sessions/${session.id}`)).body.status === 'active',
      'active',
    );
    viewer.close();
    await tech.post(`/api/remote-sessions/${session.id}/tokens`).expect(200); // the agent dials again; nobody comes
    await new Promise((r) => setTimeout(r, 3000));
    const after = (await tech.get(`/api/remote-sessions/${session.id}`)).body;
    expect(after).toMatchObject({ status: 'active', endReason: null });
    expect(after.connectedAt).toEqual(expect.any(String));
  });
});
