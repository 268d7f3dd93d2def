import type { IncomingMessage } from 'node:http';
import { RelayCloseCode } from '../contracts/relay-close-codes';
import { RELAY_BEARER_PROTOCOL_PREFIX, RELAY_SUBPROTOCOL, RELAY_WS_PATH } from '../contracts/relay-connect';
import type { RelayKey } from '../contracts/node/relay-keys';
import {
  RELAY_TOKEN_CLOCK_TOLERANCE_SEC,
  RelayTokenError,
  isRelayTokenSubject,
  verifyRelayToken,
  type RelayTokenClaims,
  type RelayTokenFailure,
  type RelayTokenSubject,
} from '../contracts/node/relay-token';
import type { ExpiringIdSet } from './expiring-id-set';

export type HandshakeResult =
  | { readonly ok: true; readonly claims: RelayTokenClaims }
  | {
      readonly ok: false;
      readonly status: number;
      readonly closeCode: number;
      /** Short label for logs and metrics (never contains the token). */
      readonly reason: string;
      readonly subject?: Partial<RelayTokenSubject>;
    };

export interface HandshakeDeps {
  readonly tokenKeys: readonly RelayKey[];
  readonly allowedOrigins: ReadonlySet<string>;
  readonly usedTokenIds: ExpiringIdSet;
  readonly endedSessions: ExpiringIdSet;
}

const QUERY_KEYS = new Set(['sid', 'ch', 'role']);
const AUTHORIZATION_PATTERN = /^Bearer ([A-Za-z0-9_.-]{1,2048})$/;
const MAX_URL_CHARS = 1024;

const refuse = (
  status: number,
  closeCode: number,
  reason: string,
  subject?: Partial<RelayTokenSubject>,
): HandshakeResult => ({
  ok: false,
  status,
  closeCode,
  reason,
  subject,
});

/**
 * Decides an upgrade request before anything is upgraded: path `/ws`, query exactly `sid`, `ch`, `role`,
 * Origin (required and allowed for the tech side; if present, allowed for the agent side), one token
 * from `Sec-WebSocket-Protocol` or `Authorization` (never the query string), a valid token for exactly
 * that subject, a session not ended by the portal, and a token id not seen before.
 */
export async function authenticateUpgrade(
  req: IncomingMessage,
  deps: HandshakeDeps,
): Promise<HandshakeResult> {
  const target = parseTarget(req.url);
  if (target === 'not_found') return refuse(404, RelayCloseCode.BadRequest, 'bad_path');
  if (target === 'bad_query') return refuse(400, RelayCloseCode.BadRequest, 'bad_query');
  const subject = target;

  const origin = req.headers.origin;
  const originAllowed = origin !== undefined && deps.allowedOrigins.has(origin);
  if ((subject.role === 'tech' && !originAllowed) || (origin !== undefined && !originAllowed)) {
    return refuse(403, RelayCloseCode.OriginNotAllowed, 'origin_not_allowed', subject);
  }

  const found = extractToken(req);
  if (found.problem !== undefined) {
    return found.problem === 'missing'
      ? refuse(401, RelayCloseCode.InvalidToken, 'missing_token', subject)
      : refuse(400, RelayCloseCode.BadRequest, found.problem, subject);
  }
  const { token } = found;

  let claims: RelayTokenClaims;
  try {
    claims = await verifyRelayToken(token, deps.tokenKeys, subject);
  } catch (err) {
    if (!(err instanceof RelayTokenError)) throw err;
    return refuse(401, closeCodeFor(err.reason), `token_${err.reason}`, subject);
  }

  if (deps.endedSessions.has(claims.sid))
    return refuse(410, RelayCloseCode.SessionEnded, 'session_ended', subject);
  const remembered = deps.usedTokenIds.add(claims.jti, (claims.exp + RELAY_TOKEN_CLOCK_TOLERANCE_SEC) * 1000);
  if (remembered === 'exists') return refuse(401, RelayCloseCode.TokenReused, 'token_reused', subject);
  if (remembered === 'full') return refuse(503, RelayCloseCode.RelayFull, 'replay_cache_full', subject);
  return { ok: true, claims };
}

function parseTarget(url: string | undefined): RelayTokenSubject | 'not_found' | 'bad_query' {
  if (!url || url.length > MAX_URL_CHARS) return 'bad_query';
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  if (path !== RELAY_WS_PATH) return 'not_found';
  const params = new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
  let count = 0;
  for (const key of params.keys()) {
    if (!QUERY_KEYS.has(key)) return 'bad_query';
    count++;
  }
  if (count !== QUERY_KEYS.size) return 'bad_query';
  const subject = {
    sid: params.get('sid') ?? undefined,
    ch: params.get('ch') ?? undefined,
    role: params.get('role') ?? undefined,
  };
  return isRelayTokenSubject(subject as Partial<RelayTokenSubject>)
    ? (subject as RelayTokenSubject)
    : 'bad_query';
}

type TokenSearch =
  | { readonly token: string; readonly problem?: undefined }
  | { readonly problem: 'missing' | 'ambiguous' | 'protocol' };

function extractToken(req: IncomingMessage): TokenSearch {
  let fromProtocol: string | undefined;
  const offered = req.headers['sec-websocket-protocol'];
  if (offered !== undefined) {
    const list = offered.split(',').map((p) => p.trim());
    if (!list.includes(RELAY_SUBPROTOCOL)) return { problem: 'protocol' };
    const bearers = list.filter((p) => p.startsWith(RELAY_BEARER_PROTOCOL_PREFIX));
    if (bearers.length > 1) return { problem: 'ambiguous' };
    fromProtocol = bearers[0]?.slice(RELAY_BEARER_PROTOCOL_PREFIX.length);
  }
  const authorization = req.headers.authorization;
  const fromHeader =
    authorization === undefined ? undefined : (AUTHORIZATION_PATTERN.exec(authorization)?.[1] ?? '');
  if (fromProtocol !== undefined && fromHeader !== undefined) return { problem: 'ambiguous' };
  const token = fromProtocol ?? fromHeader;
  return token ? { token } : { problem: 'missing' };
}

function closeCodeFor(reason: RelayTokenFailure): number {
  switch (reason) {
    case 'expired':
      return RelayCloseCode.TokenExpired;
    case 'not_yet_valid':
      return RelayCloseCode.TokenNotYetValid;
    case 'mismatch':
      return RelayCloseCode.TokenMismatch;
    case 'malformed':
    case 'algorithm':
    case 'unknown_key':
    case 'bad_signature':
    case 'audience':
    case 'claims':
      return RelayCloseCode.InvalidToken;
  }
}
