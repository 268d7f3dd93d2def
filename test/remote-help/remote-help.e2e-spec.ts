import { tmpdir } from 'node:os';
import WebSocket from 'ws';
import { AGENT_CONTROL_PATH, AGENT_PROTOCOL_HEADER } from '../../contracts/agent-protocol/connection';
import { parsePortalMessage } from '../../contracts/agent-protocol/control-message-parser';
import type { PortalToAgentMessage } from '../../contracts/agent-protocol/control-messages';
import { PROTOCOL_VERSION } from '../../contracts/agent-protocol/version';
import { Agent } from '../../agent/src/core/agent';
import { FileTracker } from '../../agent/src/core/file-tracker';
import { KillSwitch, QUICK_KILL_SWITCH_MESSAGE } from '../../agent/src/core/kill-switch';
import type { PlatformAdapter } from '../../agent/src/platform/platform';
import { posixCommandShell, posixKillTree } from '../../agent/src/platform/posix';
import type { AllowedApp, AllowedPackage } from '../../agent/src/remote-help/launch-allow-list';
import type { RemoteHelpBackend, StartOutcome } from '../../agent/src/remote-help/remote-help-backend';
import { silentLogger } from '../../agent/src/test-support/socket-pair';
import { AgentControlService } from '../../src/agent-control/agent-control.service';
import { AuditService } from '../../src/audit/audit.service';
import { eventually } from '../agent/support/script-run';
import {
  INSTALLER_FIXTURE_ENV,
  RELAXED_LIMITS_ENV,
  downloadInstaller,
  makeSupportSession,
  registerBody,
} from '../support/quick-support-factories';
import { ADMIN_EMAIL, createTestApp, type TestApp } from '../support/test-app';

jest.setTimeout(60_000);

type Os = 'windows' | 'linux';

interface Registered {
  deviceId: string;
  deviceCredential: string;
}

function platformFor(os: Os): PlatformAdapter {
  return {
    os,
    osVersion: () => (os === 'windows' ? 'Windows 11 Pro 24H2' : 'Debian GNU/Linux 13'),
    capabilities: () => ['screen', 'commands'],
    commandShell: posixCommandShell,
    killTree: posixKillTree,
    pty: undefined,
    loginShell: () => '/bin/sh',
    invokingUserHome: () => tmpdir(),
  };
}

/** Quick Assist on a Windows PC, faked below the agent's real allow-list, gate and protocol handling. */
function fakeQuickAssist(): jest.Mocked<RemoteHelpBackend> {
  return {
    status: jest.fn(() =>
      Promise.resolve({ installed: true, version: '2.0.35.0', internet_ok: true, interactive_session: true }),
    ),
    start: jest.fn((_app: AllowedApp): Promise<StartOutcome> =>
      Promise.resolve({ launched: true, pid: 7412 }),
    ),
    stop: jest.fn((_app: AllowedApp) => Promise.resolve(true)),
    install: jest.fn((_pkg: AllowedPackage): Promise<number | null> => Promise.resolve(8120)),
  };
}

/**
 * The remote-help API on the real portal (real PostgreSQL, real control channel). The devices are the
 * agent's own core (`Agent`: control client, gate, kill switch, remote-help handler) dialling the portal;
 * only Windows itself is faked, below the agent's allow-list.
 */
