import { FieldReader, ProtocolViolation, isPlainObject, readerFor } from './agent-protocol-reader';
import { cleanDisplayText } from './display-text';
import { RELAY_SESSION_ID_PATTERN } from './relay-subject';

/**
 * The agent ↔ portal contract (docs/protocol.md). One module, imported by the agent bundle and by the
 * portal, so both sides parse untrusted messages with the same hand-written validators. Bump
 * {@link PROTOCOL_VERSION} on every change (minor: additive; major: incompatible) and add a fixture per
 * new message in docs/fixtures/.
 *
 * No dependencies beyond the reader: this file is bundled into the agent.
 */
export const PROTOCOL_VERSION = '1.1';
const VERSION_PATTERN = /^(\d{1,3})\.(\d{1,3})$/;

/** The first protocol version with the remote-help (Quick Assist) requests. */
export const REMOTE_HELP_SINCE = '1.1';

/** True when `version` is `since` or a later minor of the same major (what a peer may be asked). */
export function protocolAtLeast(version: string, since: string): boolean {
  const theirs = VERSION_PATTERN.exec(version);
  const wanted = VERSION_PATTERN.exec(since);
  return (
    theirs !== null && wanted !== null && theirs[1] === wanted[1] && Number(theirs[2]) >= Number(wanted[2])
  );
}

/** Peers are compatible when their major versions are equal; minors only add optional things. */
export function isCompatibleProtocolVersion(version: string): boolean {
  const theirs = VERSION_PATTERN.exec(version);
  const ours = VERSION_PATTERN.exec(PROTOCOL_VERSION);
  return theirs !== null && ours !== null && theirs[1] === ours[1];
}

export const AGENT_REGISTER_PATH = '/api/agent/register';
export const AGENT_CONTROL_PATH = '/api/agent/ws';
/** Request header naming the protocol version on the control channel upgrade (checked before the upgrade). */
export const AGENT_PROTOCOL_HEADER = 'x-agent-protocol-version';
/** Largest control-channel frame either side accepts. */
export const CONTROL_MAX_PAYLOAD = 256 * 1024;
/** Longest `data` string in one command_output message. */
export const COMMAND_OUTPUT_CHUNK_CHARS = 16 * 1024;
export const DEFAULT_HEARTBEAT_SEC = 25;
export const DEFAULT_COMMAND_TIMEOUT_SEC = 300;
export const DEFAULT_COMMAND_MAX_OUTPUT_BYTES = 1024 * 1024;

