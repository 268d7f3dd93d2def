import type { RelayServer } from '../../relay/relay-server';
import { eventually } from '../agent/support/script-run';
import { downloadInstaller, makeSupportSession } from '../support/quick-support-factories';
import type { TestApp } from '../support/test-app';
import type { FakeAgent, FakeAgentOptions } from './fake-agent';
import { onlineAgent, startStack } from './stack';

jest.setTimeout(90_000);

const MONITORS = [
  { x: 0, y: 0, width: 1920, height: 1080 },
  { x: 1920, y: 0, width: 1280, height: 1024 },
];
const WEB = { type: 'attended', protocol: 'web', recordingEnabled: false };

/**
 * Choosing a monitor (protocol 1.3) on the real portal, relay and control channel: a stand-in agent
 * lists two monitors on its screen's `channel_opened`, as the real agent does from Xinerama (the
 * viewer-screen browser suite drives the real agent, x11vnc and noVNC).
 */
describe('the screen’s monitors: reported, chosen, kept across reconnects', () => {
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

  async function session(opts: FakeAgentOptions) {
    const tech = await t.loginAs();
    const support = await makeSupportSession(tech, { customerName: 'Two screens' });
    const { token } = await downloadInstaller(t, support.path, 'linux');
    const { deviceId, agent } = await onlineAgent(t, tech, token, agents, { os: 'linux' }, opts);
    const id = (
      await tech
        .post('/api/remote-sessions')
        .send({ deviceId, ...WEB })
        .expect(201)
    ).body.session.id as string;
    const screenState = async () =>
      (
        (await tech.get(`/api/remote-sessions/${id}`).expect(200)).body.channelStates as {
          channel: string;
          state: string;
          monitors: unknown;
          monitor: number | null;
        }[]
      ).find((c) => c.channel === 'screen')!;
    await eventually(async () => (await screenState()).state === 'open', 'the screen open');
    const opens = () => agent.received('open_channel').filter((m) => m.channel === 'screen');
    return { tech, id, agent, screenState, opens };
  }

  it('lists the monitors; choosing one reopens the screen alone with it, and reconnects keep it', async () => {
    const { tech, id, agent, screenState, opens } = await session({ monitors: MONITORS });
    expect(await screenState()).toMatchObject({ monitors: MONITORS, monitor: null });
    expect(opens()[0].monitor).toBeUndefined();
    const shellOpens = agent.received('open_channel').length - opens().length;

    const res = await tech.post(`/api/remote-sessions/${id}/screen/monitor`).send({ monitor: 1 }).expect(200);
    expect(res.body.tokens.map((x: { channel: string }) => x.channel)).toEqual(['screen']);
    await eventually(async () => (await screenState()).monitor === 1, 'monitor 2 shown');
    expect(opens().at(-1)!.monitor).toBe(1);
    // The shell was left alone: no close, no new open.
    expect(agent.received('close_channel')).toEqual([]);
    expect(agent.received('open_channel').length - opens().length).toBe(shellOpens);

    await tech.post(`/api/remote-sessions/${id}/tokens`).expect(200);
    await eventually(() => opens().length === 3, 'the reconnect');
    expect(opens()[2].monitor).toBe(1);
    await eventually(async () => (await screenState()).state === 'open', 'the screen open again');
    expect((await screenState()).monitor).toBe(1);

    await tech.post(`/api/remote-sessions/${id}/screen/monitor`).send({ monitor: null }).expect(200);
    await eventually(() => opens().length === 4, 'the whole desktop asked for');
    expect(opens()[3].monitor).toBeUndefined();
    await eventually(async () => (await screenState()).monitor === null, 'the whole desktop shown');
  });

  it.each([
    ['no monitor field', {}],
    ['a monitor past 15', { monitor: 16 }],
    ['a negative monitor', { monitor: -1 }],
    ['a fraction', { monitor: 0.5 }],
    ['a string', { monitor: '1' }],
  ])('refuses %s with 400 validation_failed', async (_label, body) => {
    const { tech, id } = await session({ monitors: MONITORS });
    const res = await tech.post(`/api/remote-sessions/${id}/screen/monitor`).send(body).expect(400);
    expect(res.body.code).toBe('validation_failed');
  });

  it('refuses a monitor the device did not list, and any choice on a device with one monitor', async () => {
    const two = await session({ monitors: MONITORS });
    const beyond = await two.tech
      .post(`/api/remote-sessions/${two.id}/screen/monitor`)
      .send({ monitor: 2 })
      .expect(409);
    expect(beyond.body).toEqual({
      code: 'monitor_unavailable',
      message:
        'The device has 2 monitors (numbered from 0), and its screen must be open to switch between them.',
    });

    const one = await session({ monitors: [MONITORS[0]] });
    expect(await one.screenState()).toMatchObject({ monitors: [MONITORS[0]], monitor: null });
    const single = await one.tech
      .post(`/api/remote-sessions/${one.id}/screen/monitor`)
      .send({ monitor: 0 })
      .expect(409);
    expect(single.body.code).toBe('monitor_unavailable');

    const none = await session({});
    expect(await none.screenState()).toMatchObject({ monitors: null, monitor: null });
    await none.tech.post(`/api/remote-sessions/${none.id}/screen/monitor`).send({ monitor: 0 }).expect(409);
    expect(none.opens()).toHaveLength(1);
  });
});
