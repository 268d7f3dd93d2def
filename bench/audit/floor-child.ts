/**
 * The floor: a bare `node:http` server and a `pg` pool running exactly the portal's SQL
 * (src/audit-log/audit-log.queries.ts) for the same query string, with no framework, login, validation
 * or mapping. What the portal costs above this is the price of being the portal.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import {
  AUDIT_CURSOR_EXISTS_SQL,
  auditPageSql,
  type AuditFilter,
  type AuditScope,
} from '../../src/audit-log/audit-log.queries';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const server = createServer((req, res) => {
  const q = new URL(req.url ?? '/', 'http://floor').searchParams;
  const get = (k: string): string | undefined => q.get(k) ?? undefined;
  const filter: AuditFilter = {
    actor: get('actor'),
    deviceId: get('deviceId'),
    sessionId: get('sessionId'),
    action: get('action'),
    from: get('from') ? new Date(get('from')!) : undefined,
    to: get('to') ? new Date(get('to')!) : undefined,
    before: get('before'),
  };
  const tech = get('tech');
  const scope: AuditScope = tech ? { kind: 'technician', userId: tech } : { kind: 'all' };
  const limit = Number(get('limit') ?? 50);
  void (async () => {
    if (filter.before) await pool.query(AUDIT_CURSOR_EXISTS_SQL, [filter.before]);
    const sql = auditPageSql(filter, scope, limit + 1);
    const { rows } = await pool.query(sql.text, sql.params);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items: rows.slice(0, limit) }));
  })().catch((err: unknown) => {
    res.writeHead(500).end(String(err));
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'stop') server.close(() => void pool.end().then(() => process.exit(0)));
});
