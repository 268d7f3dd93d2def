import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { AGENT_CONTROL_PATH, ControlCloseCode } from '../../contracts/agent-protocol/connection';
import { parsePortalMessage } from '../../contracts/agent-protocol/control-message-parser';
import type { PortalToAgentMessage } from '../../contracts/agent-protocol/control-messages';
import { PROTOCOL_VERSION } from '../../contracts/agent-protocol/version';
import { AgentControlService } from '../../src/agent-control/agent-control.service';
import {
  INSTALLER_FIXTURE_ENV,
  RELAXED_LIMITS_ENV,
  USER_AGENTS,
  installerTokenIn,
  makeSupportSession,
  registerBody,
} from '../support/quick-support-factories';
import { createTestApp, type TestApp } from '../support/test-app';
import { eventually } from './support/script-run';

jest.setTimeout(60_000);

interface Registered {
  deviceId: string;
  deviceCredential: string;
  sessionId: string;
}

/** The control channel endpoint on the real portal, with raw WebSocket clients standing in for agents. */
describe('control channel /api/agent/ws', () => {
  let t: TestApp;
  let wsUrl: string;

  beforeAll(async () => {
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV });
    wsUrl = `${t.baseUrl.replace(/^http/, 'ws')}${AGENT_CONTROL_PATH}`;
  });
  afterAll(() => t.close());

  async function register(): Promise<Registered> {
    const tech = await t.loginAs();
    const session = await makeSupportSession(tech);
    const script = await (
      await fetch(`${t.baseUrl}${session.path}/download/linux`, {
        headers: { 'user-agent': USER_AGENTS.linux },
      })
    ).text();
    const res = await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(installerTokenIn(script)));
    expect(res.status).toBe(201);
    return { ...(res.body as { deviceId: string; deviceCredential: string }), sessionId: session.id };
  }

  /** Dials like an agent; resolves with the open socket or the HTTP status of the refusal. */
  function dial(
    headers: Record<string, string>,
  ): Promise<{ ws?: WebSocket; status?: number; body?: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers });
      ws.once('open', () => resolve({ ws }));
      ws.once('unexpected-response', (_req, res: IncomingMessage) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      ws.once('error', reject);
    });
  }

  const bearer = (r: Registered, credential = r.deviceCredential): Record<string, string> => ({
    authorization: `Bearer ${r.deviceId}.${credential}`,
  });

  function inbox(ws: WebSocket): PortalToAgentMessage[] {
    const got: PortalToAgentMessage[] = [];
    ws.on('message', (d: Buffer) => {
      const parsed = parsePortalMessage(d.toString('utf8'));
      if (!parsed.ok) throw new Error(parsed.error);
      got.push(parsed.value);
    });
    return got;
  }

  const hello = (ws: WebSocket): void =>
    ws.send(
      JSON.stringify({
        type: 'hello',
        id: 'h1',
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: '0.1.0',
        mode: 'quick',
        capabilities: ['screen'],
        killSwitch: false,
      }),
    );

  it('refuses before the upgrade: no credential, a wrong one, an incompatible version', async () => {
    const r = await register();
    await expect(dial({})).resolves.toMatchObject({ status: 401 });
    await expect(dial({ authorization: `Bearer ${r.deviceId}` })).resolves.toMatchObject({ status: 401 });
    await expect(dial(bearer(r, 'x'.repeat(43)))).resolves.toMatchObject({ status: 401 });
    const refused = await dial({ ...bearer(r), 'x-agent-protocol-version': '9.0' });
    expect(refused.status).toBe(426);
    expect(JSON.parse(refused.body ?? '{}')).toMatchObject({ code: 'protocol_mismatch' });
  });

  it('greets, marks the device online and offline, answers heartbeats', async () => {
    const r = await register();
    const { ws } = await dial({ ...bearer(r), 'x-agent-protocol-version': PROTOCOL_VERSION });
    const got = inbox(ws!);
    hello(ws!);
    await eventually(() => got.some((m) => m.type === 'hello_ack'), 'hello_ack');
    const online = async (): Promise<boolean> =>
      (
        (await (await t.loginAs()).get('/api/devices')).body.items as Array<{ id: string; online: boolean }>
      ).find((d) => d.id === r.deviceId)?.online ?? false;
    await eventually(online, 'online');
    ws!.send(JSON.stringify({ type: 'heartbeat', id: 'hb1', uptimeSec: 3 }));
    await eventually(() => got.some((m) => m.type === 'heartbeat_ack'), 'heartbeat_ack');
    ws!.close();
    await eventually(async () => !(await online()), 'offline');
  });

  it('closes a connection that does not start with hello, answers malformed frames with an error', async () => {
    const r = await register();
    const first = await dial(bearer(r));
    const closed = new Promise<number>((resolve) => first.ws!.once('close', (code) => resolve(code)));
    first.ws!.send(JSON.stringify({ type: 'heartbeat', id: 'hb1', uptimeSec: 3 }));
    await expect(closed).resolves.toBe(ControlCloseCode.BadMessage);

    const second = await dial(bearer(r));
    const got = inbox(second.ws!);
    hello(second.ws!);
    second.ws!.send(
      '{"type":"channel_closed","sessionId":"s","channel":"screen","closeCode":4102,"reason":"a\\r\\nforged log line"}',
    );
    await eventually(() => got.some((m) => m.type === 'error'), 'error');
    expect(got.find((m) => m.type === 'error')).toMatchObject({ code: 'bad_message' });
    second.ws!.close();
  });

  it('a newer connection replaces the older one (4409)', async () => {
    const r = await register();
    const a = await dial(bearer(r));
    hello(a.ws!);
    await eventually(() => t.app.get(AgentControlService).isConnected(r.deviceId), 'first connected');
    const aClosed = new Promise<number>((resolve) => a.ws!.once('close', (code) => resolve(code)));
    const b = await dial(bearer(r));
    hello(b.ws!);
    await expect(aClosed).resolves.toBe(ControlCloseCode.Replaced);
    expect(t.app.get(AgentControlService).isConnected(r.deviceId)).toBe(true);
    b.ws!.close();
  });

  it('ending the quick-support session sends end_session, and the device may not reconnect (410)', async () => {
    const r = await register();
    const { ws } = await dial(bearer(r));
    const got = inbox(ws!);
    hello(ws!);
    await eventually(() => t.app.get(AgentControlService).isConnected(r.deviceId), 'connected');
    const tech = await t.loginAs();
    const ending = tech
      .post(`/api/quick-support/sessions/${r.sessionId}/end`)
      .send({})
      .then((res) => res);
    const request = await eventually(() => got.find((m) => m.type === 'end_session'), 'end_session');
    ws!.send(JSON.stringify({ type: 'ack', replyTo: (request as { id: string }).id }));
    expect((await ending).status).toBe(200);
    ws!.send(JSON.stringify({ type: 'goodbye', reason: 'session_ended' }));
    ws!.close(1000);
    await expect(dial(bearer(r))).resolves.toMatchObject({ status: 410 });
  });
});
