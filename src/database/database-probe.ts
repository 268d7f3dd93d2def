import { Client } from 'pg';
import { isDatabaseUnavailable } from './database-unavailable';

/** How long the start-up check waits for PostgreSQL to answer. */
const PROBE_TIMEOUT_MS = 10_000;

/** Why the configured database cannot be used, in words (no credentials); null when it answers. */
export type DatabaseProblem = { sentence: string; reason: string } | null;

/**
 * Connects once to DATABASE_URL before the portal builds anything, so a wrong or unreachable URL ends
 * the start with one sentence naming the variable and `host:port` (never the user or password) rather
 * than TypeORM's retries and stack traces.
 */
export async function probeDatabase(url: string): Promise<DatabaseProblem> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    const where = hostPort(url);
    const reason = describe(err);
    const sentence = isDatabaseUnavailable(err)
      ? `DATABASE_URL names PostgreSQL at ${where}, which cannot be reached (${reason}).`
      : `DATABASE_URL names PostgreSQL at ${where}, which refused the connection (${reason}).`;
    return { sentence, reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `host:port` of a postgres URL; the user, password, database and options are left out. */
export function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'an unparsable address';
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    '28P01': 'password authentication failed',
    '28000': 'authentication rejected',
    '3D000': 'the database does not exist',
  };
  if (known[code]) return known[code];
  if (typeof e.message === 'string' && /timeout/i.test(e.message)) return 'timed out';
  return code ? `error ${code}` : 'connection failed';
}
