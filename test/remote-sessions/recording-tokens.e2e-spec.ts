import { decodeJwt } from 'jose';
import { DataSource } from 'typeorm';
import type { RelayServer } from '../../relay/relay-server';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import type { TestApp } from '../support/test-app';
import type { FakeAgent } from './fake-agent';
import { eventually } from '../agent/support/script-run';
import { onlineAgent, startStack } from './stack';

jest.setTimeout(60_000);

/** The relay tokens of a started session carry the `rec` claim the recording policy asks for. */
describe.each([
  ['optional', false, 'optional'],
  ['required', false, 'required'],
  ['optional', true, 'required'],
] as const)('RECORDING_POLICY=%s, RECORDING_STRICT=%s', (policy, strict, mode) => {
  let t: TestApp;
  let relay: RelayServer;
  const agents: FakeAgent[] = [];

  beforeAll(async () => {
    ({ t, relay } = await startStack({}, { RECORDING_POLICY: policy, RECORDING_STRICT: String(strict) }));
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await t.close();
    await relay.close();
  });

  it(`gives every token of a Web session, the technician's and the agent's, rec mode ${mode}; the session row says it is recorded`, async () => {
    const tech = await t.loginAs();
    const support = await makeSupportSession(tech, { customerName: 'Front desk' });
    const { token } = await downloadInstaller(t, support.path, 'linux');
    const { deviceId, agent } = await onlineAgent(t, tech, token, agents, { os: 'linux' });
    // Under `required` the form's "no" does not matter.
    const res = await tech
      .post('/api/remote-sessions')
      .send({ deviceId, type: 'attended', protocol: 'web', recordingEnabled: policy === 'optional' });
    expect(res.status).toBe(201);
    const me = (await tech.get('/api/auth/me').expect(200)).body as { id: string };
    expect(res.body.session.recordingEnabled).toBe(true);
    const tokens = res.body.relay.tokens as { channel: string; token: string }[];
    expect(tokens.map((x) => x.channel)).toEqual(['screen', 'shell']);
    for (const { token: jwt } of tokens)
      expect(decodeJwt(jwt).rec).toEqual({ mode, tech: me.id, device: deviceId });
    // The agent's side of each recorded channel carries the same claim (the relay records either side).
    const opens = () => agent.received('open_channel').filter((m) => m.sessionId === res.body.session.id);
    await eventually(() => opens().length >= 2, 'the agent asked to open the screen and shell channels');
    expect(
      opens()
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['screen', 'shell']);
    for (const m of opens()) {
      expect(decodeJwt(m.token).role).toBe('agent');
      expect(decodeJwt(m.token).rec).toEqual({ mode, tech: me.id, device: deviceId });
    }
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT recording_enabled FROM remote_sessions WHERE id = $1`, [res.body.session.id]);
    expect(row.recording_enabled).toBe(true);
  });
});
