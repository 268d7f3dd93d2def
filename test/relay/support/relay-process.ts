import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TECH_ORIGIN, TEST_SECRET } from './relay-harness';

const ROOT = join(__dirname, '..', '..', '..');

export interface RelayProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Every JSON log line so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  stop(): Promise<number | string>;
}

/** The relay's real entry point (relay/main.ts through ts-node) in a child process on a free port. */
export function spawnRelay(env: NodeJS.ProcessEnv = {}): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'relay', 'main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        RELAY_SECRET: TEST_SECRET,
        RELAY_PORT: '0',
        RELAY_HOST: '127.0.0.1',
        RELAY_EVENTS_URL: 'off',
        RELAY_ALLOWED_ORIGINS: TECH_ORIGIN,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  let buffered = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (${code}) before listening: ${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'relay listening') {
          clearTimeout(timer);
          const port = Number(entry.port);
          resolve({
            child,
            port,
            url: `http://127.0.0.1:${port}`,
            logs,
            exited,
            stop: () => {
              child.kill('SIGTERM');
              return exited;
            },
          });
        }
      }
    });
  });
}

/** Runs the entry point to completion (for configuration errors); returns code, stdout and stderr. */
export function runRelayExpectingExit(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'relay', 'main.ts')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'test', RELAY_PORT: '0', RELAY_EVENTS_URL: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
