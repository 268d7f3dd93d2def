/**
 * Remote sessions, as `/api/remote-sessions` and its live event streams speak them. Device names
 * and reasons are untrusted text: render them as text only. Dates are ISO-8601 strings.
 */
import type { CommandExitMessage, CommandOutputMessage } from '../agent-protocol/control-messages';
import type { ConsentPolicy, ScreenMode } from '../agent-protocol/enums';
import type { DeviceKind, DeviceOs } from './devices';

export const REMOTE_SESSION_TYPES = ['attended', 'unattended'] as const;
export type RemoteSessionType = (typeof REMOTE_SESSION_TYPES)[number];

/** web → screen + shell, vnc → screen, ssh → shell; rdp is not available yet. */
export const REMOTE_PROTOCOLS = ['web', 'vnc', 'ssh', 'rdp'] as const;
export type RemoteProtocol = (typeof REMOTE_PROTOCOLS)[number];

/** `pending` until the viewer and the agent meet on the relay, then `active`, then `ended`. */
export const REMOTE_SESSION_STATUSES = ['pending', 'active', 'ended'] as const;
export type RemoteSessionStatus = (typeof REMOTE_SESSION_STATUSES)[number];

/**
 * Why a remote session ended. Every end path converges on one transition that records exactly one of
 * these, once.
 */
export const REMOTE_SESSION_END_REASONS = [
  'technician',
  'peer_left',
  'ttl_reached',
  'pair_timeout',
  'agent_gone',
  'quick_support_ended',
  'device_removed',
  'relay_closed',
  'channel_failed',
  /** The technician logged out, or an admin disabled or removed them, changed their role or password. */
  'technician_revoked',
  /** The technician lost reach to the device: grant withdrawn, or quick-support session handed on. */
  'access_withdrawn',
  /** The person at the device ended it there (End now, Ctrl-C). */
  'ended_on_device',
  /** Recording was required and the relay could not save it (close code 4016). */
  'recording_failed',
] as const;
export type RemoteSessionEndReason = (typeof REMOTE_SESSION_END_REASONS)[number];

/** The list's filter: `active` = pending or connected; `recent` = ended in the past 24 hours. */
export const REMOTE_SESSION_FILTERS = ['active', 'recent'] as const;
export type RemoteSessionFilter = (typeof REMOTE_SESSION_FILTERS)[number];

/** `GET /api/remote-sessions` query (the filter defaults to `active`). */
export interface ListRemoteSessionsQuery {
  filter?: RemoteSessionFilter;
}

/** Bounds on the start form (`CreateRemoteSessionDto`). */
export const REMOTE_SESSION_LIMITS = {
  reasonMax: 200,
} as const;

/** Bounds on a command (`RunCommandDto`); the command line is kept whole in its audit row. */
export const COMMAND_LIMITS = {
  commandMax: 4000,
  timeoutMinSec: 1,
  timeoutMaxSec: 3600,
} as const;

/**
 * Where one channel of a session stands, as the technician's viewer shows it:
 * - `opening`: the device was asked to open it;
 * - `asking`: the person at the device is being asked (until `deadline`);
 * - `open`: allowed (for the screen: in `mode`), the viewer may dial it;
 * - `denied`, `timed_out`, `unavailable` (the device could not ask anyone): a no, the technician may ask again;
 * - `revoked`: the person at the device switched it off; the session goes on;
 * - `failed`: the device could not open it (`message` says why).
 */
export const CHANNEL_STATES = [
  'opening',
  'asking',
  'open',
  'denied',
  'timed_out',
  'unavailable',
  'revoked',
  'failed',
] as const;
export type ChannelState = (typeof CHANNEL_STATES)[number];

/** States from which the technician may ask the person at the device again. */
export const ASKABLE_CHANNEL_STATES = [
  'denied',
  'timed_out',
  'unavailable',
  'revoked',
  'failed',
] as const satisfies readonly ChannelState[];

/** Bounds on asking again, so it cannot be used to nag the person at the device. */
export const ASK_AGAIN_LIMITS = {
  /** Seconds between two questions for the same channel. */
  minIntervalSec: 20,
  /** Questions per channel and session, the first included. */
  maxPerChannel: 5,
} as const;

/** One channel's state (`RemoteChannelStateDto`). */
export interface RemoteChannelStateView {
  channel: string;
  state: ChannelState;
  /** The screen's mode while open: the technician's input reaches the device only in `control`. */
  mode: ScreenMode | null;
  /** `asking`: when an unanswered question counts as a no. */
  deadline: string | null;
  /** `failed` (and some refusals): the device's sentence. Untrusted text. */
  message: string | null;
  /** The consent policy the device applied; null until it said (older agents do not ask). */
  policy: ConsentPolicy | null;
  /** How many times the person at the device was asked for this channel in this session. */
  asks: number;
  /** Before this time asking again is refused (`ask_again_too_soon`); null when it is allowed now. */
  askAgainAt: string | null;
  updatedAt: string;
  /**
   * Screen only (agents at protocol 1.3): the device's monitors, when it can show one alone; null
   * otherwise. The viewer offers a choice when there are two or more.
   */
  monitors: ScreenMonitorView[] | null;
  /** Screen only: the monitor shown (an index into `monitors`); null: the whole desktop. */
  monitor: number | null;
}

