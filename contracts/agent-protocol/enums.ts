/** The closed sets of values the protocol's fields may take; a value outside its set is refused. */
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