export const AGENT_OSES = ['windows', 'macos', 'linux'] as const;
export type AgentOs = (typeof AGENT_OSES)[number];
export const AGENT_MODES = ['quick', 'persistent'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];
export const CHANNEL_KINDS = ['screen', 'shell', 'commands'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const OUTPUT_STREAMS = ['stdout', 'stderr'] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];
export const GOODBYE_REASONS = [
  'session_ended',
  'user_exit',
  'max_lifetime',
  'uninstall',
  'shutdown',
] as const;
export type GoodbyeReason = (typeof GOODBYE_REASONS)[number];
export const PROTOCOL_ERROR_CODES = [
  'bad_message',
  'unsupported_version',
  'unsupported',
  'kill_switch',
  'consent_denied',
  'not_found',
  'duplicate',
  'limit_reached',
  'channel_failed',
  'unauthorized',
  'internal',
  // 1.1 (remote help): only ever sent in answer to the 1.1 requests, so a 1.0 portal never meets them.
  'no_interactive_session',
  'not_allowed',
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

/**
 * Close codes of the control channel WebSocket (not the relay's: see contracts/relay-close-codes.ts).
 * `reconnect: false` tells the agent not to dial again with the same credential.
 */
export const ControlCloseCode = {
  Normal: 1000,
  PortalShuttingDown: 1001,
  BadMessage: 4400,
  Replaced: 4409,
  DeviceGone: 4410,
  UnsupportedVersion: 4426,
} as const;
export const CONTROL_CLOSE_NO_RECONNECT: readonly number[] = [
  ControlCloseCode.DeviceGone,
  ControlCloseCode.UnsupportedVersion,
];

// ---------------------------------------------------------------------------------------------------
// Field formats
// ---------------------------------------------------------------------------------------------------
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The relay's session ids (contracts/relay-subject.ts, pure: no jose in the agent). */
export const SESSION_ID_PATTERN = RELAY_SESSION_ID_PATTERN;
export const DEVICE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const DEVICE_CREDENTIAL_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;
export const INSTALLER_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;
export const RELAY_TOKEN_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const RELAY_TOKEN_MAX = 1024;
const WS_URL_PATTERN = /^wss?:\/\/[^\s"'`<>\\]{1,2040}$/;
const AGENT_VERSION_PATTERN = /^[0-9A-Za-z.+-]{1,32}$/;
const ARCH_PATTERN = /^[a-z0-9_]{1,16}$/;
const CAPABILITY_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const SIGNAL_PATTERN = /^SIG[A-Z0-9]{1,12}$/;
/** A program version as Windows reports it (`2.0.35.0`, `10.0.19041.1`). */
const APP_VERSION_PATTERN = /^[0-9A-Za-z.+-]{1,32}$/;
/** A winget package id (`9P7BP5VNWKX5`, `Microsoft.Edge`). */
export const WINGET_PACKAGE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,127}$/;
/**
 * Longest program name a remote-help request may carry. The field is deliberately a loose display
 * string: the agent's own allow-list (agent/src/remote-help/launch-allow-list.ts) is what decides, so
 * anything else is refused there with `not_allowed`, not by the parser.
 */
export const REMOTEHELP_EXECUTABLE_MAX = 260;
const PROCESS_ID = { min: 1, max: 4294967295 };

const ID = { max: 64, pattern: MESSAGE_ID_PATTERN };
const SESSION_ID = { max: 64, pattern: SESSION_ID_PATTERN };
const REASON = { max: 200 };
const MESSAGE = { max: 500 };
const EXECUTABLE = { max: REMOTEHELP_EXECUTABLE_MAX };

// ---------------------------------------------------------------------------------------------------
// Registration (HTTP): POST /api/agent/register
// ---------------------------------------------------------------------------------------------------
export interface RegisterRequest {
  installerToken: string;
  hostname: string;
  os: AgentOs;
  osVersion: string;
  arch: string;
  agentVersion: string;
  protocolVersion: string;
}

export interface RegisterResponse {
  deviceId: string;
  deviceCredential: string;
  /** `ws(s)://…/api/agent/ws` the agent dials with its credential. */
  controlUrl: string;
}

export const REGISTER_LIMITS = { hostname: 255, osVersion: 100 } as const;

export function parseRegisterRequest(raw: unknown): ParseResult<RegisterRequest> {
  return attempt(() => {
    const r = readerFor(decode(raw), 'register');
    return {
      installerToken: r.string('installerToken', { max: 128, pattern: INSTALLER_TOKEN_PATTERN }),
      hostname: r.string('hostname', { max: REGISTER_LIMITS.hostname }),
      os: r.oneOf('os', AGENT_OSES),
      osVersion: r.string('osVersion', { max: REGISTER_LIMITS.osVersion }),
      arch: r.string('arch', { max: 16, pattern: ARCH_PATTERN }),
      agentVersion: r.string('agentVersion', { max: 32, pattern: AGENT_VERSION_PATTERN }),
      protocolVersion: r.string('protocolVersion', { max: 7, pattern: VERSION_PATTERN }),
    };
  });
}

export function parseRegisterResponse(raw: unknown): ParseResult<RegisterResponse> {
  return attempt(() => {
    const r = readerFor(decode(raw), 'register_response');
    return {
      deviceId: r.string('deviceId', { max: 36, pattern: DEVICE_ID_PATTERN }),
      deviceCredential: r.string('deviceCredential', { max: 128, pattern: DEVICE_CREDENTIAL_PATTERN }),
      controlUrl: r.string('controlUrl', { max: 2048, pattern: WS_URL_PATTERN }),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Control channel authentication: `Authorization: Bearer <deviceId>.<deviceCredential>`
// ---------------------------------------------------------------------------------------------------
export interface DeviceBearer {
  deviceId: string;
  credential: string;
}

export function formatDeviceBearer(deviceId: string, credential: string): string {
  return `Bearer ${deviceId}.${credential}`;
}

/** The device id and credential from an Authorization header, or null when it is not that shape. */
export function parseDeviceBearer(header: string | undefined): DeviceBearer | null {
  if (typeof header !== 'string' || header.length > 200) return null;
  const match = /^Bearer ([0-9a-f-]{36})\.([A-Za-z0-9_-]{32,128})$/.exec(header);
  if (!match || !DEVICE_ID_PATTERN.test(match[1])) return null;
  return { deviceId: match[1], credential: match[2] };
}

// ---------------------------------------------------------------------------------------------------
// Control channel messages (JSON text frames). Requests carry `id`; responses carry `replyTo`.
// ---------------------------------------------------------------------------------------------------
export interface ChannelRef {
  sessionId: string;
  channel: ChannelKind;
}

/** agent → portal, first frame after the upgrade. */
export interface HelloMessage {
  type: 'hello';
  id: string;
  protocolVersion: string;
  agentVersion: string;
  mode: AgentMode;
  capabilities: string[];
  killSwitch: boolean;
}
/** agent → portal, every heartbeatSec. */
export interface HeartbeatMessage {
  type: 'heartbeat';
  id: string;
  uptimeSec: number;
}
export interface ChannelOpenedMessage extends ChannelRef {
  type: 'channel_opened';
  replyTo: string;
}
/** Sent whenever a channel ends (close_channel itself is answered with ack). */
export interface ChannelClosedMessage extends ChannelRef {
  type: 'channel_closed';
  replyTo?: string;
  closeCode: number;
  reason: string;
}
export interface CommandStartedMessage {
  type: 'command_started';
  replyTo: string;
  commandId: string;
}
export interface CommandOutputMessage {
  type: 'command_output';
  commandId: string;
  stream: OutputStream;
  seq: number;
  data: string;
}
export interface CommandExitMessage {
  type: 'command_exit';
  commandId: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  truncated: boolean;
  durationMs: number;
}
export interface AgentStatusMessage {
  type: 'agent_status';
  replyTo?: string;
  killSwitch: boolean;
  channels: ChannelRef[];
  commandsRunning: number;
  uptimeSec: number;
}
export interface AckMessage {
  type: 'ack';
  replyTo: string;
}
/**
 * agent → portal, answers `remotehelp_status`: is Microsoft Quick Assist ready on this device? Off
 * Windows every field says "not available" (false / null). Field names as fixed by the design.
 */
export interface RemoteHelpStateMessage {
  type: 'remotehelp_state';
  replyTo: string;
  installed: boolean;
  /** The installed Quick Assist's version, null when not installed or unknown. */
  version: string | null;
  /** The device reaches Quick Assist's Microsoft service. */
  internet_ok: boolean;
  /** Someone is logged in on a desktop the agent can open Quick Assist on. */
  interactive_session: boolean;
}
/** agent → portal, answers `remotehelp_start`. */
export interface RemoteHelpStartedMessage {
  type: 'remotehelp_started';
  replyTo: string;
  /** False when Quick Assist was already open on that desktop (then `pid` is the running one). */
  launched: boolean;
  /** Quick Assist's process once it appeared, null when it had not appeared yet. */
  pid: number | null;
  /** The human steps that follow (sign-in, 6-digit code, Allow), for the technician. */
  note: string;
}
/** agent → portal, answers `remotehelp_stop`. */
export interface RemoteHelpStoppedMessage {
  type: 'remotehelp_stopped';
  replyTo: string;
  /** True when a running Quick Assist was ended; false when none was running. */
  stopped: boolean;
}
/** agent → portal, answers `winget_install`: winget was started on the user's desktop. */
export interface WingetInstallStartedMessage {
  type: 'winget_install_started';
  replyTo: string;
  packageId: string;
  pid: number | null;
  note: string;
}
/** agent → portal: the agent is going away for good (quick-support) or stopping (persistent). */
export interface GoodbyeMessage {
  type: 'goodbye';
  reason: GoodbyeReason;
}
export interface ErrorMessage {
  type: 'error';
  replyTo?: string;
  code: ProtocolErrorCode;
  message: string;
}

export interface HelloAckMessage {
  type: 'hello_ack';
  replyTo: string;
  protocolVersion: string;
  heartbeatSec: number;
  serverTime: string;
}
export interface HeartbeatAckMessage {
  type: 'heartbeat_ack';
  replyTo: string;
}
export interface OpenChannelMessage extends ChannelRef {
  type: 'open_channel';
  id: string;
  /** The relay's base URL (`ws(s)://host[/prefix]`); the agent dials `<relayUrl>/ws?sid&ch&role=agent`. */
  relayUrl: string;
  /** The agent-side relay token, sent as `Authorization: Bearer <token>`. Never logged. */
  token: string;
  /** Display name of the technician, for the customer's status line. */
  technician?: string;
}
export interface CloseChannelMessage {
  type: 'close_channel';
  id: string;
  sessionId: string;
  /** Omitted: every channel of the session. */
  channel?: ChannelKind;
  reason?: string;
}
export interface RunCommandMessage {
  type: 'run_command';
  id: string;
  commandId: string;
  command: string;
  timeoutSec?: number;
  maxOutputBytes?: number;
}
export interface CancelCommandMessage {
  type: 'cancel_command';
  id: string;
  commandId: string;
}
/** portal → agent: the support session is over. Quick-support agents remove themselves. */
export interface EndSessionMessage {
  type: 'end_session';
  id: string;
  reason: string;
}
export interface GetStatusMessage {
  type: 'get_status';
  id: string;
}
/** portal → agent (1.1): read-only readiness of Quick Assist; answered even with the kill switch on. */
export interface RemoteHelpStatusMessage {
  type: 'remotehelp_status';
  id: string;
}
/** portal → agent (1.1): open an allow-listed remote-help program on the interactive user's desktop. */
export interface RemoteHelpStartMessage {
  type: 'remotehelp_start';
  id: string;
  /** A name on the agent's launch allow-list (`quickassist.exe`); anything else is refused. */
  executable: string;
}
/** portal → agent (1.1): end the allow-listed program on the interactive user's desktop. */
export interface RemoteHelpStopMessage {
  type: 'remotehelp_stop';
  id: string;
  executable: string;
}
/** portal → agent (1.1): install a package on the agent's package allow-list with winget, as the desktop's user. */
export interface WingetInstallMessage {
  type: 'winget_install';
  id: string;
  packageId: string;
}

export type AgentToPortalMessage =
  | HelloMessage
  | HeartbeatMessage
  | ChannelOpenedMessage
  | ChannelClosedMessage
  | CommandStartedMessage
  | CommandOutputMessage
  | CommandExitMessage
  | AgentStatusMessage
  | AckMessage
  | GoodbyeMessage
  | RemoteHelpStateMessage
  | RemoteHelpStartedMessage
  | RemoteHelpStoppedMessage
  | WingetInstallStartedMessage
  | ErrorMessage;

export type PortalToAgentMessage =
  | HelloAckMessage
  | HeartbeatAckMessage
  | OpenChannelMessage
  | CloseChannelMessage
  | RunCommandMessage
  | CancelCommandMessage
  | EndSessionMessage
  | GetStatusMessage
  | RemoteHelpStatusMessage
  | RemoteHelpStartMessage
  | RemoteHelpStopMessage
  | WingetInstallMessage
  | ErrorMessage;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

function attempt<T>(read: () => T): ParseResult<T> {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    if (err instanceof ProtocolViolation) return { ok: false, error: err.message };
    throw err;
  }
}

function decode(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.length > CONTROL_MAX_PAYLOAD) throw new ProtocolViolation('message is too large');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ProtocolViolation('message is not valid JSON');
  }
}

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
  channel_opened: (r) => ({ type: 'channel_opened', replyTo: r.string('replyTo', ID), ...channelRef(r) }),
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
  error: readError,
};

const PORTAL_READERS: Readers<PortalToAgentMessage> = {
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
    const raw = r.optionalString('technician', { max: 100, text: 'raw' });
    const technician = raw === undefined ? undefined : cleanDisplayText(raw) || undefined;
    const message: OpenChannelMessage = {
      type: 'open_channel',
      id: r.string('id', ID),
      ...channelRef(r),
      relayUrl: r.string('relayUrl', { max: 2048, pattern: WS_URL_PATTERN }),
      token: r.string('token', { max: RELAY_TOKEN_MAX, pattern: RELAY_TOKEN_PATTERN }),
    };
    return technician === undefined ? message : { ...message, technician };
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
    return {
      ...message,
      ...(timeoutSec !== undefined && { timeoutSec }),
      ...(maxOutputBytes !== undefined && { maxOutputBytes }),
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

// ---------------------------------------------------------------------------------------------------
// Relay channel framing (docs/protocol.md § Channels). Binary frames carry the channel's bytes; text
// frames carry the small JSON control messages below.
// ---------------------------------------------------------------------------------------------------
/** viewer → agent on a `shell` channel: the terminal's new size, applied with `stty -F <pty>`. */
export interface ShellResizeFrame {
  type: 'resize';
  cols: number;
  rows: number;
}
/** agent → viewer on a `shell` channel: the shell ended (the agent then closes with 1000). */
export interface ShellExitFrame {
  type: 'exit';
  exitCode: number | null;
}
export type ShellFrame = ShellResizeFrame | ShellExitFrame;

export const SHELL_MAX_COLS = 1000;
export const SHELL_MAX_ROWS = 500;

export function parseShellFrame(raw: unknown): ParseResult<ShellFrame> {
  return attempt(() => {
    const value = decode(raw);
    const r = readerFor(value, 'shell');
    const type = r.oneOf('type', ['resize', 'exit'] as const);
    if (type === 'exit')
      return { type, exitCode: r.nullableInt('exitCode', { min: -2147483648, max: 4294967295 }) };
    return {
      type,
      cols: r.int('cols', { min: 1, max: SHELL_MAX_COLS }),
      rows: r.int('rows', { min: 1, max: SHELL_MAX_ROWS }),
    };
  });
}
