import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PORTAL_MESSAGE_TYPES,
  parsePortalMessage,
} from '../../../contracts/agent-protocol/control-message-parser';
import type {
  AgentToPortalMessage,
  PortalToAgentMessage,
} from '../../../contracts/agent-protocol/control-messages';
import type { PlatformAdapter } from '../platform/platform';
import type { AllowedApp, AllowedPackage } from '../remote-help/launch-allow-list';
import type { RemoteHelpBackend, StartOutcome } from '../remote-help/remote-help-backend';
import { posixCommandShell, posixKillTree } from '../platform/posix';
import { CREDENTIAL, DEVICE, FakePortal, until } from '../test-support/fake-portal';
import { silentLogger } from '../test-support/socket-pair';
import { askOrUnavailable } from '../consent/ask-first';
import type { ConsentPrompter } from '../consent/consent-types';
import { Agent, type AgentOptions } from './agent';
import { FileTracker } from './file-tracker';
import { KillSwitch } from './kill-switch';

const FIXTURES = join(__dirname, '..', '..', '..', 'docs', 'fixtures');
const fixture = (name: string): PortalToAgentMessage =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as PortalToAgentMessage;

const platform: PlatformAdapter = {
  os: 'linux',
  osVersion: () => 'Test Linux',
  capabilities: () => ['screen', 'commands'],
  commandShell: posixCommandShell,
  killTree: posixKillTree,
  pty: undefined,
  loginShell: () => '/bin/sh',
  invokingUserHome: () => tmpdir(),
};

/** Stands in for Quick Assist on Windows, recording whether anything was started. */
function fakeRemoteHelp(): jest.Mocked<RemoteHelpBackend> {
  return {
    status: jest.fn(() =>
      Promise.resolve({ installed: true, version: '2.0.35.0', internet_ok: true, interactive_session: true }),
    ),
    start: jest.fn((_app: AllowedApp): Promise<StartOutcome> =>
      Promise.resolve({ launched: true, pid: 7412 }),
    ),
    stop: jest.fn((_app: AllowedApp) => Promise.resolve(true)),
    install: jest.fn((_pkg: AllowedPackage): Promise<number | null> => Promise.resolve(null)),
  };
}

async function startAgent(
  options: {
    killSwitch?: boolean;
    mode?: 'quick' | 'persistent';
    maxLifetimeMs?: number;
    files?: FileTracker;
    remoteHelp?: RemoteHelpBackend;
    platform?: PlatformAdapter;
    asking?: AgentOptions['asking'];
    portalVersion?: string;
  } = {},
) {
  const portal = new FakePortal();
  if (options.portalVersion) portal.protocolVersion = options.portalVersion;
  await portal.start();
  const exits: number[] = [];
  const killSwitch = new KillSwitch(options.killSwitch ?? false);
  const agent = new Agent({
    mode: options.mode ?? 'quick',
    device: {
      deviceId: DEVICE,
      deviceCredential: CREDENTIAL,
      controlUrl: `ws://127.0.0.1:${portal.port}/api/agent/ws`,
    },
    platform: options.platform ?? platform,
    logger: silentLogger,
    killSwitch,
    vnc: { host: '127.0.0.1', port: 1 },
    files: options.files ?? new FileTracker(silentLogger),
    maxLifetimeMs: options.maxLifetimeMs,
    ...(options.remoteHelp && { remoteHelp: options.remoteHelp }),
    ...(options.asking && { asking: options.asking }),
    onExit: (code) => exits.push(code),
  });
  agent.start();
  await until(() => portal.received.some((m) => m.type === 'hello'), 'hello');
  /** Sends a request and resolves with every message until one answers it. */
  const ask = async (message: PortalToAgentMessage): Promise<AgentToPortalMessage> => {
    const id = (message as { id?: string }).id;
    portal.send(message);
    await until(
      () => portal.received.some((m) => 'replyTo' in m && m.replyTo === id),
      `reply to ${id}`,
      10_000,
    );
    return portal.received.find((m) => 'replyTo' in m && m.replyTo === id)!;
  };
  return { portal, agent, ask, exits, killSwitch };
}

/**
 * The agent side of the protocol: every portal → agent fixture is understood by the agent, and every
 * answer it produces parses with the portal's validator (FakePortal refuses anything that does not).
 */
