import { loadProtocolFixture as load } from '../../test/support/protocol-fixtures';
import { parseAgentMessage, parsePortalMessage } from './control-message-parser';

describe('agent protocol validators', () => {
  const hello = load('request_hello.json');
  const open = load('request_open_channel.json');

  it('drops unknown fields instead of passing them on', () => {
    const result = parseAgentMessage({ ...hello, extra: '<script>' });
    expect(result.ok && 'extra' in result.value).toBe(false);
  });

  it.each([
    ['a CR/LF in a display string', { ...load('event_channel_closed.json'), reason: 'ok\r\nFAKE LOG LINE' }],
    ['a NUL in a display string', { ...load('response_error.json'), message: 'bad\u0000' }],
    ['a bidi override', { ...load('response_error.json'), message: 'abc\u202edcba' }],
    ['an overlong string', { ...load('response_error.json'), message: 'x'.repeat(501) }],
    ['an unknown error code', { ...load('response_error.json'), code: 'nope' }],
    ['a float where an integer is due', { ...load('request_heartbeat.json'), uptimeSec: 1.5 }],
    ['a string where a boolean is due', { ...hello, killSwitch: 'false' }],
    ['an unknown message type', { type: 'format_disk', id: 'x' }],
    ['a capability with odd characters', { ...hello, capabilities: ['screen;rm'] }],
    ['a portal message sent by an agent', open],
    ['monitors on a shell channel', { ...load('response_channel_opened_monitors.json'), channel: 'shell' }],
    ['a monitor beyond the list', { ...load('response_channel_opened_monitors.json'), monitor: 2 }],
    ['a monitor without the list', { ...load('response_channel_opened.json'), monitor: 0 }],
    [
      'a monitor of zero width',
      {
        ...load('response_channel_opened_monitors.json'),
        monitors: [{ x: 0, y: 0, width: 0, height: 600 }],
        monitor: 0,
      },
    ],
    [
      'seventeen monitors',
      {
        ...load('response_channel_opened_monitors.json'),
        monitors: Array.from({ length: 17 }, (_, i) => ({ x: i * 10, y: 0, width: 10, height: 10 })),
        monitor: 0,
      },
    ],
  ])('refuses %s from an agent', (_label, body) => {
    expect(parseAgentMessage(body).ok).toBe(false);
  });

  it.each([
    ['a relay URL that is not ws(s)', { ...open, relayUrl: 'http://relay.example.com' }],
    ['a relay URL with a quote', { ...open, relayUrl: "wss://relay.example.com/'x" }],
    ['a token that is not a JWS', { ...open, token: 'not a token' }],
    ['an unknown channel', { ...open, channel: 'clipboard' }],
    ['an unknown shell profile', { ...open, channel: 'shell', shellProfile: 'root' }],
    ['a session id with a slash', { ...open, sessionId: '../etc' }],
    ['a NUL in a command', { ...load('request_run_command.json'), command: 'ls\u0000' }],
    ['a timeout of zero', { ...load('request_run_command.json'), timeoutSec: 0 }],
    ['a monitor for the shell', { ...load('request_open_channel_monitor.json'), channel: 'shell' }],
    ['a negative monitor', { ...load('request_open_channel_monitor.json'), monitor: -1 }],
    ['monitor 16', { ...load('request_open_channel_monitor.json'), monitor: 16 }],
  ])('refuses %s from the portal', (_label, body) => {
    expect(parsePortalMessage(body).ok).toBe(false);
  });

  it.each([
    ['a version with a space', { ...load('response_remotehelp_state.json'), version: '2.0 beta' }],
    ['a version that is a number', { ...load('response_remotehelp_state.json'), version: 2 }],
    ['internet_ok as a string', { ...load('response_remotehelp_state.json'), internet_ok: 'yes' }],
    ['a pid of zero', { ...load('response_remotehelp_started.json'), pid: 0 }],
    ['a fractional pid', { ...load('response_remotehelp_started.json'), pid: 1.5 }],
    ['a note with a forged line', { ...load('response_remotehelp_started.json'), note: 'ok\nFAKE' }],
    ['an overlong note', { ...load('response_remotehelp_started.json'), note: 'x'.repeat(501) }],
    ['stopped as a number', { ...load('response_remotehelp_stopped.json'), stopped: 1 }],
    [
      'a package id with a flag',
      { ...load('response_winget_install_started.json'), packageId: '9P7BP5VNWKX5 --force' },
    ],
    ['an unknown error code', { ...load('response_remotehelp_not_allowed.json'), code: 'denied' }],
  ])('refuses remote-help answers with %s', (_label, body) => {
    expect(parseAgentMessage(body).ok).toBe(false);
  });

  it('accepts an unknown Quick Assist version as null', () => {
    expect(parseAgentMessage({ ...load('response_remotehelp_state.json'), version: null })).toMatchObject({
      ok: true,
      value: { version: null },
    });
    expect(parseAgentMessage({ ...load('response_remotehelp_started.json'), pid: null })).toMatchObject({
      ok: true,
      value: { pid: null },
    });
  });

  it('leaves the launch decision to the agent’s allow-list, but still refuses malformed text', () => {
    // Not on the allow-list, yet a well-formed request: the agent answers not_allowed (remote-help.spec.ts).
    expect(parsePortalMessage({ ...load('request_remotehelp_start.json'), executable: 'cmd.exe' }).ok).toBe(
      true,
    );
    expect(
      parsePortalMessage({ ...load('request_winget_install.json'), packageId: 'Microsoft.PowerShell' }).ok,
    ).toBe(true);
    for (const executable of ['quickassist.exe\u0000', 'quickassist.exe\r\ncalc', 'a'.repeat(261), '', 42]) {
      expect(parsePortalMessage({ ...load('request_remotehelp_start.json'), executable }).ok).toBe(false);
    }
    expect(
      parsePortalMessage({ ...load('request_winget_install.json'), packageId: 'x'.repeat(129) }).ok,
    ).toBe(false);
  });

  it('allows newlines and tabs in a command but not in a reason', () => {
    expect(parsePortalMessage({ ...load('request_run_command.json'), command: 'echo a\n\techo b' }).ok).toBe(
      true,
    );
    expect(parsePortalMessage({ ...load('request_end_session.json'), reason: 'a\nb' }).ok).toBe(false);
  });

  it('refuses malformed JSON and oversized frames with a reason, never throwing', () => {
    expect(parseAgentMessage('{"type":')).toEqual({ ok: false, error: 'message is not valid JSON' });
    expect(parseAgentMessage('x'.repeat(300 * 1024))).toEqual({ ok: false, error: 'message is too large' });
    expect(parseAgentMessage('[1,2]').ok).toBe(false);
    expect(parseAgentMessage(null).ok).toBe(false);
  });
});
