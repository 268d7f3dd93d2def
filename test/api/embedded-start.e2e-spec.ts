import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';

/**
 * The portal as `npm start` runs it: its own process, no DATABASE_URL, so it starts the embedded
 * PostgreSQL in DATA_DIR. Killed with SIGKILL it leaves a postmaster behind; the next start must cope.
 */
const root = join(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function postmastersFor(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return cmd.some((a) => a.endsWith('/postgres')) && cmd.includes(join(dir, 'pg'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

function startPortal(dataDir: string, port: number): Promise<{ child: ChildProcess; stdout: () => string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    TS_NODE_TRANSPILE_ONLY: '1',
    TS_NODE_PROJECT: 'tsconfig.spec.json',
  };
  delete env.DATABASE_URL;
  delete env.NODE_OPTIONS;
  delete env.ADMIN_PASSWORD;
  const child = spawn(process.execPath, ['-r', 'ts-node/register', 'src/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start:\n${out}`)), 60_000);
    child.stdout.on('data', () => {
      if (out.includes('Portal ready')) {
        clearTimeout(timer);
        resolve({ child, stdout: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`portal exited with ${code}:\n${out}`));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

describe('npm start on the embedded PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'qs-start-'));
  afterAll(() => {
    for (const pid of postmastersFor(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints working first-admin credentials, survives kill -9, and stops everything on SIGTERM', async () => {
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    const first = await startPortal(dataDir, port);
    expect(first.stdout()).toContain(`Portal ready at ${origin}`);
    const password = /Password \(shown only this once\): (\S+)/.exec(first.stdout())?.[1];
    expect(password).toBeDefined();
    await request(origin)
      .post('/api/auth/login')
      .set('Origin', origin)
      .send({ email: 'admin@example.com', password })
      .expect(200);
    expect(postmastersFor(dataDir)).toHaveLength(1);

    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(postmastersFor(dataDir)).toHaveLength(1); // left behind by the killed run

    const second = await startPortal(dataDir, port);
    expect(second.stdout()).not.toContain('shown only this once');
    expect(second.stdout()).toContain('Log in with your account');
    await request(origin)
      .post('/api/auth/login')
      .set('Origin', origin)
      .send({ email: 'admin@example.com', password })
      .expect(200);

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(postmastersFor(dataDir)).toHaveLength(0);
  }, 150_000);
});
