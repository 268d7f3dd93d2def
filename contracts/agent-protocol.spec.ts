import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AGENT_MESSAGE_TYPES,
  PORTAL_MESSAGE_TYPES,
  PROTOCOL_VERSION,
  REMOTE_HELP_SINCE,
  isCompatibleProtocolVersion,
  protocolAtLeast,
  parseAgentMessage,
  parseDeviceBearer,
  parsePortalMessage,
  parseRegisterRequest,
  parseRegisterResponse,
  parseShellFrame,
  formatDeviceBearer,
  type ParseResult,
} from './agent-protocol';

const FIXTURES = join(__dirname, '..', 'docs', 'fixtures');
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
const load = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, unknown>;

/** Which parser a fixture belongs to: the HTTP bodies, the shell frames, or a control-channel side. */
function parserFor(file: string, body: Record<string, unknown>): (raw: unknown) => ParseResult<unknown> {
  if (file === 'request_register.json') return parseRegisterRequest;
  if (file === 'response_register.json') return parseRegisterResponse;
  if (file.startsWith('event_shell_')) return parseShellFrame;
  const type = body.type as string;
  return (AGENT_MESSAGE_TYPES as string[]).includes(type) ? parseAgentMessage : parsePortalMessage;
}

describe('agent protocol fixtures', () => {
  it('has a fixture for every message type of both sides', () => {
    const types = new Set(files.map((f) => load(f).type).filter(Boolean));
    for (const t of [...AGENT_MESSAGE_TYPES, ...PORTAL_MESSAGE_TYPES]) expect(types).toContain(t);
  });

  it.each(files)('%s is named by kind and parses to itself', (file) => {
    expect(file).toMatch(/^(request|response|event)_[a-z_]+\.json$/);
    const body = load(file);
    const result = parserFor(file, body)(JSON.stringify(body));
    expect(result).toEqual({ ok: true, value: body });
  });

  /** Fields a message may omit; every other field is required. */
  const OPTIONAL: Record<string, string[]> = {
    open_channel: ['technician'],
    close_channel: ['channel', 'reason'],
    run_command: ['timeoutSec', 'maxOutputBytes'],
    command_exit: ['signal'],
    channel_closed: ['replyTo'],
    agent_status: ['replyTo'],
    error: ['replyTo'],
  };

  it.each(files)('%s is refused when any required field is missing', (file) => {
    const body = load(file);
    const parse = parserFor(file, body);
    const optional = OPTIONAL[body.type as string] ?? [];
    for (const key of Object.keys(body).filter((k) => !optional.includes(k))) {
      const copy = { ...body };
      delete copy[key];
      expect({ key, ok: parse(copy).ok }).toEqual({ key, ok: false });
    }
  });
});

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
  ])('refuses %s from an agent', (_label, body) => {
    expect(parseAgentMessage(body).ok).toBe(false);
  });

  it.each([
    ['a relay URL that is not ws(s)', { ...open, relayUrl: 'http://relay.example.com' }],
    ['a relay URL with a quote', { ...open, relayUrl: "wss://relay.example.com/'x" }],
    ['a token that is not a JWS', { ...open, token: 'not a token' }],
    ['an unknown channel', { ...open, channel: 'files' }],
    ['a session id with a slash', { ...open, sessionId: '../etc' }],
    ['a NUL in a command', { ...load('request_run_command.json'), command: 'ls\u0000' }],
    ['a timeout of zero', { ...load('request_run_command.json'), timeoutSec: 0 }],
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

  it('checks shell frames', () => {
    expect(parseShellFrame('{"type":"resize","cols":0,"rows":10}').ok).toBe(false);
    expect(parseShellFrame('{"type":"resize","cols":80,"rows":24}')).toEqual({
      ok: true,
      value: { type: 'resize', cols: 80, rows: 24 },
    });
  });

  it('refuses registration values outside their formats', () => {
    const reg = load('request_register.json');
    expect(parseRegisterRequest({ ...reg, os: 'beos' }).ok).toBe(false);
    expect(parseRegisterRequest({ ...reg, hostname: 'pc\nINJECTED' }).ok).toBe(false);
    expect(parseRegisterRequest({ ...reg, installerToken: "abc'$(id)" }).ok).toBe(false);
    expect(
      parseRegisterResponse({ ...load('response_register.json'), controlUrl: 'javascript:alert(1)' }).ok,
    ).toBe(false);
  });

  it('round-trips the device bearer and refuses anything else', () => {
    const { deviceId, deviceCredential } = load('response_register.json') as {
      deviceId: string;
      deviceCredential: string;
    };
    expect(parseDeviceBearer(formatDeviceBearer(deviceId, deviceCredential))).toEqual({
      deviceId,
      credential: deviceCredential,
    });
    expect(parseDeviceBearer(`Bearer ${deviceId}`)).toBeNull();
    expect(parseDeviceBearer(`Basic ${deviceId}.${deviceCredential}`)).toBeNull();
    expect(parseDeviceBearer(undefined)).toBeNull();
  });

  it('knows which peers may be asked for remote help', () => {
    expect(protocolAtLeast(PROTOCOL_VERSION, REMOTE_HELP_SINCE)).toBe(true);
    expect(protocolAtLeast('1.0', REMOTE_HELP_SINCE)).toBe(false);
    expect(protocolAtLeast('1.12', REMOTE_HELP_SINCE)).toBe(true);
    expect(protocolAtLeast('2.1', REMOTE_HELP_SINCE)).toBe(false);
    expect(protocolAtLeast('x', REMOTE_HELP_SINCE)).toBe(false);
  });

  it('treats equal majors as compatible', () => {
    expect(isCompatibleProtocolVersion(PROTOCOL_VERSION)).toBe(true);
    expect(isCompatibleProtocolVersion(`${PROTOCOL_VERSION.split('.')[0]}.99`)).toBe(true);
    expect(isCompatibleProtocolVersion('99.0')).toBe(false);
    expect(isCompatibleProtocolVersion('1')).toBe(false);
  });
});
