import type {
  AgentMode,
  ChannelKind,
  ConsentEvent,
  ConsentPolicy,
  ConsentScope,
  GoodbyeReason,
  OutputStream,
  ProtocolErrorCode,
  ScreenMode,
  ShellProfile,
} from './enums';

/**
 * Control channel messages (JSON text frames). Requests carry `id`; responses carry `replyTo`.
 * control-message-parser.ts reads them from the wire.
 */
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
/**
 * agent → portal (1.2): a consent decision or change for one channel of a session, as it happens on the
 * device. The portal records each in the audit trail and shows it to the technician.
 */
export interface ConsentMessage {
  type: 'consent';
  sessionId: string;
  /** Absent only for `ended_locally` (the whole session). */
  channel?: ChannelKind;
  event: ConsentEvent;
  /** The policy the agent applied (the stricter of the portal's and its own). */
  policy: ConsentPolicy;
  /** The question an `asked` opened and its answer closed (random per question). */
  promptId?: string;
  /** `allowed`, `allowed_view_only`: this connection only, or the rest of the session. */
  scope?: ConsentScope;
  /** `screen` only: the mode an allow opened it in, or the mode it was switched to. */
  mode?: ScreenMode;
  /** `asked`: seconds until the prompt counts as a Deny. */
  expiresInSec?: number;
}
export interface ChannelOpenedMessage extends ChannelRef {
  type: 'channel_opened';
  replyTo: string;
  /**
   * 1.3, screen only: the device's monitors in the order the agent numbers them (at most
   * SCREEN_MONITORS_MAX, limits.ts); absent when the agent cannot tell or cannot share one alone.
   */
  monitors?: ScreenMonitor[];
  /** 1.3, screen only: the monitor this channel shows (an index into `monitors`); absent: all of them. */
  monitor?: number;
}
/** 1.3: one monitor of the device's desktop, in desktop pixels. */
export interface ScreenMonitor {
  x: number;
  y: number;
  width: number;
  height: number;
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
/**
 * agent → portal (1.3): the person at the device answered the technician from the agent's console.
 * The portal answers `ack` (stored and shown to the technician) or `error` (`limit_reached`: too many
 * messages; `not_found`: the session no longer takes messages; `bad_message`: empty or too long).
 */
export interface ChatReplyMessage {
  type: 'chat_reply';
  id: string;
  /** Typed by the person at the device (untrusted); the portal normalises and bounds it. */
  body: string;
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
  /** 1.2: what the consent prompt says (absent from older portals: the agent asks with what it has). */
  consent?: ConsentContext;
  /** 1.3, `shell` channels only: `plain` starts the shell without the login profile (default `login`). */
  shellProfile?: ShellProfile;
  /**
   * 1.3, screen only: share this one monitor (an index into the `monitors` the agent reported);
   * absent: the whole desktop. Sent only to agents at 1.3 or later.
   */
  monitor?: number;
}
/**
 * `close_channel.reason` when the portal closes a channel only to open it again (a viewer reconnecting):
 * the session goes on, so what the channel keeps for a resume (upload partials) is kept.
 */
export const CLOSE_CHANNEL_RECONNECTING = 'reconnecting';

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
  /** 1.2: the remote session the command belongs to (consent to run commands is asked per session). */
  sessionId?: string;
  /** 1.2: what the consent prompt says. */
  consent?: ConsentContext;
}
export interface CancelCommandMessage {
  type: 'cancel_command';
  id: string;
  commandId: string;
}
/**
 * portal → agent (1.2, on `open_channel` and `run_command`): what the person at the device is told when
 * asked. Names come from the portal's records, never from text a technician typed, except `reason`,
 * which the prompt labels as the technician's words.
 */
export interface ConsentContext {
  technician: string;
  /** The organisation (the portal's brand name). */
  organisation: string;
  reason?: string;
  policy: ConsentPolicy;
  /** Unanswered after this long counts as a Deny. */
  timeoutSec: number;
}
/** portal → agent: the support session is over. Quick-support agents remove themselves. */
export interface EndSessionMessage {
  type: 'end_session';
  id: string;
  reason: string;
}
/**
 * portal → agent (1.3): a chat message from the technician, for the agent's console (quick-support).
 * Answered with `ack`. The agent prints it as text with every terminal escape removed.
 */
export interface ChatMessageMessage {
  type: 'chat_message';
  id: string;
  /** The chat message's id (contracts/api/chat.ts). */
  messageId: string;
  /** The technician's display name, from the portal's records. */
  author: string;
  /** The message (normalised by the portal; untrusted all the same). */
  body: string;
  sentAt: string;
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

/** 1.4: what happened on a session's files channel, for the audit trail and the session's timeline. */
export const FILE_ACTIVITY_ACTIONS = ['download', 'upload', 'mkdir', 'rename', 'delete'] as const;
export type FileActivityAction = (typeof FILE_ACTIVITY_ACTIONS)[number];
export const FILE_ACTIVITY_RESULTS = ['ok', 'failed', 'cancelled'] as const;
export type FileActivityResult = (typeof FILE_ACTIVITY_RESULTS)[number];
/**
 * agent → portal (1.4): one finished operation of the files channel (a transfer, whatever its end, or
 * a mkdir/rename/delete). Sent after the fact: the bytes travel viewer ↔ agent through the relay, which
 * the portal does not see. Not answered.
 */
export interface FileActivityMessage {
  type: 'file_activity';
  sessionId: string;
  action: FileActivityAction;
  /** The device path operated on (a download's source, an upload's final path, a rename's old path). */
  path: string;
  /** rename: the new path. */
  to?: string;
  /** Transfers: bytes moved (a download of a folder: the zip's bytes). */
  bytes?: number;
  /** Transfers that completed: the SHA-256 both sides agreed on. */
  sha256?: string;
  /** A folder sent as a zip. */
  zip?: boolean;
  result: FileActivityResult;
  /** failed: the files channel's error code (files-frames.ts). */
  error?: string;
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
  | ConsentMessage
  | ChatReplyMessage
  | FileActivityMessage
  | ErrorMessage;

export type PortalToAgentMessage =
  /** 1.3: the portal's answer to `chat_reply`. */
  | AckMessage
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
  | ChatMessageMessage
  | ErrorMessage;
