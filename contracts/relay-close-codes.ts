/**
 * Close codes used on relay connections, shared by the relay, the agent and the viewer.
 *
 * - 1000–1015: standard WebSocket codes (RFC 6455).
 * - 4000–4099: decided by the relay. Codes marked `handshake` are refused before the upgrade: the client
 *   sees an HTTP error (status in `httpStatus`) whose `X-Relay-Close-Code` header and JSON body carry the
 *   code, so non-browser clients can show the same sentence. Browsers only see a failed connection (1006).
 * - 4100–4199: decided by an endpoint (agent or viewer). The relay forwards them unchanged to the other
 *   side, so the agent can tell the viewer, for example, that no VNC server is running.
 * The table is documented in docs/relay.md; numbers never change meaning once published.
 */
export const RelayCloseCode = {
  Normal: 1000,
  ShuttingDown: 1001,
  ConnectionLost: 1006,
  MessageTooBig: 1009,
  InternalError: 1011,
  BadRequest: 4000,
  InvalidToken: 4001,
  TokenExpired: 4002,
  TokenNotYetValid: 4003,
  TokenMismatch: 4004,
  TokenReused: 4005,
  OriginNotAllowed: 4006,
  RateLimited: 4007,
  RelayFull: 4008,
  SessionEnded: 4009,
  DuplicateSide: 4010,
  PairTimeout: 4011,
  SessionTtl: 4012,
  PeerLeft: 4013,
  PeerUnresponsive: 4014,
  ClosedByPortal: 4015,
  RecordingFailed: 4016,
  EndedByTechnician: 4100,
  EndedOnDevice: 4101,
  NoVncServer: 4102,
  VncConnectFailed: 4103,
  ShellUnavailable: 4104,
  ChannelUnsupported: 4105,
  InputRefused: 4106,
} as const;

export type RelayCloseCodeName = keyof typeof RelayCloseCode;
export type RelayCloseCodeValue = (typeof RelayCloseCode)[RelayCloseCodeName];

export interface RelayCloseCodeInfo {
  readonly code: number;
  /** Stable snake_case name used in logs, events and HTTP error bodies. */
  readonly name: string;
  /** `relay`: decided by the relay; `endpoint`: sent by the agent or viewer and forwarded as is. */
  readonly origin: 'relay' | 'endpoint' | 'transport';
  /** Set for codes refused before the upgrade. */
  readonly httpStatus?: number;
  /** A sentence the viewer may show as is. */
  readonly message: string;
}

const info = (
  code: number,
  name: string,
  origin: RelayCloseCodeInfo['origin'],
  message: string,
  httpStatus?: number,
): RelayCloseCodeInfo =>
  Object.freeze(
    httpStatus === undefined ? { code, name, origin, message } : { code, name, origin, httpStatus, message },
  );

export const RELAY_CLOSE_CODES: readonly RelayCloseCodeInfo[] = Object.freeze([
  info(1000, 'normal', 'transport', 'The connection was closed.'),
  info(1001, 'relay_shutting_down', 'relay', 'The relay is restarting. Reconnect in a moment.'),
  info(1006, 'connection_lost', 'transport', 'The connection to the relay was lost.'),
  info(1009, 'message_too_big', 'relay', 'A message was larger than the relay allows.'),
  info(1011, 'internal_error', 'relay', 'The relay hit an unexpected error.'),
  info(4000, 'bad_request', 'relay', 'The connection request was malformed.', 400),
  info(4001, 'invalid_token', 'relay', 'The access token was rejected. Reconnect from the portal.', 401),
  info(4002, 'token_expired', 'relay', 'The access token has expired. Reconnect from the portal.', 401),
  info(
    4003,
    'token_not_yet_valid',
    'relay',
    'The access token is not valid yet. Check this computer’s clock.',
    401,
  ),
  info(4004, 'token_mismatch', 'relay', 'The access token is for another session, channel or side.', 401),
  info(4005, 'token_reused', 'relay', 'This access token was already used. Reconnect from the portal.', 401),
  info(4006, 'origin_not_allowed', 'relay', 'This page is not allowed to connect to the relay.', 403),
  info(4007, 'rate_limited', 'relay', 'Too many failed attempts. Wait a minute and try again.', 429),
  info(4008, 'relay_full', 'relay', 'The relay is at capacity. Try again shortly.', 503),
  info(4009, 'session_ended', 'relay', 'This session has ended.', 410),
  info(4010, 'duplicate_side', 'relay', 'Someone is already connected to this session from this side.'),
  info(4011, 'pair_timeout', 'relay', 'The other side did not connect in time.'),
  info(4012, 'session_ttl', 'relay', 'The session reached its maximum duration.'),
  info(4013, 'peer_left', 'relay', 'The other side disconnected.'),
  info(4014, 'peer_unresponsive', 'relay', 'The other side stopped responding.'),
  info(4015, 'closed_by_portal', 'relay', 'The session was ended from the portal.'),
  info(
    4016,
    'recording_failed',
    'relay',
    'This session must be recorded and the recording could not be saved, so it was ended.',
  ),
  info(4100, 'ended_by_technician', 'endpoint', 'The technician ended the session.'),
  info(4101, 'ended_on_device', 'endpoint', 'The session was ended on the remote device.'),
  info(4102, 'no_vnc_server', 'endpoint', 'No VNC server is running on the remote device.'),
  info(4103, 'vnc_connect_failed', 'endpoint', 'The remote device could not connect to its screen.'),
  info(4104, 'shell_unavailable', 'endpoint', 'A shell could not be started on the remote device.'),
  info(4105, 'channel_unsupported', 'endpoint', 'The remote device does not support this feature.'),
  info(4106, 'input_refused', 'endpoint', 'The remote device refused input it could not check.'),
]);

const BY_CODE = new Map<number, RelayCloseCodeInfo>(RELAY_CLOSE_CODES.map((c) => [c.code, c]));

/** Codes an endpoint may send that the relay passes to the other side unchanged. */
export function isEndpointCloseCode(code: number): boolean {
  return Number.isInteger(code) && code >= 4100 && code <= 4199;
}

/** The table entry for a code; unknown codes get a generic entry so a viewer always has a sentence. */
export function describeCloseCode(code: number): RelayCloseCodeInfo {
  const known = BY_CODE.get(code);
  if (known) return known;
  if (isEndpointCloseCode(code))
    return info(code, 'endpoint_defined', 'endpoint', 'The other side ended the session.');
  return info(code, 'unknown', 'transport', 'The connection was closed.');
}

/** Name of the response header carrying the close code of a refused handshake. */
export const RELAY_CLOSE_CODE_HEADER = 'x-relay-close-code';

/** Body of an HTTP error returned by the relay before (or instead of) an upgrade. */
export interface RelayHttpError {
  readonly code: string;
  readonly closeCode: number;
  readonly message: string;
}
