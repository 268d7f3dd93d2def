import type { RelayConfig } from '../../relay/config';
import type { RelayServer } from '../../relay/relay-server';
import { eventually } from '../agent/support/script-run';
import { TEST_SECRET, withRelay } from '../relay/support/relay-harness';
import { INSTALLER_FIXTURE_ENV, RELAXED_LIMITS_ENV, registerBody } from '../support/quick-support-factories';
import { createTestApp, freePort, type TestApp } from '../support/test-app';
import { FakeAgent, type FakeAgentOptions } from './fake-agent';

/** The real portal and the real relay, each told where the other is (signed events both ways). */
export async function startStack(
  relayOverrides: Partial<RelayConfig> = {},
  portalEnv: Record<string, string> = {},
): Promise<{ t: TestApp; relay: RelayServer }> {
  const port = await freePort();
  const relay = await withRelay({
    ...relayOverrides,
    eventsUrl: `http://127.0.0.1:${port}/api/relay/events`,
  });
  const t = await createTestApp(
    {
      ...INSTALLER_FIXTURE_ENV,
      ...RELAXED_LIMITS_ENV,
      RELAY_SECRET: TEST_SECRET,
      RELAY_PUBLIC_URL: relay.url.replace(/^http/, 'ws'),
      RELAY_INTERNAL_URL: relay.url,
      ...portalEnv,
    },
    { port },
  );
  return { t, relay };
}

/**
 * Registers a device with a downloaded installer token and connects a stand-in agent for it; `tech`
 * (who must be able to reach the device) sees it come online.
 */
export async function onlineAgent(
  t: TestApp,
  tech: Awaited<ReturnType<TestApp['loginAs']>>,
  token: string,
  agents: FakeAgent[],
  register: Record<string, unknown> = {},
  opts: FakeAgentOptions = {},
): Promise<{ deviceId: string; agent: FakeAgent }> {
  const reg = await t.http().post('/api/agent/register').send(registerBody(token, register));
  expect(reg.status).toBe(201);
  const agent = new FakeAgent(t.baseUrl, reg.body.deviceId, reg.body.deviceCredential, opts);
  agents.push(agent);
  await agent.connect();
  await eventually(
    async () =>
      ((await tech.get('/api/devices')).body.items as { id: string; online: boolean }[]).some(
        (d) => d.id === reg.body.deviceId && d.online,
      ),
    'device online',
  );
  return { deviceId: reg.body.deviceId as string, agent };
}