/** One monitor of the device's desktop, in desktop pixels (reported by the agent: untrusted, bounded). */
export interface ScreenMonitorView {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * `POST /api/remote-sessions/:id/screen/monitor`: show this monitor alone (an index into `monitors`),
 * or null: the whole desktop again.
 */
export interface SelectMonitorRequest {
  monitor: number | null;
}

/** A session with its device and technician names (`RemoteSessionDto`). */
export interface RemoteSessionView {
  id: string;
  deviceId: string;
  /** Reported by the agent (untrusted). */
  deviceName: string;
  deviceOs: DeviceOs;
  kind: DeviceKind;
  /**
   * A quick-support device: the customer's name from its support session (typed by the technician who
   * created it); null for a persistent device or an unnamed customer.
   */
  customerName: string | null;
  /** Who started it; only they can connect. Null when the account was removed. */
  technicianId: string | null;
  /** The technician's display name; null when the account was removed. */
  technician: string | null;
  type: RemoteSessionType;
  protocol: RemoteProtocol;
  /** Written by the technician who started it. */
  reason: string | null;
  /**
   * Whether the relay records the session's screen, shell and commands (`/api/recordings`): the
   * technician's choice under RECORDING_POLICY `optional`, always under `required`, never under `off`.
   */
  recordingEnabled: boolean;
  status: RemoteSessionStatus;
  /** Relay channels: `screen`, `shell`, … */
  channels: string[];
  /** Each channel's state (consent, mode, refusals), in the order of `channels`. */
  channelStates: RemoteChannelStateView[];
  startedAt: string;
  /** When the viewer and the agent first met on the relay. */
  connectedAt: string | null;
  endedAt: string | null;
  endReason: RemoteSessionEndReason | null;
  /** Seconds from start to end (or to the response's time while running). */
  durationSec: number;
}

export interface RemoteSessionListView {
  items: RemoteSessionView[];
}

/** Bounds on the history's query (`RemoteSessionHistoryQueryDto`). */
export const REMOTE_SESSION_HISTORY_LIMITS = {
  limitMax: 100,
  /** Paging stops here: past it, narrow the search (or export). */
  offsetMax: 10_000,
  searchMax: 100,
  /** `total` counts at most this many matches (`totalCapped` says when there are more). */
  countMax: 10_000,
  /** Rows in one CSV export, newest first. */
  exportMax: 50_000,
} as const;

/**
 * `GET /api/remote-sessions/history` and `GET /api/remote-sessions/export.csv`: ended sessions of any
 * age, newest end first. `q` matches (case-insensitive, part of a word) the customer name, the device
 * name, the technician's name, the reason and the end reason; all filters AND.
 */
export interface RemoteSessionHistoryQuery {
  q?: string;
  endReason?: RemoteSessionEndReason;
}

export interface RemoteSessionHistoryPageQuery extends RemoteSessionHistoryQuery {
  limit?: number;
  offset?: number;
}

export interface RemoteSessionHistoryView {
  items: RemoteSessionView[];
  /** Matching sessions, counted up to `REMOTE_SESSION_HISTORY_LIMITS.countMax`. */
  total: number;
  /** More sessions match than `total` says. */
  totalCapped: boolean;
}

/** One tech-side relay token per channel; each is usable once, within minutes. */
export interface RelayChannelTokenView {
  channel: string;
  /** Sent in Sec-WebSocket-Protocol as `bearer.<token>`. */
  token: string;
}

/** What the viewer needs to dial the relay: its URL, the tokens and when they expire. */
export interface RelayAccessView {
  url: string;
  expiresAt: string;
  tokens: RelayChannelTokenView[];
  /**
   * Seconds the shell tab waits for the device's shell to print its first byte before it offers a
   * plain shell (SHELL_START_PATIENCE_SEC).
   */
  shellStartPatienceSec: number;
}

export interface StartedRemoteSessionView {
  session: RemoteSessionView;
  relay: RelayAccessView;
}

/** `POST /api/remote-sessions`. */
export interface StartRemoteSessionRequest {
  deviceId: string;
  type: RemoteSessionType;
  protocol: RemoteProtocol;
  reason?: string;
  recordingEnabled: boolean;
}

/** `POST /api/remote-sessions/:id/commands`. */
export interface RunCommandRequest {
  /** A command line for the device's shell (sh on Linux/macOS, PowerShell on Windows). */
  command: string;
  timeoutSec?: number;
}

export interface CommandStartedView {
  commandId: string;
}

/**
 * `GET …/commands/:commandId/output` (server-sent events): the agent's messages as they came, under
 * their own names — `command_output` chunks, then one `command_exit`.
 */
export type CommandOutputView = CommandOutputMessage;
export type CommandExitView = CommandExitMessage;

/** What `GET /api/remote-sessions/events` (server-sent events) delivers, by event name. */
export type RemoteSessionStreamEvent =
  | { type: 'remote_session.created'; data: RemoteSessionView }
  | { type: 'remote_session.updated'; data: RemoteSessionView };

export const REMOTE_SESSION_EVENT_TYPES = [
  'remote_session.created',
  'remote_session.updated',
] as const satisfies readonly RemoteSessionStreamEvent['type'][];