describe('remote help API /api/devices/:id/remotehelp', () => {
  let t: TestApp;
  let wsUrl: string;
  const agents: Agent[] = [];

  beforeAll(async () => {
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV });
    wsUrl = `${t.baseUrl.replace(/^http/, 'ws')}${AGENT_CONTROL_PATH}`;
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.end('user_exit')));
    await t?.close();
  });

  async function register(os: Os): Promise<Registered> {
    const tech = await t.loginAs();
    const session = await makeSupportSession(tech);
    const { token } = await downloadInstaller(t, session.path, os);
    const res = await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { os, protocolVersion: PROTOCOL_VERSION }));
    expect(res.status).toBe(201);
    return res.body as Registered;
  }

  /** A registered device whose agent core is connected. */
  async function connectDevice(os: Os, remoteHelp?: RemoteHelpBackend) {
    const device = await register(os);
    const killSwitch = new KillSwitch(false, QUICK_KILL_SWITCH_MESSAGE);
    const agent = new Agent({
      mode: 'quick',
      device: { ...device, controlUrl: wsUrl },
      platform: platformFor(os),
      logger: silentLogger,
      killSwitch,
      vnc: { host: '127.0.0.1', port: 1 },
      files: new FileTracker(silentLogger),
      ...(remoteHelp && { remoteHelp }),
      onExit: () => undefined,
    });
    agents.push(agent);
    agent.start();
    await eventually(() => t.app.get(AgentControlService).isConnected(device.deviceId), 'agent connected');
    return { ...device, agent, killSwitch };
  }

  const audit = async (
    deviceId: string,
  ): Promise<
    Array<{ action: string; actorType: string; actorId: string | null; details: Record<string, unknown> }>
  > =>
    (await t.app.get(AuditService).forTarget('device', deviceId))
      // Outcomes only: each start and install also has a `…_requested` row written before the device is asked.
      .filter((e) => e.action.startsWith('quick_assist.') && !e.action.endsWith('_requested'))
      .reverse();

  const listed = async (deviceId: string): Promise<{ killSwitch: boolean | null } | undefined> =>
    (
      (await (await t.loginAs()).get('/api/devices')).body.items as Array<{
        id: string;
        killSwitch: boolean | null;
      }>
    ).find((d) => d.id === deviceId);

  it('Windows: readiness, launch with the human steps, stop, install — each recorded with the technician', async () => {
    const quickAssist = fakeQuickAssist();
    const { deviceId } = await connectDevice('windows', quickAssist);
    const tech = await t.loginAs();
    const me = (await tech.get('/api/auth/me')).body as { id: string; email: string };
    expect(me.email).toBe(ADMIN_EMAIL);

    const status = await tech.get(`/api/devices/${deviceId}/remotehelp`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      deviceId,
      os: 'windows',
      supported: true,
      installed: true,
      version: '2.0.35.0',
      internetOk: true,
      interactiveSession: true,
      killSwitch: false,
    });

    const started = await tech.post(`/api/devices/${deviceId}/remotehelp/start`).send({});
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ launched: true, pid: 7412, remoteSessionId: null });
    expect(started.body.note).toMatch(/Microsoft account.*6-digit security code.*click Allow/);
    expect(quickAssist.start).toHaveBeenCalledWith(expect.objectContaining({ name: 'quickassist.exe' }));

    const stopped = await tech.post(`/api/devices/${deviceId}/remotehelp/stop`).send({});
    expect(stopped.status).toBe(200);
    expect(stopped.body).toEqual({ stopped: true, remoteSessionId: null });

    const install = await tech.post(`/api/devices/${deviceId}/remotehelp/install`).send({});
    expect(install.status).toBe(200);
    expect(install.body).toMatchObject({ packageId: '9P7BP5VNWKX5', pid: 8120 });
    expect(quickAssist.install).toHaveBeenCalledWith(
      expect.objectContaining({ id: '9P7BP5VNWKX5', source: 'msstore' }),
    );

    expect(await audit(deviceId)).toEqual([
      expect.objectContaining({
        action: 'quick_assist.started',
        actorType: 'user',
        actorId: me.id,
        details: expect.objectContaining({ launched: true, pid: 7412 }),
      }),
      expect.objectContaining({
        action: 'quick_assist.stopped',
        actorType: 'user',
        actorId: me.id,
        details: expect.objectContaining({ stopped: true }),
      }),
      expect.objectContaining({ action: 'quick_assist.install_started', actorType: 'user', actorId: me.id }),
    ]);
  });

  it('kill switch: start and stop refused (409 kill_switch_on) in the agent’s words, status still answers, refusals audited', async () => {
    const quickAssist = fakeQuickAssist();
    const { deviceId, killSwitch } = await connectDevice('windows', quickAssist);
    const tech = await t.loginAs();
    await expect(listed(deviceId)).resolves.toMatchObject({ killSwitch: false });

    // The customer presses K: the agent reports it, and the device list shows it.
    killSwitch.set(true);
    await eventually(
      async () => (await listed(deviceId))?.killSwitch === true,
      'killSwitch in the device list',
    );

    for (const action of ['start', 'stop', 'install']) {
      const refused = await tech.post(`/api/devices/${deviceId}/remotehelp/${action}`).send({});
      expect({ action, status: refused.status, body: refused.body }).toEqual({
        action,
        status: 409,
        body: { code: 'kill_switch_on', message: QUICK_KILL_SWITCH_MESSAGE },
      });
    }
    expect(quickAssist.start).not.toHaveBeenCalled();
    expect(quickAssist.stop).not.toHaveBeenCalled();
    expect(quickAssist.install).not.toHaveBeenCalled();

    const status = await tech.get(`/api/devices/${deviceId}/remotehelp`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ installed: true, killSwitch: true });

    expect((await audit(deviceId)).map((e) => [e.action, e.details.code])).toEqual([
      ['quick_assist.start_refused', 'kill_switch_on'],
      ['quick_assist.stop_refused', 'kill_switch_on'],
      ['quick_assist.install_refused', 'kill_switch_on'],
    ]);

    killSwitch.set(false);
    await eventually(async () => (await listed(deviceId))?.killSwitch === false, 'killSwitch off again');
    expect((await tech.post(`/api/devices/${deviceId}/remotehelp/start`).send({})).status).toBe(200);
  });

  it('Linux: status says nothing is available; start and stop are 400 unsupported_os', async () => {
    const { deviceId } = await connectDevice('linux');
    const tech = await t.loginAs();
    const status = await tech.get(`/api/devices/${deviceId}/remotehelp`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      os: 'linux',
      supported: false,
      installed: false,
      version: null,
      internetOk: false,
      interactiveSession: false,
    });
    for (const action of ['start', 'stop']) {
      const refused = await tech.post(`/api/devices/${deviceId}/remotehelp/${action}`).send({});
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        code: 'unsupported_os',
        message: 'Quick Assist is a Windows feature; this device runs Linux.',
      });
    }
    expect((await audit(deviceId)).map((e) => e.action)).toEqual([
      'quick_assist.start_refused',
      'quick_assist.stop_refused',
    ]);
  });

  it('an offline device, an unknown one and a malformed id are refused before any agent is asked', async () => {
    const { deviceId, agent } = await connectDevice('windows', fakeQuickAssist());
    await agent.end('user_exit');
    await eventually(() => !t.app.get(AgentControlService).isConnected(deviceId), 'agent gone');
    const tech = await t.loginAs();
    const offline = await tech.post(`/api/devices/${deviceId}/remotehelp/start`).send({});
    expect(offline.body.code).toMatch(/^(device_offline|gone)$/);
    expect((await tech.get('/api/devices/00000000-0000-4000-8000-000000000000/remotehelp')).status).toBe(404);
    expect((await tech.get('/api/devices/not-a-uuid/remotehelp')).body).toMatchObject({
      code: 'validation_failed',
    });
    expect((await t.http().get(`/api/devices/${deviceId}/remotehelp`)).status).toBe(401);
  });

  it('an agent older than protocol 1.1 is told nothing: 409 agent_outdated', async () => {
    const device = await register('windows');
    const ws = new WebSocket(wsUrl, {
      headers: {
        authorization: `Bearer ${device.deviceId}.${device.deviceCredential}`,
        [AGENT_PROTOCOL_HEADER]: '1.0',
      },
    });
    const received: PortalToAgentMessage[] = [];
    ws.on('message', (d: Buffer) => {
      const parsed = parsePortalMessage(d.toString('utf8'));
      if (parsed.ok) received.push(parsed.value);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(
      JSON.stringify({
        type: 'hello',
        id: 'h1',
        protocolVersion: '1.0',
        agentVersion: '0.1.0',
        mode: 'quick',
        capabilities: ['screen'],
        killSwitch: false,
      }),
    );
    await eventually(
      () => t.app.get(AgentControlService).isConnected(device.deviceId),
      'old agent connected',
    );
    const tech = await t.loginAs();
    const res = await tech.get(`/api/devices/${device.deviceId}/remotehelp`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('agent_outdated');
    expect(received.map((m) => m.type)).toEqual(['hello_ack']);
    ws.close();
  });
});
