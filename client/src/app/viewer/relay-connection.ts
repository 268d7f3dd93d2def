/*
 * How the viewer dials the relay, and what a closed relay connection means in words.
 *
 * The close-code table is imported from the shared contract (contracts/relay-close-codes.ts, no
 * dependencies), so the relay, the agent and the viewer cannot drift apart. contracts/relay-connect.ts
 * cannot be imported here: it pulls in the token module, which needs Node's crypto. Its three
 * constants and the URL function are mirrored below; test/unit/viewer-relay-connection.spec.ts checks
 * that they match. Plain TypeScript without Angular, so that test can import it.
 */
import { describeCloseCode, RelayCloseCode } from '../../../../contracts/relay-close-codes';

export const RELAY_WS_PATH = '/ws';
export const RELAY_SUBPROTOCOL = 'relay.v1';
export const RELAY_BEARER_PROTOCOL_PREFIX = 'bearer.';

export interface RelaySubject {
  /** Remote session id. */
  sid: string;
  /** Channel: `screen`, `shell`, … */
  ch: string;
  role: 'agent' | 'tech';
}

/**
 * The URL to dial for one side of one channel (mirror of `relayConnectUrl`). The token is never
 * part of it: it travels in the WebSocket sub-protocol list ({@link relayWebSocketProtocols}).
 */
export function relayConnectUrl(baseUrl: string, subject: RelaySubject): string {
  const url = new URL(RELAY_WS_PATH.slice(1), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('sid', subject.sid);
  url.searchParams.set('ch', subject.ch);
  url.searchParams.set('role', subject.role);
  return url.toString();
}

/** `new WebSocket(url, protocols)`: the relay answers `relay.v1` and reads the token from the second. */
export function relayWebSocketProtocols(token: string): string[] {
  return [RELAY_SUBPROTOCOL, `${RELAY_BEARER_PROTOCOL_PREFIX}${token}`];
}

/** How a relay WebSocket ended, as the viewer saw it. */
export interface RelayClose {
  code: number;
  /** Whether the upgrade had succeeded. A refused upgrade looks like 1006 to a browser. */
  opened: boolean;
}

export interface RelayCloseExplanation {
  /** A sentence for the technician. */
  message: string;
  /** The remote session is over: reconnecting cannot help. */
  sessionOver: boolean;
}

/** Codes after which the session itself is over (the portal ended it, or it ran out of time). */
const SESSION_OVER: ReadonlySet<number> = new Set([
  RelayCloseCode.SessionEnded,
  RelayCloseCode.PairTimeout,
  RelayCloseCode.SessionTtl,
  RelayCloseCode.ClosedByPortal,
  RelayCloseCode.EndedByTechnician,
  RelayCloseCode.EndedOnDevice,
]);

/**
 * What a closed relay connection means, in words. A browser never learns why an upgrade was refused
 * (it sees 1006), so a connection that never opened is explained by what the viewer knows: tokens
 * past their expiry were refused for that; otherwise the relay refused them or could not be reached.
 */
export function explainRelayClose(
  close: RelayClose,
  tokensExpireAt: number,
  now: number,
): RelayCloseExplanation {
  if (
    !close.opened &&
    (close.code === RelayCloseCode.ConnectionLost || close.code === RelayCloseCode.Normal)
  ) {
    if (now >= tokensExpireAt) {
      return { message: describeCloseCode(RelayCloseCode.TokenExpired).message, sessionOver: false };
    }
    return {
      message:
        'The relay refused the connection or could not be reached. Reconnect to try again with fresh access.',
      sessionOver: false,
    };
  }
  return { message: describeCloseCode(close.code).message, sessionOver: SESSION_OVER.has(close.code) };
}
