import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';

export interface ExecResult {
  /** null when the program could not be started or was killed by the timeout. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Added to the agent's own environment (values reach the program as data, never as script text). */
  env?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  /** Aborting kills the program (a consent dialog withdrawn because it was answered elsewhere). */
  signal?: AbortSignal;
}

/**
 * The few operating-system primitives remote help needs, injected so the Windows logic above them
 * (which program, which arguments, which session, how the answers are read) is unit-tested on any OS
 * by recording what would run. Nothing here goes through a shell.
 */
export interface ProcessHost {
  /** Runs a program to completion and captures its output. Never rejects: failures are in the result. */
  exec(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts a program detached, in the agent's own session, with no console; resolves with its pid. */
  spawnDetached(file: string, args: readonly string[]): Promise<number>;
  /** Whether a TCP connection to host:port (DNS included) succeeds within timeoutMs. */
  canReach(host: string, port: number, timeoutMs: number): Promise<boolean>;
  delay(ms: number): Promise<void>;
}

const DEFAULT_EXEC_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** The real primitives, on Node's child_process and net. */
export function nodeProcessHost(): ProcessHost {
  return {
    exec: (file, args, options = {}) =>
      new Promise((resolve) => {
        execFile(
          file,
          [...args],
          {
            env: { ...process.env, ...options.env },
            timeout: options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS,
            ...(options.signal ? { signal: options.signal } : {}),
            maxBuffer: MAX_OUTPUT_BYTES,
            windowsHide: true,
            encoding: 'utf8',
          },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
            resolve({ exitCode: code, stdout, stderr: stderr || (err ? err.message : '') });
          },
        );
      }),
    spawnDetached: (file, args) =>
      new Promise((resolve, reject) => {
        const child = spawn(file, [...args], { detached: true, stdio: 'ignore', windowsHide: false });
        child.once('error', reject);
        child.once('spawn', () => {
          child.unref();
          if (child.pid === undefined) reject(new Error(`${file} did not start`));
          else resolve(child.pid);
        });
      }),
    canReach: (host, port, timeoutMs) =>
      new Promise((resolve) => {
        const socket = connect({ host, port });
        const done = (ok: boolean): void => {
          socket.destroy();
          resolve(ok);
        };
        socket.setTimeout(timeoutMs, () => done(false));
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
      }),
    delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
