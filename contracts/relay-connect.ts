import type { RelayTokenSubject } from './relay-subject';

/**
 * How a client dials the relay (docs/relay.md § Connecting):
 * `GET <relay>/ws?sid=<session>&ch=<channel>&role=<agent|tech>` with the token either in
 * `Sec-WebSocket-Protocol: relay.v1, bearer.<jwt>` (browsers; the relay answers `relay.v1`) or in
 * `Authorization: Bearer <jwt>` (agents). The query names what the client wants to join; the token must
 * grant exactly that. The token itself is never put in the URL.
 */
export const RELAY_WS_PATH = '/ws';
export const RELAY_SUBPROTOCOL = 'relay.v1';
export const RELAY_BEARER_PROTOCOL_PREFIX = 'bearer.';

/**
 * The URL a client dials for one side of one channel. `baseUrl` is the relay's `ws://` or `wss://` URL;
 * a path prefix on it (a relay behind `https://host/relay/`) is kept.
 */
export function relayConnectUrl(baseUrl: string, subject: RelayTokenSubject): string {
  const url = new URL(RELAY_WS_PATH.slice(1), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('sid', subject.sid);
  url.searchParams.set('ch', subject.ch);
  url.searchParams.set('role', subject.role);
  return url.toString();
}

/** Sub-protocol list for `new WebSocket(url, protocols)` in a browser. */
export function relayWebSocketProtocols(token: string): string[] {
  return [RELAY_SUBPROTOCOL, `${RELAY_BEARER_PROTOCOL_PREFIX}${token}`];
}
