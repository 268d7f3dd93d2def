/** The closed sets of values the protocol's fields may take; a value outside its set is refused. */
export const AGENT_OSES = ['windows', 'macos', 'linux'] as const;
export type AgentOs = (typeof AGENT_OSES)[number];
export const AGENT_MODES = ['quick', 'persistent'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];
/** `files` since 1.4 (files-frames.ts), opened only when the technician opens the Files tab. */
export const CHANNEL_KINDS = ['screen', 'shell', 'commands', 'files'] as const;
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
 * 1.2 (consent). How the person at a device is asked before a channel opens: `ask` (a prompt per
 * channel), `notify` (no prompt; the indicator shows who is connected), `silent` (unattended servers).
 * The portal sends the device's policy; the agent applies the stricter of it and its own (agent.json),
 * so the portal alone cannot turn consent off. Quick-support agents always ask.
 */
export const CONSENT_POLICIES = ['ask', 'notify', 'silent'] as const;
export type ConsentPolicy = (typeof CONSENT_POLICIES)[number];
/** 1.2: what happened to the consent of one channel, as the agent reports it (`consent`). */
export const CONSENT_EVENTS = [
  /** A prompt is showing; it times out after `expiresInSec`. */
  'asked',
  /** Allowed (for `screen`: with control of mouse and keyboard). */
  'allowed',
  /** The screen was allowed for viewing only. */
  'allowed_view_only',
  'denied',
  /** Nobody answered in time: a Deny. */
  'timed_out',
  /** No prompt could be shown (no display, no terminal): a Deny. */
  'unavailable',
  /** The policy (`notify`, `silent`) opened the channel without asking. */
  'not_asked',
  /** The person at the device took the channel back; the session goes on. */
  'revoked',
  /** The person at the device switched the screen between control and view-only (`mode`). */
  'mode_changed',
  /** The person at the device ended the session (End now, Ctrl-C, the kill switch). */
  'ended_locally',
] as const;
export type ConsentEvent = (typeof CONSENT_EVENTS)[number];
/** 1.2: whether the technician's mouse and keyboard reach the device's screen. */
export const SCREEN_MODES = ['control', 'view_only'] as const;
export type ScreenMode = (typeof SCREEN_MODES)[number];
/** 1.2: an allow covers this connection only, or the channel for the rest of the session. */
export const CONSENT_SCOPES = ['once', 'session'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

/**
 * 1.3: how the shell channel starts its shell. `login` reads the login profile (`bash -l`, `zsh -l`);
 * `plain` reads no profile or rc file (`bash --noprofile --norc`, `zsh -f`, `sh` without `-l`), for a
 * device whose profile hangs every login shell.
 */
export const SHELL_PROFILES = ['login', 'plain'] as const;
export type ShellProfile = (typeof SHELL_PROFILES)[number];
