import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/test-db';
import { ADMIN_PASSWORD, TEST_RELAY_SECRET, freePort } from '../support/test-app';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Exit code, once stdout and stderr are closed. */
  exited: Promise<number | null>;
}

/** The portal's real entry point (src/main.ts through ts-node) with only the given environment. */
function runPortal(env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, TS_NODE_PROJECT: 'tsconfig.spec.json', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** The one line a process that cannot start leaves, parsed; fails unless there is exactly one. */
function onlyLine(text: string): Record<string, unknown> {
  const lines = text.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe('the portal stops on bad configuration with exit code 78 and one JSON line', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'qs-process-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('an unreachable DATABASE_URL: the line names the variable and host:port, never the password', async () => {
    const run = runPortal({
      DATA_DIR: dataDir,
      RELAY_SECRET: TEST_RELAY_SECRET,
      LOG_LEVEL: 'info',
      DATABASE_URL: 'postgres://operator:hunter2-secret@127.0.0.1:1/db',
    });
    expect(await run.exited).toBe(78);
    expect(run.stdout()).toBe('');
    const line = onlyLine(run.stderr());
    expect(line).toMatchObject({ level: 60, service: 'portal', variable: 'DATABASE_URL' });
    expect(line.time).toMatch(ISO_TIME);
    expect(line.msg).toBe(
      'DATABASE_URL names PostgreSQL at 127.0.0.1:1, which cannot be reached (connection refused).',
    );
    expect(run.stderr()).not.toMatch(/hunter2|operator/);
  });

  it('an invalid variable: the line names each bad variable', async () => {
    const run = runPortal({
      DATA_DIR: dataDir,
      RELAY_SECRET: TEST_RELAY_SECRET,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never-used',
      PORT: 'eighty',
      PORTAL_METRICS: 'maybe',
      PORTAL_METRICS_TOKEN: 'short',
    });
    expect(await run.exited).toBe(78);
    const line = onlyLine(run.stderr());
    expect(line).toMatchObject({ level: 60, service: 'portal' });
    expect(line.msg).toMatch(/^Invalid configuration: /);
    expect(line.msg).toContain('PORT must be a whole number from 1 to 65535');
    expect(line.msg).toContain('PORTAL_METRICS must be one of: on, off');
    expect(line.msg).toContain('PORTAL_METRICS_TOKEN must be 16 to 256 printable characters');
    expect(run.stderr()).not.toContain('short');
  });
});

describe('the running portal logs one line per request', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let run: Run;
  let base: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'qs-process-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    run = runPortal({
      PORT: String(port),
      PORTAL_ORIGIN: base,
      DATA_DIR: dataDir,
      RELAY_SECRET: TEST_RELAY_SECRET,
      ADMIN_PASSWORD,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
    });
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (run.stdout().includes('Portal ready')) resolve();
      };
      run.child.stdout?.on('data', check);
      void run.exited.then((code) =>
        reject(new Error(`portal exited (${code}):\n${run.stdout()}${run.stderr()}`)),
      );
    });
  });

  afterAll(async () => {
    run?.child.kill('SIGTERM');
    await run?.exited;
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the connect page, the API, /metrics and a 404 each get exactly one "request completed" line', async () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';
    const paths = [`/support/connect/${token}`, '/api/auth/me', '/metrics', '/.env'];
    for (const path of paths) await fetch(`${base}${path}`);
    // Each line is written as its answer finishes: the last request's line marks the end.
    const completed = (): Array<Record<string, unknown>> =>
      run
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'request completed');
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (completed().some((l) => (l.req as { url: string }).url === '/.env')) resolve();
      };
      check();
      run.child.stdout?.on('data', check);
    });
    const lines = completed();
    const urls = lines.map((l) => (l.req as { url: string }).url);
    expect(urls).toEqual(['/support/connect/[token]', '/api/auth/me', '/metrics', '/.env']);
    for (const l of lines) {
      expect(l).toMatchObject({ service: 'portal', level: 30 });
      expect(l.time).toMatch(ISO_TIME);
    }
    expect(run.stdout()).not.toContain(token);
  });
});