describe('Agent and the protocol fixtures', () => {
  it('accepts every portal → agent fixture', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    for (const type of PORTAL_MESSAGE_TYPES) {
      const file = files.find(
        (f) => (JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as { type?: string }).type === type,
      )!;
      expect(parsePortalMessage(readFileSync(join(FIXTURES, file), 'utf8'))).toMatchObject({ ok: true });
    }
  });

  it('answers the request fixtures with messages the portal accepts', async () => {
    const { portal, agent, ask, exits } = await startAgent();
    try {
      expect(portal.received[0]).toMatchObject({
        type: 'hello',
        mode: 'quick',
        capabilities: ['screen', 'commands'],
        killSwitch: false,
      });
      await expect(ask(fixture('request_get_status.json'))).resolves.toMatchObject({
        type: 'agent_status',
        replyTo: 'gs-12',
        channels: [],
      });
      await expect(ask(fixture('request_run_command.json'))).resolves.toEqual({
        type: 'command_started',
        replyTo: 'rc-9',
        commandId: 'cmd-1',
      });
      await until(() => portal.received.some((m) => m.type === 'command_exit'), 'command exit');
      expect(
        portal.received
          .filter((m) => m.type === 'command_output')
          .map((m) => (m as { data: string }).data)
          .join(''),
      ).toMatch(/^Linux /);
      await expect(ask(fixture('request_cancel_command.json'))).resolves.toMatchObject({
        type: 'error',
        replyTo: 'cx-10',
        code: 'not_found',
      });
      await expect(ask(fixture('request_close_channel.json'))).resolves.toMatchObject({
        type: 'error',
        replyTo: 'cc-8',
        code: 'not_found',
      });
      // Remote help on Linux: status says "not available", everything else is unsupported.
      await expect(ask(fixture('request_remotehelp_status.json'))).resolves.toEqual({
        type: 'remotehelp_state',
        replyTo: 'rh-1',
        installed: false,
        version: null,
        internet_ok: false,
        interactive_session: false,
      });
      await expect(ask(fixture('request_remotehelp_start.json'))).resolves.toEqual(
        JSON.parse(readFileSync(join(FIXTURES, 'response_remotehelp_unsupported.json'), 'utf8')),
      );
      await expect(ask(fixture('request_remotehelp_stop.json'))).resolves.toMatchObject({
        type: 'error',
        replyTo: 'rh-3',
        code: 'unsupported',
      });
      await expect(ask(fixture('request_winget_install.json'))).resolves.toMatchObject({
        type: 'error',
        replyTo: 'wi-1',
        code: 'unsupported',
      });
      // The fixture's relay does not exist: the agent says the channel failed, in words.
      await expect(
        ask({
          ...fixture('request_open_channel.json'),
          relayUrl: 'ws://127.0.0.1:9',
        } as PortalToAgentMessage),
      ).resolves.toMatchObject({
        type: 'error',
        replyTo: 'oc-7',
        code: 'channel_failed',
      });
      await expect(
        ask({
          ...fixture('request_open_channel.json'),
          id: 'oc-shell',
          channel: 'shell',
        } as PortalToAgentMessage),
      ).resolves.toMatchObject({ code: 'unsupported' });
      await expect(ask(fixture('request_end_session.json'))).resolves.toEqual({
        type: 'ack',
        replyTo: 'es-11',
      });
      await until(() => exits.length === 1, 'exit');
      expect(exits).toEqual([0]);
      expect(portal.received.at(-1)).toEqual({ type: 'goodbye', reason: 'session_ended' });
    } finally {
      await agent.end('user_exit');
      await portal.stop();
    }
  });

  it('with the kill switch on refuses every mutating request while status keeps answering', async () => {
    const remoteHelp = fakeRemoteHelp();
    // A PTY-capable platform, so the shell channel reaches the gate (the PTY itself is never started).
    const withShell: PlatformAdapter = {
      ...platform,
      capabilities: () => ['screen', 'shell', 'commands'],
      pty: {
        spawnSpec: () => ({ file: '/bin/false', args: [] }),
        resizeCommand: () => ({ file: '/bin/true', args: [] }),
      },
    };
    const { portal, agent, ask, killSwitch } = await startAgent({
      killSwitch: true,
      mode: 'persistent',
      remoteHelp,
      platform: withShell,
    });
    try {
      expect(portal.received[0]).toMatchObject({ type: 'hello', killSwitch: true });
      await expect(ask(fixture('request_run_command.json'))).resolves.toMatchObject({
        type: 'error',
        code: 'kill_switch',
      });
      for (const channel of ['screen', 'shell', 'commands'] as const) {
        await expect(
          ask({
            ...fixture('request_open_channel.json'),
            id: `oc-${channel}`,
            channel,
          } as PortalToAgentMessage),
        ).resolves.toMatchObject({
          type: 'error',
          code: 'kill_switch',
          message: 'The kill switch is on: this device refuses remote control.',
        });
      }
      for (const name of [
        'request_remotehelp_start.json',
        'request_remotehelp_stop.json',
        'request_winget_install.json',
      ]) {
        await expect(ask(fixture(name))).resolves.toMatchObject({
          type: 'error',
          code: 'kill_switch',
          message: 'The kill switch is on: this device refuses remote control.',
        });
      }
      expect(remoteHelp.start).not.toHaveBeenCalled();
      expect(remoteHelp.stop).not.toHaveBeenCalled();
      expect(remoteHelp.install).not.toHaveBeenCalled();
      // Read-only requests keep answering.
      await expect(ask(fixture('request_get_status.json'))).resolves.toMatchObject({
        type: 'agent_status',
        killSwitch: true,
      });
      await expect(ask(fixture('request_remotehelp_status.json'))).resolves.toMatchObject({
        type: 'remotehelp_state',
        installed: true,
      });
      killSwitch.set(false);
      await until(
        () => portal.received.some((m) => m.type === 'agent_status' && !('replyTo' in m) && !m.killSwitch),
        'status event',
      );
      await expect(
        ask({
          ...fixture('request_run_command.json'),
          id: 'rc-10',
          commandId: 'cmd-2',
        } as PortalToAgentMessage),
      ).resolves.toMatchObject({
        type: 'command_started',
      });
      await expect(
        ask({ ...fixture('request_remotehelp_start.json'), id: 'rh-9' } as PortalToAgentMessage),
      ).resolves.toMatchObject({ type: 'remotehelp_started', pid: 7412 });
    } finally {
      await agent.end('shutdown');
      await portal.stop();
    }
  });

  it('ends at its maximum lifetime: goodbye, then every tracked file is deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-agent.'));
    writeFileSync(join(dir, 'agent.js'), '');
    const files = new FileTracker(silentLogger);
    files.track(dir);
    const { portal, exits } = await startAgent({ maxLifetimeMs: 300, files });
    try {
      await until(() => exits.length === 1, 'exit', 5000);
      expect(portal.received.at(-1)).toEqual({ type: 'goodbye', reason: 'max_lifetime' });
      expect(existsSync(dir)).toBe(false);
    } finally {
      await portal.stop();
    }
  });

  describe('consent', () => {
    /** The person at the device says no in the only prompt there is. */
    const saysNo: ConsentPrompter = { name: 'terminal', ask: () => Promise.resolve('deny') };
    const asking = (): AgentOptions['asking'] => ({
      devicePolicy: 'ask',
      organisation: 'Example IT',
      prompters: () => [saysNo],
      ask: askOrUnavailable,
    });
    const openScreen = {
      ...fixture('request_open_channel.json'),
      id: 'oc-consent',
    } as PortalToAgentMessage;

    it('asks before a channel opens, refuses on no, and reports each step to a 1.2 portal', async () => {
      const { portal, agent, ask } = await startAgent({ asking: asking(), portalVersion: '1.2' });
      try {
        await expect(ask(openScreen)).resolves.toMatchObject({
          type: 'error',
          code: 'consent_denied',
          message: 'The person at the device did not allow this.',
        });
        const steps = portal.received.filter((m) => m.type === 'consent');
        expect(steps.map((m) => m.type === 'consent' && m.event)).toEqual(['asked', 'denied']);
        expect(steps[0]).toMatchObject({ channel: 'screen', policy: 'ask', expiresInSec: 30 });
      } finally {
        await agent.end('shutdown');
        await portal.stop();
      }
    });

    it('asks all the same, but reports nothing, to a portal older than 1.2', async () => {
      const { portal, agent, ask } = await startAgent({ asking: asking(), portalVersion: '1.1' });
      try {
        await expect(ask(openScreen)).resolves.toMatchObject({ type: 'error', code: 'consent_denied' });
        expect(portal.received.filter((m) => m.type === 'consent')).toEqual([]);
      } finally {
        await agent.end('shutdown');
        await portal.stop();
      }
    });
  });
});
