import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseAgentMessage,
  parsePortalMessage,
} from '../../../contracts/agent-protocol/control-message-parser';
import type { AgentToPortalMessage } from '../../../contracts/agent-protocol/control-messages';
import { ActionGate } from '../core/action-gate';
import { KillSwitch, QUICK_KILL_SWITCH_MESSAGE } from '../core/kill-switch';
import { silentLogger } from '../test-support/socket-pair';
import { NOT_ALLOWED_APP_MESSAGE, type AllowedApp, type AllowedPackage } from './launch-allow-list';
import { QUICK_ASSIST_START_NOTE, RemoteHelpHandler, type RemoteHelpRequest } from './remote-help';
import { RemoteHelpError, type RemoteHelpBackend, type StartOutcome } from './remote-help-backend';

const FIXTURES = join(__dirname, '..', '..', '..', 'docs', 'fixtures');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
/** A request as the agent receives it: through the agent's own parser. */
function request(name: string, overrides: Record<string, unknown> = {}): RemoteHelpRequest {
  const parsed = parsePortalMessage({ ...fixture(name), ...overrides });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value as RemoteHelpRequest;
}

function fakeBackend(): jest.Mocked<RemoteHelpBackend> {
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

function setup(
  options: {
    os?: 'windows' | 'linux' | 'macos';
    killSwitch?: boolean;
    consent?: boolean;
    backend?: RemoteHelpBackend | null;
  } = {},
) {
  const os = options.os ?? 'windows';
  const backend = options.backend === undefined ? (os === 'windows' ? fakeBackend() : null) : options.backend;
  const kill = new KillSwitch(options.killSwitch ?? false, QUICK_KILL_SWITCH_MESSAGE);
  const gate = new ActionGate(kill, () => options.consent ?? true);
  const handler = new RemoteHelpHandler({ os, backend, gate, logger: silentLogger });
  /** Answers, checked with the portal's validator as the portal would receive them. */
  const ask = async (message: RemoteHelpRequest): Promise<AgentToPortalMessage> => {
    const answer = await handler.handle(message);
    const parsed = parseAgentMessage(JSON.stringify(answer));
    if (!parsed.ok) throw new Error(`the portal would refuse ${JSON.stringify(answer)}: ${parsed.error}`);
    return parsed.value;
  };
  return { handler, backend, kill, ask };
}

describe('RemoteHelpHandler on Windows', () => {
  it('answers the request fixtures with the response fixtures’ shapes', async () => {
    const { ask } = setup();
    await expect(ask(request('request_remotehelp_status.json'))).resolves.toEqual(
      fixture('response_remotehelp_state.json'),
    );
    await expect(ask(request('request_remotehelp_start.json'))).resolves.toEqual(
      fixture('response_remotehelp_started.json'),
    );
    await expect(ask(request('request_remotehelp_stop.json'))).resolves.toEqual(
      fixture('response_remotehelp_stopped.json'),
    );
    await expect(ask(request('request_winget_install.json'))).resolves.toEqual(
      fixture('response_winget_install_started.json'),
    );
  });

  it('tells the technician the human steps', async () => {
    const { ask } = setup();
    const started = (await ask(request('request_remotehelp_start.json'))) as { note: string };
    expect(started.note).toBe(QUICK_ASSIST_START_NOTE);
    for (const step of ['sign in with your Microsoft account', '6-digit security code', 'click Allow'])
      expect(started.note).toContain(step);
  });

  it.each([
    'cmd.exe',
    'C:\\Windows\\System32\\cmd.exe',
    'quickassist.exe /x',
    'QuickAssist.exe',
    '..\\quickassist.exe',
    'quickassist.exe & calc',
  ])(
    'refuses to start or stop %j with not_allowed, before anything else, whatever the switch',
    async (executable) => {
      for (const killSwitch of [false, true]) {
        const { ask, backend } = setup({ killSwitch });
        for (const name of ['request_remotehelp_start.json', 'request_remotehelp_stop.json']) {
          await expect(ask(request(name, { executable }))).resolves.toEqual({
            type: 'error',
            replyTo: fixture(name).id,
            code: 'not_allowed',
            message: NOT_ALLOWED_APP_MESSAGE,
          });
        }
        expect(backend?.start).not.toHaveBeenCalled();
        expect(backend?.stop).not.toHaveBeenCalled();
      }
    },
  );

  it('refuses to install any package but Quick Assist', async () => {
    const { ask, backend } = setup();
    await expect(
      ask(request('request_winget_install.json', { packageId: 'Microsoft.PowerShell' })),
    ).resolves.toMatchObject({ code: 'not_allowed' });
    expect(backend?.install).not.toHaveBeenCalled();
  });

  it('with the kill switch on refuses start, stop and install in the technician’s words, and status still answers', async () => {
    const { ask, backend, kill } = setup({ killSwitch: true });
    for (const name of [
      'request_remotehelp_start.json',
      'request_remotehelp_stop.json',
      'request_winget_install.json',
    ]) {
      await expect(ask(request(name))).resolves.toEqual({
        type: 'error',
        replyTo: fixture(name).id,
        code: 'kill_switch',
        message: QUICK_KILL_SWITCH_MESSAGE,
      });
    }
    expect(backend?.start).not.toHaveBeenCalled();
    expect(backend?.stop).not.toHaveBeenCalled();
    expect(backend?.install).not.toHaveBeenCalled();
    await expect(ask(request('request_remotehelp_status.json'))).resolves.toMatchObject({
      type: 'remotehelp_state',
      installed: true,
    });
    kill.set(false);
    await expect(ask(request('request_remotehelp_start.json'))).resolves.toMatchObject({
      type: 'remotehelp_started',
    });
  });

  it('passes consent through the same gate', async () => {
    const { ask } = setup({ consent: false });
    await expect(ask(request('request_remotehelp_start.json'))).resolves.toMatchObject({
      code: 'consent_denied',
    });
  });

  it('turns the backend’s refusals into protocol errors, and anything unexpected into a plain sentence', async () => {
    const backend = fakeBackend();
    backend.start.mockRejectedValueOnce(
      new RemoteHelpError('no_interactive_session', 'Nobody is logged in.'),
    );
    backend.start.mockRejectedValueOnce(new Error('EPERM: C:\\secret\\path'));
    const { ask } = setup({ backend });
    await expect(ask(request('request_remotehelp_start.json'))).resolves.toEqual({
      type: 'error',
      replyTo: 'rh-2',
      code: 'no_interactive_session',
      message: 'Nobody is logged in.',
    });
    await expect(ask(request('request_remotehelp_start.json'))).resolves.toEqual({
      type: 'error',
      replyTo: 'rh-2',
      code: 'internal',
      message: 'The agent could not complete the remote-help request.',
    });
  });

  it('says when Quick Assist was already open', async () => {
    const backend = fakeBackend();
    backend.start.mockResolvedValueOnce({ launched: false, pid: 4242 });
    const { ask } = setup({ backend });
    await expect(ask(request('request_remotehelp_start.json'))).resolves.toMatchObject({
      launched: false,
      pid: 4242,
      note: expect.stringContaining('already open'),
    });
  });
});

describe.each(['linux', 'macos'] as const)('RemoteHelpHandler on %s', (os) => {
  it('reports everything not available and refuses start, stop and install as unsupported', async () => {
    const { ask } = setup({ os });
    await expect(ask(request('request_remotehelp_status.json'))).resolves.toEqual({
      type: 'remotehelp_state',
      replyTo: 'rh-1',
      installed: false,
      version: null,
      internet_ok: false,
      interactive_session: false,
    });
    const label = os === 'linux' ? 'Linux' : 'macOS';
    for (const name of [
      'request_remotehelp_start.json',
      'request_remotehelp_stop.json',
      'request_winget_install.json',
    ]) {
      await expect(ask(request(name))).resolves.toEqual({
        type: 'error',
        replyTo: fixture(name).id,
        code: 'unsupported',
        message: `Quick Assist is a Windows feature; this device runs ${label}.`,
      });
    }
  });

  it('still refuses anything off the allow-list as not_allowed', async () => {
    const { ask } = setup({ os });
    await expect(
      ask(request('request_remotehelp_start.json', { executable: 'bash' })),
    ).resolves.toMatchObject({ code: 'not_allowed' });
  });
});

describe('the error fixtures', () => {
  it('are what the agent answers', async () => {
    await expect(setup({ os: 'linux' }).ask(request('request_remotehelp_start.json'))).resolves.toEqual(
      fixture('response_remotehelp_unsupported.json'),
    );
    await expect(setup({ killSwitch: true }).ask(request('request_remotehelp_start.json'))).resolves.toEqual(
      fixture('response_remotehelp_kill_switch.json'),
    );
    await expect(
      setup().ask(request('request_remotehelp_start.json', { executable: 'cmd.exe' })),
    ).resolves.toEqual(fixture('response_remotehelp_not_allowed.json'));
    const backend = fakeBackend();
    backend.start.mockRejectedValueOnce(
      new RemoteHelpError(
        'no_interactive_session',
        "Nobody is logged in on this computer's screen, so there is no desktop to open Quick Assist on.",
      ),
    );
    await expect(setup({ backend }).ask(request('request_remotehelp_start.json'))).resolves.toEqual(
      fixture('response_remotehelp_no_interactive_session.json'),
    );
  });
});
