/**
 * Audit trail benchmark: filtered pages of a 1,000,000-line audit trail through the real portal route
 * (`GET /api/audit-events`, logged in, validated, mapped) beside a floor — a bare node:http + pg handler
 * running the same SQL — on this machine's PostgreSQL.
 *
 *   npm run bench:audit                       1 M lines, 100 samples per filter
 *   BENCH_AUDIT_ROWS=100000 npm run bench:audit   a smaller table (smoke test)
 *   BENCH_DATABASE_URL=postgres://…/postgres  the server to use (default postgres://postgres@127.0.0.1:5432/postgres)
 *
 * It creates a scratch database, runs the real migrations, seeds it in SQL, measures, prints a table,
 * writes bench/results/audit.json and drops the database (also on Ctrl-C). Loopback only; every loop is
 * bounded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { SEED, seed } from './audit/seed';

const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const WARMUP = 15;
const TARGET_MS = 50;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ADMIN_EMAIL = 'bench-admin@example.test';
const PASSWORD = 'bench-password-0123456789';

function loopbackOnly(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    throw new Error(`BENCH_DATABASE_URL must point at a loopback address, not ${host}`);
}

const children: ChildProcess[] = [];

function start(file: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(__dirname, 'audit', file), [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: { PATH: process.env.PATH, TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.json'), ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start within 120 s`)), 120_000);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    child.once('message', (m: { type: string; port: number }) => {
      clearTimeout(timer);
      resolve({ child, port: m.port });
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function post(
  port: number,
  path: string,
  body: object,
  cookie = '',
): Promise<{ status: number; cookie: string; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          origin: `http://127.0.0.1:${port}`,
          ...(cookie ? { cookie } : {}),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            cookie: (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; '),
            body: Buffer.concat(parts).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function login(port: number, email: string): Promise<string> {
  const res = await post(port, '/api/auth/login', { email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login as ${email}: ${res.status} ${res.body}`);
  return res.cookie;
}

const pick = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(
  call: () => Promise<{ status: number; body: string }>,
): Promise<{ p50: number; p95: number; items: number }> {
  let items = 0;
  const times: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const t0 = performance.now();
    const res = await call();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${res.status}: ${res.body.slice(0, 300)}`);
    if (i >= WARMUP) times.push(ms);
    items = (JSON.parse(res.body) as { items: unknown[] }).items.length;
  }
  times.sort((a, b) => a - b);
  return { p50: pick(times, 0.5), p95: pick(times, 0.95), items };
}

async function main(): Promise<void> {
  loopbackOnly(ADMIN_URL);
  const name = `qs_bench_audit_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'qs-bench-audit-'));
  let dropped = false;
  const cleanup = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    for (const c of children) await stop(c).catch(() => c.kill('SIGKILL'));
    const c = new Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
    rmSync(dataDir, { recursive: true, force: true });
    process.stdout.write(`dropped scratch database ${name}\n`);
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    const log = (m: string): void => void process.stdout.write(`${m}\n`);
    log(
      `audit benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.versions.node}, load ${loadavg()[0].toFixed(2)}`,
    );
    const ds = new DataSource({
      type: 'postgres',
      url: dbUrl.toString(),
      migrations: MIGRATIONS,
      migrationsTransactionMode: 'each',
      logging: false,
    });
    await ds.initialize();
    await ds.runMigrations();
    let t0 = performance.now();
    const portalPort = 20000 + Math.floor(Math.random() * 20000);
    const env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: String(portalPort),
      PORTAL_ORIGIN: `http://127.0.0.1:${portalPort}`,
      DATABASE_URL: dbUrl.toString(),
      DATA_DIR: dataDir,
      RELAY_SECRET: randomBytes(32).toString('hex'),
      ADMIN_EMAIL,
      ADMIN_PASSWORD: PASSWORD,
    };
    const portal = await start('portal-child.ts', env);
    const floor = await start('floor-child.ts', { DATABASE_URL: dbUrl.toString() });
    log(`portal and floor up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const [{ server_version: pgVersion }] =
      await ds.query<{ server_version: string }[]>(`SHOW server_version`);
    // Seeded once the portal made its first administrator (it does so only on an empty users table).
    t0 = performance.now();
    await seed(ds, ROWS);
    log(
      `seeded ${ROWS.toLocaleString('en')} audit lines, ${SEED.sessions.toLocaleString('en')} sessions, ${SEED.devices} devices, ${SEED.technicians} technicians in ${((performance.now() - t0) / 1000).toFixed(1)} s (PostgreSQL ${pgVersion})`,
    );
    const [tech] = await ds.query<{ id: string }[]>(`SELECT id FROM users WHERE email = 'tech1@bench.test'`);
    // A session of Technician 1's with lines in the trail (about 16 of them).
    const [session] = await ds.query<{ id: string; device_id: string }[]>(
      `SELECT rs.id, rs.device_id FROM remote_sessions rs
        WHERE rs.id::text = (SELECT target_id FROM audit_events
                              WHERE target_type = 'remote_session' AND actor_id = $1 ORDER BY id DESC LIMIT 1)`,
      [tech.id],
    );

    // One login per scenario: each stays well inside the per-technician request budget.
    const adminCookie = await login(portalPort, ADMIN_EMAIL);
    const newUser = async (email: string, role: 'admin' | 'technician'): Promise<string> => {
      const res = await post(
        portalPort,
        '/api/users',
        { email, displayName: email.split('@')[0], role, password: PASSWORD },
        adminCookie,
      );
      if (res.status !== 201) throw new Error(`create ${email}: ${res.status} ${res.body}`);
      return (JSON.parse(res.body) as { user: { id: string } }).user.id;
    };
    const benchTech = await newUser('bench-tech@example.test', 'technician');
    // The bench technician takes over Technician 1's sessions (1,000 sessions, ~16,000 lines).
    await ds.query(`UPDATE remote_sessions SET technician_id = $1 WHERE technician_id = $2`, [
      benchTech,
      tech.id,
    ]);
    await ds.query(`ANALYZE remote_sessions`);
    const techCookie = await login(portalPort, 'bench-tech@example.test');

    const mid = (
      await ds.query<{ at: Date }[]>(`SELECT at FROM audit_events ORDER BY id OFFSET $1 LIMIT 1`, [
        Math.floor(ROWS / 2),
      ])
    )[0].at;
    const day = new Date(mid.getTime() + 24 * 3600 * 1000);
    const month = new Date(mid.getTime() + 30 * 24 * 3600 * 1000);
    // A cursor four pages deep into a filter, for the fifth page.
    let cursor = '';
    for (let i = 0; i < 4; i++) {
      const res = await get(
        portalPort,
        `/api/audit-events?action=remote_session.&limit=50${cursor ? `&before=${cursor}` : ''}`,
        { cookie: adminCookie },
      );
      cursor = (JSON.parse(res.body) as { nextCursor: string }).nextCursor;
    }

    const scenarios: { label: string; query: string; tech?: boolean }[] = [
      { label: 'newest page, no filter', query: '' },
      { label: 'action prefix remote_session.', query: 'action=remote_session.' },
      { label: 'exact action quick_assist.started', query: 'action=quick_assist.started' },
      { label: 'actor (a technician)', query: `actor=${tech.id}` },
      { label: 'device', query: `deviceId=${session.device_id}` },
      { label: 'remote session', query: `sessionId=${session.id}` },
      { label: 'one day, 6 months ago', query: `from=${mid.toISOString()}&to=${day.toISOString()}` },
      {
        label: 'action + one month',
        query: `action=remote_session.command_run&from=${mid.toISOString()}&to=${month.toISOString()}`,
      },
      { label: 'page 5 (cursor), prefix', query: `action=remote_session.&before=${cursor}` },
      { label: 'technician: own sessions only', query: '', tech: true },
      { label: 'technician + action prefix', query: 'action=quick_assist.', tech: true },
    ];

    const rows: Record<string, unknown>[] = [];
    for (const [i, s] of scenarios.entries()) {
      const cookie = s.tech
        ? techCookie
        : await login(
            portalPort,
            await newUser(`bench-admin-${i}@example.test`, 'admin').then(
              () => `bench-admin-${i}@example.test`,
            ),
          );
      const portalPath = `/api/audit-events?limit=50${s.query ? `&${s.query}` : ''}`;
      const floorPath = `/?limit=50${s.query ? `&${s.query}` : ''}${s.tech ? `&tech=${benchTech}` : ''}`;
      const p = await measure(() => get(portalPort, portalPath, { cookie }));
      const f = await measure(() => get(floor.port, floorPath));
      rows.push({
        label: s.label,
        items: p.items,
        portalP50: p.p50,
        portalP95: p.p95,
        floorP50: f.p50,
        floorP95: f.p95,
        ratioP50: p.p50 / f.p50,
        ratioP95: p.p95 / f.p95,
        met: p.p95 <= TARGET_MS,
      });
      if (p.items !== f.items) throw new Error(`${s.label}: portal gave ${p.items} lines, floor ${f.items}`);
    }

    const fmt = (n: unknown): string =>
      typeof n === 'number' ? n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2) : String(n);
    const header = [
      'filtered page (50 lines)',
      'lines',
      'portal p50 ms',
      'portal p95 ms',
      'floor p50 ms',
      'floor p95 ms',
      'ratio p50',
      'ratio p95',
      `p95 ≤ ${TARGET_MS} ms`,
    ];
    const body = rows.map((r) => [
      String(r.label),
      String(r.items),
      fmt(r.portalP50),
      fmt(r.portalP95),
      fmt(r.floorP50),
      fmt(r.floorP95),
      `${fmt(r.ratioP50)}×`,
      `${fmt(r.ratioP95)}×`,
      r.met ? 'yes' : 'no',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    log(
      `\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${body.map(line).join('\n')}`,
    );

    const result = {
      date: new Date().toISOString(),
      rows: ROWS,
      samplesPerScenario: SAMPLES,
      postgres: pgVersion,
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.versions.node,
        loadAverageAtEnd: loadavg()[0],
      },
      setup: {
        portal:
          'the portal (src/) in its own process: NODE_ENV=development, info logs, session login, guards, validation, mapping',
        floor:
          'bare node:http + pg pool in its own process running the same SQL (src/audit-log/audit-log.queries.ts)',
        client: 'this process, one keep-alive connection, requests one after another',
      },
      results: rows,
    };
    await ds.destroy();
    mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(process.cwd(), 'bench', 'results', 'audit.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    log('\nwrote bench/results/audit.json');
    void portal;
  } finally {
    agent.destroy();
    await cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
