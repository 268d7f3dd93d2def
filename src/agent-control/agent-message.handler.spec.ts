import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, take, toArray } from 'rxjs';
import type { WebSocket } from 'ws';
import { ControlCloseCode } from '../../contracts/agent-protocol/connection';
import {
  AGENT_MESSAGE_TYPES,
  parseAgentMessage,
  parsePortalMessage,
} from '../../contracts/agent-protocol/control-message-parser';
import type { PortalToAgentMessage } from '../../contracts/agent-protocol/control-messages';
import { PROTOCOL_VERSION } from '../../contracts/agent-protocol/version';
import { DevicePresence } from '../devices/device-presence';
import type { DevicesService } from '../devices/devices.service';
import type { QuickSupportService } from '../quick-support/quick-support.service';
import { AgentConnection } from './agent-connection';
import { AgentControlError } from './agent-control.errors';
import { AgentControlService, type AgentControlEvent } from './agent-control.service';
import { AgentMessageHandler } from './agent-message.handler';

const FIXTURES = join(__dirname, '..', '..', 'docs', 'fixtures');
const fixtureText = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(fixtureText(name)) as Record<string, unknown>;
const DEVICE = '3f1c2a4e-8b7d-4c3e-9a21-5d6f7e8a9b0c';

/** A socket stand-in that records what the portal sends, checked with the agent's own validator. */
function fakeSocket() {
  const sent: PortalToAgentMessage[] = [];
  const closes: number[] = [];
  const ws = {
    OPEN: 1,
    readyState: 1,
    send: (text: string) => {
      const parsed = parsePortalMessage(text);
      if (!parsed.ok) throw new Error(`the portal sent an invalid message: ${parsed.error}`);
      sent.push(parsed.value);
    },
    close: (code: number) => closes.push(code),
  };
  return { ws: ws as unknown as WebSocket, sent, closes };
}

function setup() {
  const control = new AgentControlService();
  const devices = {
    touch: jest.fn(() => Promise.resolve()),
    publishUpdated: jest.fn(() => Promise.resolve()),
  };
  const presence = new DevicePresence();
  const quickSupport = { endForDevice: jest.fn(() => Promise.resolve(true)) };
  const handler = new AgentMessageHandler(
    control,
    devices as unknown as DevicesService,
    quickSupport as unknown as QuickSupportService,
    presence,
  );
  const socket = fakeSocket();
  const connection = new AgentConnection(DEVICE, socket.ws);
  const greet = (): void => {
    handler.handle(connection, fixtureText('request_hello.json'));
    control.attach(connection);
  };
  return { control, devices, quickSupport, presence, handler, connection, greet, ...socket };
}

