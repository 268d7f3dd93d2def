/**
 * Recognises "the database cannot be reached right now" among the errors pg, pg-pool and TypeORM
 * throw, so the one exception filter can answer 503 with Retry-After instead of a 500. Only
 * connection-level failures count: a failed query (constraint, syntax, bad input) is not an outage.
 */

/** Node socket errors met while dialling or talking to the server. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01–57P03
 * (terminated by an administrator, crash shutdown, cannot connect now), 53300 (too many connections).
 */
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;

/** Messages pg and pg-pool use for a lost or impossible connection (they carry no code). */
const MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /^Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
  /is not currently accepting connections/,
];

/** TypeORM errors raised when its data source is not connected. */
const TYPEORM_NAMES = new Set([
  'CannotExecuteNotConnectedError',
  'ConnectionIsNotSetError',
  'CannotGetEntityManagerNotConnectedError',
]);

/**
 * Whether `err` (or the driver error a TypeORM error wraps) says the database is unreachable.
 * `cause` chains are not followed: a failed `fetch` to another service also wraps ECONNREFUSED.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 4 || typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown };
  if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
  if (typeof e.name === 'string' && TYPEORM_NAMES.has(e.name)) return true;
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  return isDatabaseUnavailable(e.driverError, depth + 1);
}
