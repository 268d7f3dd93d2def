import { cleanDisplayText } from '../display-text';
import { FILE_ACTIVITY_ACTIONS, FILE_ACTIVITY_RESULTS, type FileActivityMessage } from './control-messages';
import type {
  AgentToPortalMessage,
  ChannelRef,
  CloseChannelMessage,
  ConsentContext,
  ConsentMessage,
  ErrorMessage,
  OpenChannelMessage,
  PortalToAgentMessage,
  ScreenMonitor,
  RunCommandMessage,
} from './control-messages';
import {
  AGENT_MODES,
  CHANNEL_KINDS,
  CONSENT_EVENTS,
  CONSENT_POLICIES,
  CONSENT_SCOPES,
  GOODBYE_REASONS,
  OUTPUT_STREAMS,
  PROTOCOL_ERROR_CODES,
  SCREEN_MODES,
  SHELL_PROFILES,
} from './enums';
import {
  AGENT_VERSION_PATTERN,
  APP_VERSION_PATTERN,
  CAPABILITY_PATTERN,
  ISO_TIME_PATTERN,
  MESSAGE_ID_PATTERN,
  RELAY_TOKEN_MAX,
  RELAY_TOKEN_PATTERN,
  REMOTEHELP_EXECUTABLE_MAX,
  SESSION_ID_PATTERN,
  SIGNAL_PATTERN,
  WINGET_PACKAGE_PATTERN,
  WS_URL_PATTERN,
} from './field-formats';
import { FieldReader, ProtocolViolation, isPlainObject, readerFor } from './field-reader';
import { FILES_ERROR_CODES, FILES_LIMITS } from './files-frames';
import { COMMAND_OUTPUT_CHUNK_CHARS, CONTROL_MAX_PAYLOAD, SCREEN_MONITORS_MAX } from './limits';
import { attempt, decode, type ParseResult } from './parse-result';
import { VERSION_PATTERN } from './version';

/**
 * The control channel's validators: every frame either side receives is read field by field into the
 * shapes of control-messages.ts, and nothing unchecked is passed on.
 */
const PROCESS_ID = { min: 1, max: 4294967295 };

const ID = { max: 64, pattern: MESSAGE_ID_PATTERN };
const SESSION_ID = { max: 64, pattern: SESSION_ID_PATTERN };
const REASON = { max: 200 };
const MESSAGE = { max: 500 };
const EXECUTABLE = { max: REMOTEHELP_EXECUTABLE_MAX };
/** A chat message on the wire: the portal's bound (1000 characters) with room for what normalising removes. */
const CHAT_WIRE_MAX = 4000;

/** The `id` of a request that failed validation, if it has a usable one (so the error can reply to it). */
export function requestIdOf(raw: unknown): string | undefined {
  const value = typeof raw === 'string' ? safeJson(raw) : raw;
  if (!isPlainObject(value)) return undefined;
  const id = value['id'];
  return typeof id === 'string' && MESSAGE_ID_PATTERN.test(id) ? id : undefined;
}

