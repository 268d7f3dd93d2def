import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { AGENT_CONTROL_PATH } from '../../contracts/agent-protocol/connection';
import { parsePortalMessage, requestIdOf } from '../../contracts/agent-protocol/control-message-parser';
import type { OpenChannelMessage } from '../../contracts/agent-protocol/control-messages';
import { PROTOCOL_VERSION } from '../../contracts/agent-protocol/version';
import { eventually } from '../agent/support/script-run';
import {
  INSTALLER_FIXTURE_ENV,
  RELAXED_LIMITS_ENV,
  downloadInstaller,
  makeSupportSession,
  registerBody,
} from '../support/quick-support-factories';
import { createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(60_000);

/** Control characters, line separators, bidi and invisible formatting that must never be in a name. */
const UNSAFE: Array<[string, string]> = [
  ['BEL (C0)', 'Ann\u0007e'],
  ['ESC (C0)', 'Ann\u001b[31me'],
  ['a line feed inside', 'Ann\ne'],
  ['NEL (C1)', 'Ann\u0085e'],
  ['DEL', 'Ann\u007fe'],
  ['RIGHT-TO-LEFT MARK U+200F', 'Ann\u200fe'],
  ['LEFT-TO-RIGHT MARK U+200E', 'Ann\u200ee'],
  ['RIGHT-TO-LEFT OVERRIDE U+202E', 'Ann\u202eeinna'],
  ['FIRST STRONG ISOLATE U+2068', 'Ann\u2068e'],
  ['LINE SEPARATOR U+2028', 'Ann\u2028e'],
  ['ZERO WIDTH SPACE U+200B', 'Ann\u200be'],
];

/**
 * A stand-in agent that treats portal messages exactly as the real agent's control client does
 * (agent/src/core/control-client.ts): parsed by the shared contract; a message it cannot parse is
 * answered with `error bad_message`; an open_channel is answered `channel_opened`.
 */
function parsingAgent(
  t: TestApp,
  deviceId: string,
  credential: string,
): Promise<{ ws: WebSocket; opened: OpenChannelMessage[] }> {
  const ws = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}${AGENT_CONTROL_PATH}`, {
    headers: {
      authorization: `Bearer ${deviceId}.${credential}`,
      'x-agent-protocol-version': PROTOCOL_VERSION,
    },
  });
  const opened: OpenChannelMessage[] = [];
  const send = (m: object): void => ws.send(JSON.stringify(m));
  ws.on('message', (d: Buffer) => {
    const text = d.toString('utf8');
    const parsed = parsePortalMessage(text);
    if (!parsed.ok) {
      const replyTo = requestIdOf(text);
      send({
        type: 'error',
        ...(replyTo && { replyTo }),
        code: 'bad_message',
        message: 'malformed portal message',
      });
      return;
    }
    const m = parsed.value;
    if (m.type === 'open_channel') {
      opened.push(m);
      send({ type: 'channel_opened', replyTo: m.id, sessionId: m.sessionId, channel: m.channel });
    } else if (m.type === 'close_channel' || m.type === 'end_session') {
      send({ type: 'ack', replyTo: m.id });
    }
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      send({
        type: 'hello',
        id: 'h1',
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: '0.1.0',
        mode: 'quick',
        capabilities: ['screen', 'shell'],
        killSwitch: false,
      });
      resolve({ ws, opened });
    });
    ws.once('error', reject);
  });
}

describe('display names without control or bidi characters (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['loginAs']>>;
  const sockets: WebSocket[] = [];
  beforeAll(async () => {
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV });
    admin = await t.loginAs();
  });
  afterAll(async () => {
    for (const ws of sockets) ws.close();
    await t.close();
  });

  it.each(UNSAFE)('refuses a technician created with %s in the display name', async (_what, displayName) => {
    const res = await admin.post('/api/users').send({
      email: `unsafe.${Date.now()}.${Math.random().toString(36).slice(2)}@example.test`,
      displayName,
      role: 'technician',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.message).toMatch(
      /^displayName must be one line of text without control or bidirectional-formatting characters/,
    );
  });

  it('refuses a display name changed to one with a bidi override, and keeps the old name', async () => {
    const created = await admin
      .post('/api/users')
      .send({ email: 'bidi.target@example.test', displayName: 'Ann Lee', role: 'technician' });
    expect(created.status).toBe(201);
    const id = created.body.user.id as string;
    const res = await admin.patch(`/api/users/${id}`).send({ displayName: 'Ann\u202eeeL' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^displayName must be one line of text/);
    const list = await admin.get('/api/users').expect(200);
    expect(
      (list.body.items as Array<{ id: string; displayName: string }>).find((u) => u.id === id)?.displayName,
    ).toBe('Ann Lee');
  });

  it('accepts names in any script, joiners included (Persian ZWNJ, emoji ZWJ)', async () => {
    for (const displayName of ['Zoë Ångström', 'مهدی\u200cزاده', 'José 👩\u200d💻', '李小龙']) {
      const res = await admin.post('/api/users').send({
        email: `ok.${Math.random().toString(36).slice(2)}@example.test`,
        displayName,
        role: 'technician',
      });
      expect(res.status).toBe(201);
      expect(res.body.user.displayName).toBe(displayName);
    }
  });

  it('refuses a quick-support customer name with a right-to-left mark', async () => {
    const res = await admin.post('/api/quick-support/sessions').send({ customerName: 'Ann\u200fe' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^customerName must be one line of text without control/);
  });

  it('a technician whose stored name holds control characters still connects; the agent and the customer see a cleaned name', async () => {
    const password = 'technician-password-legacy';
    const created = await admin
      .post('/api/users')
      .send({ email: 'legacy.name@example.test', displayName: 'Legacy Tech', role: 'technician', password });
    expect(created.status).toBe(201);
    // A row written before names were checked.
    await t.app
      .get(DataSource)
      .query('UPDATE users SET display_name = $1 WHERE id = $2', [
        'Legacy\u0007 \u202eTech\r\n',
        created.body.user.id,
      ]);
    const tech = await t.loginAs('legacy.name@example.test', password);
    const session = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, session.path);
    const reg = await t.http().post('/api/agent/register').send(registerBody(token));
    expect(reg.status).toBe(201);
    const agent = await parsingAgent(t, reg.body.deviceId as string, reg.body.deviceCredential as string);
    sockets.push(agent.ws);
    await eventually(
      async () =>
        ((await tech.get('/api/devices')).body.items as Array<{ id: string; online: boolean }>).some(
          (d) => d.id === reg.body.deviceId && d.online,
        ),
      'device online',
    );

    const res = await tech
      .post('/api/remote-sessions')
      .send({ deviceId: reg.body.deviceId, type: 'attended', protocol: 'vnc', recordingEnabled: false });
    expect(res.status).toBe(201);
    expect(agent.opened.map((m) => m.technician)).toEqual(['Legacy Tech']);

    const status = await t.http().get(`${session.path}/status`).expect(200);
    expect(status.body.technician).toBe('Legacy Tech');
  });

  it('the agent cleans a name the portal sends with control characters instead of refusing the channel', () => {
    const parsed = parsePortalMessage({
      type: 'open_channel',
      id: 'req-1',
      sessionId: '7f1c2a9e-8a5b-4c1d-9e2f-3a4b5c6d7e8f',
      channel: 'screen',
      relayUrl: 'wss://relay.example.test',
      token: 'a.b.c',
      technician: 'Bob\u0007\u202e Smith\u2066',
    });
    expect(parsed).toMatchObject({ ok: true, value: { technician: 'Bob Smith' } });
  });
});
