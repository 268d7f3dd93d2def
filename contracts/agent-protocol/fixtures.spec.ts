import { loadProtocolFixture as load, protocolFixtureFiles } from '../../test/support/protocol-fixtures';
import {
  AGENT_MESSAGE_TYPES,
  PORTAL_MESSAGE_TYPES,
  parseAgentMessage,
  parsePortalMessage,
} from './control-message-parser';
import { parseShellFrame } from './channel-frames';
import type { ParseResult } from './parse-result';
import { parseRegisterRequest, parseRegisterResponse } from './registration';

/** docs/fixtures/: a body for every message of docs/protocol.md, read by the parser of its side. */
const files = protocolFixtureFiles();

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
    open_channel: ['technician', 'consent', 'shellProfile', 'monitor'],
    channel_opened: ['monitors', 'monitor'],
    close_channel: ['channel', 'reason'],
    run_command: ['timeoutSec', 'maxOutputBytes', 'sessionId', 'consent'],
    consent: ['channel', 'promptId', 'scope', 'mode', 'expiresInSec'],
    command_exit: ['signal'],
    channel_closed: ['replyTo'],
    agent_status: ['replyTo'],
    error: ['replyTo'],
    file_activity: ['to', 'bytes', 'sha256', 'zip', 'error'],
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