describe('AgentMessageHandler (portal side of the protocol)', () => {
  it('accepts every agent → portal fixture', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && !f.startsWith('event_shell_'));
    for (const type of AGENT_MESSAGE_TYPES) {
      const file = files.find((f) => fixture(f).type === type);
      expect({ type, parsed: file && parseAgentMessage(fixtureText(file)).ok }).toEqual({
        type,
        parsed: true,
      });
    }
  });

  it('answers hello and heartbeat with messages the agent accepts', () => {
    const { handler, connection, greet, sent, devices } = setup();
    greet();
    expect(connection.hello).toMatchObject({ mode: 'quick', capabilities: ['screen', 'shell', 'commands'] });
    expect(sent[0]).toMatchObject({ type: 'hello_ack', replyTo: 'h1', protocolVersion: PROTOCOL_VERSION });
    handler.handle(connection, fixtureText('request_heartbeat.json'));
    expect(sent[1]).toEqual(fixture('response_heartbeat_ack.json'));
    expect(devices.touch).toHaveBeenCalledWith(DEVICE);
  });

  it('publishes the event fixtures for remote sessions', async () => {
    const { control, handler, connection, greet } = setup();
    greet();
    const events = lastValueFrom(control.events.pipe(take(5), toArray()));
    for (const name of [
      'event_channel_closed.json',
      'event_command_output.json',
      'event_command_exit.json',
      'event_agent_status.json',
      'response_error.json',
    ]) {
      handler.handle(connection, fixtureText(name));
    }
    const got = await events;
    expect(got.map((e: AgentControlEvent) => (e.type === 'agent.message' ? e.message.type : e.type))).toEqual(
      ['channel_closed', 'command_output', 'command_exit', 'agent_status', 'error'],
    );
  });

  it('matches responses to the service’s requests, and turns agent errors into AgentControlError', async () => {
    const { control, handler, connection, greet, sent } = setup();
    greet();
    const opening = control.openChannel(DEVICE, {
      sessionId: 'sess-1',
      channel: 'screen',
      relayUrl: 'wss://relay.example.com',
      token: 'a.b.c',
      technician: 'Alex',
    });
    const request = sent.at(-1) as Extract<PortalToAgentMessage, { type: 'open_channel' }>;
    expect(request).toMatchObject({
      type: 'open_channel',
      sessionId: 'sess-1',
      channel: 'screen',
      technician: 'Alex',
    });
    handler.handle(
      connection,
      JSON.stringify({
        ...fixture('response_channel_opened.json'),
        replyTo: request.id,
        sessionId: 'sess-1',
      }),
    );
    // A screen without a monitor list (before protocol 1.3) reports nothing more.
    await expect(opening).resolves.toEqual({});

    const monitors = control.openChannel(DEVICE, {
      sessionId: 'sess-1',
      channel: 'screen',
      relayUrl: 'wss://relay.example.com',
      token: 'a.b.c',
      monitor: 1,
    });
    const second = sent.at(-1) as Extract<PortalToAgentMessage, { type: 'open_channel' }>;
    expect(second).toMatchObject({ type: 'open_channel', channel: 'screen', monitor: 1 });
    const reply = fixture('response_channel_opened_monitors.json');
    handler.handle(connection, JSON.stringify({ ...reply, replyTo: second.id, sessionId: 'sess-1' }));
    await expect(monitors).resolves.toEqual({ monitors: reply.monitors, monitor: 1 });

    const running = control.runCommand(DEVICE, { command: 'uname -a' });
    const run = sent.at(-1) as Extract<PortalToAgentMessage, { type: 'run_command' }>;
    handler.handle(connection, JSON.stringify({ ...fixture('response_error.json'), replyTo: run.id }));
    await expect(running).rejects.toThrow(AgentControlError);
    await expect(running).rejects.toMatchObject({
      agentCode: 'kill_switch',
      status: 403,
      message: fixture('response_error.json').message,
    });

    const ending = control.endSession(DEVICE, 'Technician ended the support session');
    const end = sent.at(-1) as Extract<PortalToAgentMessage, { type: 'end_session' }>;
    expect(end.type).toBe('end_session');
    handler.handle(connection, JSON.stringify({ ...fixture('response_ack.json'), replyTo: end.id }));
    await expect(ending).resolves.toBe(true);
  });

  it('asks for remote help and settles each answer; refusals keep the agent’s code', async () => {
    const { control, handler, connection, greet, sent } = setup();
    greet();
    const answer = (name: string): void => {
      const request = sent.at(-1) as { id: string };
      handler.handle(connection, JSON.stringify({ ...fixture(name), replyTo: request.id }));
    };
    const status = control.remoteHelpStatus(DEVICE);
    expect(sent.at(-1)).toMatchObject({ type: 'remotehelp_status' });
    answer('response_remotehelp_state.json');
    await expect(status).resolves.toMatchObject({
      installed: true,
      version: '2.0.35.0',
      internet_ok: true,
      interactive_session: true,
    });

    const start = control.remoteHelpStart(DEVICE, 'quickassist.exe');
    expect(sent.at(-1)).toMatchObject({ type: 'remotehelp_start', executable: 'quickassist.exe' });
    answer('response_remotehelp_started.json');
    await expect(start).resolves.toMatchObject({ launched: true, pid: 7412 });

    const stop = control.remoteHelpStop(DEVICE, 'quickassist.exe');
    answer('response_remotehelp_stopped.json');
    await expect(stop).resolves.toMatchObject({ stopped: true });

    const install = control.wingetInstall(DEVICE, '9P7BP5VNWKX5');
    expect(sent.at(-1)).toMatchObject({ type: 'winget_install', packageId: '9P7BP5VNWKX5' });
    answer('response_winget_install_started.json');
    await expect(install).resolves.toMatchObject({ packageId: '9P7BP5VNWKX5' });

    for (const [name, agentCode] of [
      ['response_remotehelp_kill_switch.json', 'kill_switch'],
      ['response_remotehelp_unsupported.json', 'unsupported'],
      ['response_remotehelp_no_interactive_session.json', 'no_interactive_session'],
      ['response_remotehelp_not_allowed.json', 'not_allowed'],
    ] as const) {
      const refused = control.remoteHelpStart(DEVICE, 'quickassist.exe');
      answer(name);
      await expect(refused).rejects.toMatchObject({ agentCode, message: fixture(name).message });
    }
  });

  it('keeps the reported kill switch for device lists and announces each change', () => {
    const { handler, connection, greet, presence, devices } = setup();
    expect(presence.killSwitch(DEVICE)).toBeNull();
    greet();
    expect(presence.killSwitch(DEVICE)).toBe(false);
    const status = (killSwitch: boolean): string =>
      JSON.stringify({ ...fixture('event_agent_status.json'), killSwitch });
    handler.handle(connection, status(true));
    handler.handle(connection, status(true));
    expect(presence.killSwitch(DEVICE)).toBe(true);
    expect(devices.publishUpdated).toHaveBeenCalledTimes(1);
    handler.handle(connection, status(false));
    expect(devices.publishUpdated).toHaveBeenCalledTimes(2);
  });

  it('refuses anything before hello, malformed frames and incompatible versions', () => {
    const early = setup();
    early.handler.handle(early.connection, fixtureText('request_heartbeat.json'));
    expect(early.closes).toEqual([ControlCloseCode.BadMessage]);

    const bad = setup();
    bad.greet();
    bad.handler.handle(bad.connection, '{"type":"hello","id":"x"');
    bad.handler.handle(
      bad.connection,
      JSON.stringify({
        type: 'command_output',
        commandId: 'c',
        stream: 'stdout',
        seq: 0,
        data: 'x'.repeat(20_000),
      }),
    );
    expect(bad.sent.slice(1).map((m) => m.type === 'error' && m.code)).toEqual([
      'bad_message',
      'bad_message',
    ]);

    const old = setup();
    old.handler.handle(
      old.connection,
      JSON.stringify({ ...fixture('request_hello.json'), protocolVersion: '9.0' }),
    );
    expect(old.sent).toEqual([
      expect.objectContaining({ type: 'error', code: 'unsupported_version', replyTo: 'h1' }),
    ]);
    expect(old.closes).toEqual([ControlCloseCode.UnsupportedVersion]);
    expect(old.connection.hello).toBeUndefined();
  });

  it('ends the quick-support session when its agent says goodbye', () => {
    const { handler, connection, greet, quickSupport } = setup();
    greet();
    handler.handle(connection, JSON.stringify({ type: 'goodbye', reason: 'user_exit' }));
    expect(quickSupport.endForDevice).toHaveBeenCalledWith(DEVICE, 'agent_left');
  });

  it('fails pending requests when the agent goes away, and reports offline devices plainly', async () => {
    const { control, connection, greet } = setup();
    greet();
    const pending = control.status(DEVICE);
    control.detach(connection, 1006);
    await expect(pending).rejects.toMatchObject({ agentCode: 'offline' });
    await expect(control.status(DEVICE)).rejects.toMatchObject({ agentCode: 'offline', status: 503 });
  });
});
