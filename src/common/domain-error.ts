/**
 * Stable, documented error codes. Clients may rely on them; the message is for people.
 * Each maps to one HTTP status in {@link ERROR_STATUS}.
 */
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  MalformedJson = 'malformed_json',
  PayloadTooLarge = 'payload_too_large',
  Unauthenticated = 'unauthenticated',
  InvalidCredentials = 'invalid_credentials',
  Forbidden = 'forbidden',
  CrossSiteRequest = 'cross_site_request',
  NotFound = 'not_found',
  Conflict = 'conflict',
  Gone = 'gone',
  RateLimited = 'rate_limited',
  EmailTaken = 'email_taken',
  CannotChangeSelf = 'cannot_change_self',
  LastAdmin = 'last_admin',
  InvalidSignature = 'invalid_signature',
  Unavailable = 'unavailable',
  Unsupported = 'unsupported',
  ProtocolMismatch = 'protocol_mismatch',
  SessionNotWaiting = 'session_not_waiting',
  InstallerTokenUsed = 'installer_token_used',
  InstallerTokenInvalid = 'installer_token_invalid',
  InstallerOsMismatch = 'installer_os_mismatch',
  AgentNotBuilt = 'agent_not_built',
  DeviceOffline = 'device_offline',
  ProtocolUnavailable = 'protocol_unavailable',
  KillSwitchOn = 'kill_switch_on',
  AgentRefused = 'agent_refused',
  // Remote help (src/remote-help): device-side refusals the dashboard explains in words.
  UnsupportedOs = 'unsupported_os',
  NoInteractiveSession = 'no_interactive_session',
  NotAllowed = 'not_allowed',
  QuickAssistNotInstalled = 'quick_assist_not_installed',
  AgentOutdated = 'agent_outdated',
  /** An action that must be audited was not carried out because its audit row could not be written. */
  AuditUnavailable = 'audit_unavailable',
  /** A recorded session's recording could not be written (RECORDING_POLICY/RECORDING_STRICT `required`). */
  RecordingFailed = 'recording_failed',
  // Technician isolation (src/access): another technician's session, or a device not granted.
  NotSessionOwner = 'not_session_owner',
  DeviceAccessDenied = 'device_access_denied',
  ChannelNotAskable = 'channel_not_askable',
  AskAgainTooSoon = 'ask_again_too_soon',
  AskAgainLimit = 'ask_again_limit',
  ConsentRequired = 'consent_required',
  ConsentDenied = 'consent_denied',
  /** The screen cannot show that monitor (the device did not list it, or the screen is not open). */
  MonitorUnavailable = 'monitor_unavailable',
  /** The device's agent is older than protocol 1.4 (FILES_SINCE): it has no files channel. */
  FilesOutdated = 'files_outdated',
  /** The role check on a route (src/access/role.guard.ts): the caller's role may not call it. */
  RoleNotAllowed = 'role_not_allowed',
  // Chat (src/support-chat).
  /** The support session has ended or expired: its chat is read-only. */
  SessionClosed = 'session_closed',
  /** The session holds the most chat messages it may. */
  ChatLimitReached = 'chat_limit_reached',
  /** The customer's link is unknown, ended or expired (alike, so a stranger learns nothing). */
  LinkInactive = 'link_inactive',
  // Recordings (src/recordings).
  /** RECORDING_POLICY is off: a session cannot ask to be recorded. */
  RecordingOff = 'recording_off',
  /** No such recording, or not one of the caller's (alike). */
  RecordingNotFound = 'recording_not_found',
  /** The chunk does not match the manifest's hash (or the manifest its chain): it is not served. */
  RecordingBroken = 'recording_broken',
  Internal = 'internal_error',
}

export const ERROR_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.MalformedJson]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.CrossSiteRequest]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Gone]: 410,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.EmailTaken]: 409,
  [ErrorCode.CannotChangeSelf]: 409,
  [ErrorCode.LastAdmin]: 409,
  [ErrorCode.InvalidSignature]: 401,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Unsupported]: 400,
  [ErrorCode.ProtocolMismatch]: 426,
  [ErrorCode.SessionNotWaiting]: 409,
  [ErrorCode.InstallerTokenUsed]: 409,
  [ErrorCode.InstallerTokenInvalid]: 410,
  [ErrorCode.InstallerOsMismatch]: 409,
  [ErrorCode.AgentNotBuilt]: 503,
  [ErrorCode.DeviceOffline]: 409,
  [ErrorCode.ProtocolUnavailable]: 400,
  [ErrorCode.KillSwitchOn]: 409,
  [ErrorCode.AgentRefused]: 502,
  [ErrorCode.UnsupportedOs]: 400,
  [ErrorCode.NoInteractiveSession]: 409,
  [ErrorCode.NotAllowed]: 403,
  [ErrorCode.QuickAssistNotInstalled]: 409,
  [ErrorCode.AgentOutdated]: 409,
  [ErrorCode.AuditUnavailable]: 503,
  [ErrorCode.RecordingFailed]: 503,
  [ErrorCode.NotSessionOwner]: 403,
  [ErrorCode.DeviceAccessDenied]: 403,
  [ErrorCode.ChannelNotAskable]: 409,
  [ErrorCode.AskAgainTooSoon]: 429,
  [ErrorCode.AskAgainLimit]: 409,
  [ErrorCode.ConsentRequired]: 409,
  [ErrorCode.ConsentDenied]: 403,
  [ErrorCode.MonitorUnavailable]: 409,
  [ErrorCode.FilesOutdated]: 409,
  [ErrorCode.RoleNotAllowed]: 403,
  [ErrorCode.SessionClosed]: 409,
  [ErrorCode.ChatLimitReached]: 409,
  [ErrorCode.LinkInactive]: 404,
  [ErrorCode.RecordingOff]: 400,
  [ErrorCode.RecordingNotFound]: 404,
  [ErrorCode.RecordingBroken]: 409,
  [ErrorCode.Internal]: 500,
};

/**
 * A failure the caller can act on. Services throw these; the global filter turns them into
 * `{ code, message }` with the mapped status. `message` must be safe to show (no secrets, no internals).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