function safeJson(raw: string): unknown {
  if (raw.length > CONTROL_MAX_PAYLOAD) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function channelRef(r: FieldReader): ChannelRef {
  return { sessionId: r.string('sessionId', SESSION_ID), channel: r.oneOf('channel', CHANNEL_KINDS) };
}

function withReplyTo<T extends object>(r: FieldReader, message: T): T & { replyTo?: string } {
  const replyTo = r.optionalString('replyTo', ID);
  return replyTo === undefined ? message : { ...message, replyTo };
}

function readError(r: FieldReader): ErrorMessage {
  return withReplyTo(r, {
    type: 'error' as const,
    code: r.oneOf('code', PROTOCOL_ERROR_CODES),
    message: r.string('message', MESSAGE),
  });
}

/** One printable line for the person at the device: cleaned (never refused), then bounded. */
function displayLine(r: FieldReader, name: string, max: number): string | undefined {
  const raw = r.optionalString(name, { max, text: 'raw' });
  return raw === undefined ? undefined : cleanDisplayText(raw) || undefined;
}

/** 1.2: what the consent prompt says; names as for `technician` below. */
function readConsentContext(r: FieldReader): ConsentContext | undefined {
  if (!r.has('consent')) return undefined;
  const c = r.object('consent');
  const reason = displayLine(c, 'reason', 200);
  return {
    technician: displayLine(c, 'technician', 100) ?? 'A technician',
    organisation: displayLine(c, 'organisation', 100) ?? 'Remote support',
    ...(reason !== undefined && { reason }),
    policy: c.oneOf('policy', CONSENT_POLICIES),
    timeoutSec: c.int('timeoutSec', { min: 5, max: 600 }),
  };
}

function readConsent(r: FieldReader): ConsentMessage {
  const event = r.oneOf('event', CONSENT_EVENTS);
  const channel =
    event === 'ended_locally' ? r.optionalOneOf('channel', CHANNEL_KINDS) : r.oneOf('channel', CHANNEL_KINDS);
  const promptId = r.optionalString('promptId', ID);
  const scope = r.optionalOneOf('scope', CONSENT_SCOPES);
  const mode = r.optionalOneOf('mode', SCREEN_MODES);
  const expiresInSec = r.optionalInt('expiresInSec', { min: 0, max: 600 });
  if (event === 'mode_changed' && mode === undefined) throw new ProtocolViolation('message.mode is missing');
  return {
    type: 'consent',
    sessionId: r.string('sessionId', SESSION_ID),
    ...(channel !== undefined && { channel }),
    event,
    policy: r.oneOf('policy', CONSENT_POLICIES),
    ...(promptId !== undefined && { promptId }),
    ...(scope !== undefined && { scope }),
    ...(mode !== undefined && { mode }),
    ...(expiresInSec !== undefined && { expiresInSec }),
  };
}

/** 1.3: a monitor index (screen channels only). */
const MONITOR_INDEX = { min: 0, max: SCREEN_MONITORS_MAX - 1 };
/** Desktop coordinates and sizes as X11 bounds them (16-bit). */
const COORD = { min: -32768, max: 32767 };
const SIZE = { min: 1, max: 32767 };

function readMonitor(v: unknown, where: string): ScreenMonitor {
  const m = readerFor(v, where);
  return {
    x: m.int('x', COORD),
    y: m.int('y', COORD),
    width: m.int('width', SIZE),
    height: m.int('height', SIZE),
  };
}

/** 1.3: `monitors` and `monitor` on a screen `channel_opened` (refused on other channels). */
function readChannelOpened(r: FieldReader): Extract<AgentToPortalMessage, { type: 'channel_opened' }> {
  const ref = channelRef(r);
  const monitors = r.has('monitors') ? r.array('monitors', SCREEN_MONITORS_MAX, readMonitor) : undefined;
  const monitor = r.optionalInt('monitor', MONITOR_INDEX);
  if (ref.channel !== 'screen' && (monitors !== undefined || monitor !== undefined))
    throw new ProtocolViolation('message.monitors is only for the screen channel');
  if (monitor !== undefined && (monitors === undefined || monitor >= monitors.length))
    throw new ProtocolViolation('message.monitor is not one of message.monitors');
  return {
    type: 'channel_opened',
    replyTo: r.string('replyTo', ID),
    ...ref,
    ...(monitors !== undefined && { monitors }),
    ...(monitor !== undefined && { monitor }),
  };
}

type Readers<M extends { type: string }> = { [K in M['type']]: (r: FieldReader) => Extract<M, { type: K }> };

const AGENT_READERS: Readers<AgentToPortalMessage> = {
  hello: (r) => ({
    type: 'hello',
    id: r.string('id', ID),
    protocolVersion: r.string('protocolVersion', { max: 7, pattern: VERSION_PATTERN }),
    agentVersion: r.string('agentVersion', { max: 32, pattern: AGENT_VERSION_PATTERN }),
    mode: r.oneOf('mode', AGENT_MODES),
    capabilities: r.array('capabilities', 16, (v, where) => {
      if (typeof v !== 'string' || !CAPABILITY_PATTERN.test(v))
        throw new ProtocolViolation(`${where} is not a capability name`);
      return v;
    }),
    killSwitch: r.boolean('killSwitch'),
  }),
  heartbeat: (r) => ({
    type: 'heartbeat',
    id: r.string('id', ID),
    uptimeSec: r.int('uptimeSec', { min: 0, max: 10 * 365 * 86400 }),
  }),
  channel_opened: readChannelOpened,
  channel_closed: (r) =>
    withReplyTo(r, {
      type: 'channel_closed' as const,
      ...channelRef(r),
      closeCode: r.int('closeCode', { min: 1000, max: 4999 }),
      reason: r.string('reason', { ...REASON, min: 0 }),
    }),
  command_started: (r) => ({
    type: 'command_started',
    replyTo: r.string('replyTo', ID),
    commandId: r.string('commandId', ID),
  }),
  command_output: (r) => ({
    type: 'command_output',
    commandId: r.string('commandId', ID),
    stream: r.oneOf('stream', OUTPUT_STREAMS),
    seq: r.int('seq', { min: 0, max: 1_000_000_000 }),
    data: r.string('data', { max: COMMAND_OUTPUT_CHUNK_CHARS, text: 'raw' }),
  }),
  command_exit: (r) => ({
    type: 'command_exit',
    commandId: r.string('commandId', ID),
    exitCode: r.nullableInt('exitCode', { min: -2147483648, max: 4294967295 }),
    signal: r.has('signal') ? r.string('signal', { max: 16, pattern: SIGNAL_PATTERN }) : null,
    timedOut: r.boolean('timedOut'),
    cancelled: r.boolean('cancelled'),
    truncated: r.boolean('truncated'),
    durationMs: r.int('durationMs', { min: 0, max: 7 * 86400 * 1000 }),
  }),
  agent_status: (r) =>
    withReplyTo(r, {
      type: 'agent_status' as const,
      killSwitch: r.boolean('killSwitch'),
      channels: r.array('channels', 32, (v, where) => channelRef(readerFor(v, where))),
      commandsRunning: r.int('commandsRunning', { min: 0, max: 1000 }),
      uptimeSec: r.int('uptimeSec', { min: 0, max: 10 * 365 * 86400 }),
    }),
  ack: (r) => ({ type: 'ack', replyTo: r.string('replyTo', ID) }),
  goodbye: (r) => ({ type: 'goodbye', reason: r.oneOf('reason', GOODBYE_REASONS) }),
  remotehelp_state: (r) => ({
    type: 'remotehelp_state',
    replyTo: r.string('replyTo', ID),
    installed: r.boolean('installed'),
    version: r.nullableString('version', { max: 32, pattern: APP_VERSION_PATTERN }),
    internet_ok: r.boolean('internet_ok'),
    interactive_session: r.boolean('interactive_session'),
  }),
  remotehelp_started: (r) => ({
    type: 'remotehelp_started',
    replyTo: r.string('replyTo', ID),
    launched: r.boolean('launched'),
    pid: r.nullableInt('pid', PROCESS_ID),
    note: r.string('note', MESSAGE),
  }),
  remotehelp_stopped: (r) => ({
    type: 'remotehelp_stopped',
    replyTo: r.string('replyTo', ID),
    stopped: r.boolean('stopped'),
  }),
  winget_install_started: (r) => ({
    type: 'winget_install_started',
    replyTo: r.string('replyTo', ID),
    packageId: r.string('packageId', { max: 128, pattern: WINGET_PACKAGE_PATTERN }),
    pid: r.nullableInt('pid', PROCESS_ID),
    note: r.string('note', MESSAGE),
  }),
  consent: readConsent,
  // The portal normalises the text (contracts/api/chat.ts); here only a loose bound.
  chat_reply: (r) => ({
    type: 'chat_reply',
    id: r.string('id', ID),
    body: r.string('body', { max: CHAT_WIRE_MAX, text: 'raw' }),
  }),
  file_activity: (r) => {
    const message: FileActivityMessage = {
      type: 'file_activity',
      sessionId: r.string('sessionId', SESSION_ID),
      action: r.oneOf('action', FILE_ACTIVITY_ACTIONS),
      path: r.string('path', { max: FILES_LIMITS.maxPathChars, text: 'raw' }),
      result: r.oneOf('result', FILE_ACTIVITY_RESULTS),
    };
    const to = r.optionalString('to', { max: FILES_LIMITS.maxPathChars, text: 'raw' });
    const bytes = r.optionalInt('bytes', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const sha256 = r.optionalString('sha256', { max: 64, pattern: /^[0-9a-f]{64}$/ });
    const zip = r.has('zip') ? r.boolean('zip') : undefined;
    const error = r.optionalOneOf('error', FILES_ERROR_CODES);
    return {
      ...message,
      ...(to !== undefined && { to }),
      ...(bytes !== undefined && { bytes }),
      ...(sha256 !== undefined && { sha256 }),
      ...(zip !== undefined && { zip }),
      ...(error !== undefined && { error }),
    };
  },
  error: readError,
};

const PORTAL_READERS: Readers<PortalToAgentMessage> = {
  ack: (r) => ({ type: 'ack', replyTo: r.string('replyTo', ID) }),
  hello_ack: (r) => ({
    type: 'hello_ack',
    replyTo: r.string('replyTo', ID),
    protocolVersion: r.string('protocolVersion', { max: 7, pattern: VERSION_PATTERN }),
    heartbeatSec: r.int('heartbeatSec', { min: 5, max: 300 }),
    serverTime: r.string('serverTime', { max: 32, pattern: ISO_TIME_PATTERN }),
  }),
  heartbeat_ack: (r) => ({ type: 'heartbeat_ack', replyTo: r.string('replyTo', ID) }),
  open_channel: (r) => {
    // Only shown to the person at the device: a name stored before the portal checked names may hold
    // control or bidi characters, so it is cleaned here rather than refusing the technician's session.
    const technician = displayLine(r, 'technician', 100);
    const consent = readConsentContext(r);
    const shellProfile = r.optionalOneOf('shellProfile', SHELL_PROFILES);
    const monitor = r.optionalInt('monitor', MONITOR_INDEX);
    const message: OpenChannelMessage = {
      type: 'open_channel',
      id: r.string('id', ID),
      ...channelRef(r),
      relayUrl: r.string('relayUrl', { max: 2048, pattern: WS_URL_PATTERN }),
      token: r.string('token', { max: RELAY_TOKEN_MAX, pattern: RELAY_TOKEN_PATTERN }),
    };
    if (monitor !== undefined && message.channel !== 'screen')
      throw new ProtocolViolation('message.monitor is only for the screen channel');
    return {
      ...message,
      ...(technician !== undefined && { technician }),
      ...(consent && { consent }),
      ...(shellProfile && { shellProfile }),
      ...(monitor !== undefined && { monitor }),
    };
  },
  close_channel: (r) => {
    const message: CloseChannelMessage = {
      type: 'close_channel',
      id: r.string('id', ID),
      sessionId: r.string('sessionId', SESSION_ID),
    };
    const channel = r.optionalOneOf('channel', CHANNEL_KINDS);
    const reason = r.optionalString('reason', REASON);
    return { ...message, ...(channel && { channel }), ...(reason !== undefined && { reason }) };
  },
  run_command: (r) => {
    const message: RunCommandMessage = {
      type: 'run_command',
      id: r.string('id', ID),
      commandId: r.string('commandId', ID),
      command: r.string('command', { max: 8192, text: 'multiline' }),
    };
    const timeoutSec = r.optionalInt('timeoutSec', { min: 1, max: 86400 });
    const maxOutputBytes = r.optionalInt('maxOutputBytes', { min: 1, max: 16 * 1024 * 1024 });
    const sessionId = r.optionalString('sessionId', SESSION_ID);
    const consent = readConsentContext(r);
    return {
      ...message,
      ...(timeoutSec !== undefined && { timeoutSec }),
      ...(maxOutputBytes !== undefined && { maxOutputBytes }),
      ...(sessionId !== undefined && { sessionId }),
      ...(consent && { consent }),
    };
  },
  cancel_command: (r) => ({
    type: 'cancel_command',
    id: r.string('id', ID),
    commandId: r.string('commandId', ID),
  }),
  end_session: (r) => ({ type: 'end_session', id: r.string('id', ID), reason: r.string('reason', REASON) }),
  get_status: (r) => ({ type: 'get_status', id: r.string('id', ID) }),
  remotehelp_status: (r) => ({ type: 'remotehelp_status', id: r.string('id', ID) }),
  remotehelp_start: (r) => ({
    type: 'remotehelp_start',
    id: r.string('id', ID),
    executable: r.string('executable', EXECUTABLE),
  }),
  remotehelp_stop: (r) => ({
    type: 'remotehelp_stop',
    id: r.string('id', ID),
    executable: r.string('executable', EXECUTABLE),
  }),
  // A loose bound only: the agent's package allow-list decides (not_allowed), like the executable above.
  winget_install: (r) => ({
    type: 'winget_install',
    id: r.string('id', ID),
    packageId: r.string('packageId', { max: 128 }),
  }),
  chat_message: (r) => ({
    type: 'chat_message',
    id: r.string('id', ID),
    messageId: r.string('messageId', SESSION_ID),
    // Cleaned rather than refused, like `technician` on open_channel.
    author: cleanDisplayText(r.string('author', { max: 100, text: 'raw' })) || 'Your technician',
    body: r.string('body', { max: CHAT_WIRE_MAX, text: 'multiline' }),
    sentAt: r.string('sentAt', { max: 32, pattern: ISO_TIME_PATTERN }),
  }),
  error: readError,
};

function parseWith<M extends { type: string }>(
  raw: unknown,
  readers: Readers<M>,
  side: string,
): ParseResult<M> {
  return attempt(() => {
    const r = readerFor(decode(raw), 'message');
    const type = r.string('type', { max: 32, pattern: /^[a-z_]{1,32}$/ });
    if (!Object.prototype.hasOwnProperty.call(readers, type)) {
      throw new ProtocolViolation(`message.type "${type}" is not a ${side} message`);
    }
    return (readers as Record<string, (r: FieldReader) => M>)[type](r);
  });
}

/** Parse a frame the portal received from an agent (a JSON string or an already decoded value). */
export function parseAgentMessage(raw: unknown): ParseResult<AgentToPortalMessage> {
  return parseWith(raw, AGENT_READERS, 'agent');
}

/** Parse a frame the agent received from the portal (or, on a `commands` relay channel, from a viewer). */
export function parsePortalMessage(raw: unknown): ParseResult<PortalToAgentMessage> {
  return parseWith(raw, PORTAL_READERS, 'portal');
}

export const AGENT_MESSAGE_TYPES = Object.keys(AGENT_READERS) as AgentToPortalMessage['type'][];
export const PORTAL_MESSAGE_TYPES = Object.keys(PORTAL_READERS) as PortalToAgentMessage['type'][];
