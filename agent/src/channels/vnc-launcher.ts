import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safe, type AgentLogger } from '../core/logger';
import { hasCommand } from '../platform/posix';
import { randomVncPassword, vncPasswordFile } from './rfb-handshake';

export interface VncTarget {
  host: string;
  port: number;
  /** Set for the x11vnc the agent started: the agent answers its VNC Authentication (rfb-handshake.ts). */
  password?: Buffer;
}

/** The X display to share: $DISPLAY, else the only X server socket in /tmp/.X11-unix. */
export function findDisplay(
  env: NodeJS.ProcessEnv = process.env,
  socketDir = '/tmp/.X11-unix',
): string | undefined {
  if (env.DISPLAY && /^[A-Za-z0-9.-]*:\d+(\.\d+)?$/.test(env.DISPLAY)) return env.DISPLAY;
  if (!existsSync(socketDir)) return undefined;
  const displays = readdirSync(socketDir).filter((name) => /^X\d+$/.test(name));
  return displays.length === 1 ? `:${displays[0].slice(1)}` : undefined;
}

/**
 * A port that was free a moment ago: only where x11vnc starts looking (`-autoport`). x11vnc binds
 * and announces the port itself, so a port another local user grabs in between is skipped rather
 * than connected to.
 */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Where the password folder goes: /run (root-only, in memory) when the agent is root, as it is when it
 * starts x11vnc for a customer; not $TMPDIR, whose owner could swap the folder for one of their own
 * (x11vnc reads the file again at every connection).
 */
function secretBase(): string {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return root && existsSync('/run') ? '/run' : tmpdir();
}

/**
 * The x11vnc arguments: loopback only, on the first port from `firstPort` that x11vnc itself can bind
 * (it prints `PORT=<n>` on stdout once it listens), this display, for as long as the session needs it, and only for
 * a client that knows the session's password (`passwordFile`, so that another local user cannot join
 * the desktop). Not `-shared`: every viewer reaches it through the agent, one connection per screen
 * channel, and a new one replaces the last. `guessAuth` asks x11vnc to find the display manager's X
 * authority (root only; used when a plain start fails).
 */
export function x11vncArgs(
  display: string,
  firstPort: number,
  guessAuth: boolean,
  passwordFile: string,
): string[] {
  const args = [
    '-localhost',
    '-autoport',
    String(firstPort),
    '-display',
    display,
    '-rfbauth',
    passwordFile,
    '-forever',
    '-quiet',
    '-noxdamage',
  ];
  if (guessAuth) args.push('-auth', 'guess');
  return args;
}

/**
 * Starts x11vnc bound to 127.0.0.1 on a free port when a screen channel needs it and no VNC server
 * runs, shares it between the session's screen channels, and stops it when the last one ends (or the
 * agent exits). Linux only; only with the customer's yes (or `--start-vnc` for persistent agents).
 */
export class X11VncLauncher {
  private child: ChildProcess | undefined;
  private target: Promise<VncTarget> | undefined;
  private users = 0;
  /** The 0700 folder holding this run's 0600 password file; removed when x11vnc stops. */
  private secretDir: string | undefined;

  constructor(
    private readonly display: string,
    private readonly logger: AgentLogger,
    /** Where x11vnc starts looking for a free port (tests pass a port someone else holds). */
    private readonly firstPort: () => Promise<number> = freeLoopbackPort,
  ) {}

  static detect(logger: AgentLogger, env: NodeJS.ProcessEnv = process.env): X11VncLauncher | undefined {
    if (process.platform !== 'linux' || !hasCommand('x11vnc')) return undefined;
    const display = findDisplay(env);
    return display ? new X11VncLauncher(display, logger) : undefined;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** A running x11vnc for one more user. */
  async acquire(): Promise<VncTarget> {
    this.users += 1;
    this.target ??= this.start();
    try {
      return await this.target;
    } catch (err) {
      this.users -= 1;
      this.target = undefined;
      throw err;
    }
  }

  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) this.stop();
  }

  stop(): void {
    const child = this.child;
    this.child = undefined;
    this.target = undefined;
    if (child && child.exitCode === null) {
      this.logger.info('stopping x11vnc');
      terminate(child);
    }
    this.removeSecret();
  }

  /** The password file's folder while x11vnc runs (for tests). */
  get passwordDir(): string | undefined {
    return this.secretDir;
  }

  private async start(): Promise<VncTarget> {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const attempts = isRoot && !process.env.XAUTHORITY ? [false, true] : [false];
    const password = randomVncPassword();
    const passwordFile = this.writeSecret(password);
    let lastError: unknown;
    for (const guessAuth of attempts) {
      try {
        return { ...(await this.startOnce(guessAuth, passwordFile)), password };
      } catch (err) {
        lastError = err;
      }
    }
    this.removeSecret();
    throw lastError;
  }

  /** A fresh random password in a VNC password file readable by this process's user only. */
  private writeSecret(password: Buffer): string {
    this.removeSecret();
    const dir = mkdtempSync(join(secretBase(), 'qs-vnc-'));
    chmodSync(dir, 0o700);
    this.secretDir = dir;
    const file = join(dir, 'passwd');
    writeFileSync(file, vncPasswordFile(password), { mode: 0o600, flag: 'wx' });
    return file;
  }

  private removeSecret(): void {
    const dir = this.secretDir;
    this.secretDir = undefined;
    if (!dir) return;
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      this.logger.warn(`could not remove the VNC password folder ${safe(dir)}: ${safe(err)}`);
    }
  }

  /**
   * Starts x11vnc and waits for the `PORT=<n>` line it prints once it listens: the port x11vnc bound
   * itself, never one probed and closed earlier, which another local user could take in between and
   * so receive the agent's connection (and the password's handshake) instead of x11vnc.
   */
  private async startOnce(guessAuth: boolean, passwordFile: string): Promise<VncTarget> {
    const firstPort = await this.firstPort();
    this.logger.info(
      `starting x11vnc on 127.0.0.1 (port ${firstPort} or the next free one) for display ${safe(this.display)}${guessAuth ? ' (guessing X authority)' : ''}`,
    );
    const child = spawn('x11vnc', x11vncArgs(this.display, firstPort, guessAuth, passwordFile), {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.child = child;
    child.on('error', (err) => this.logger.warn(`x11vnc failed: ${safe(err)}`));
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    try {
      const port = await announcedPort(child, 10_000);
      this.logger.info(`x11vnc listens on 127.0.0.1:${port}`);
      return { host: '127.0.0.1', port };
    } catch (err) {
      if (this.child === child) this.child = undefined;
      if (child.exitCode === null) terminate(child);
      throw err;
    }
  }
}

/** How long x11vnc gets to exit on SIGTERM before it is killed. */
export const X11VNC_STOP_GRACE_MS = 2_000;

/**
 * SIGTERM, then SIGKILL if x11vnc is still there after the grace period: x11vnc's SIGTERM handler can
 * deadlock (seen when the signal lands while it is still setting up), leaving the VNC server running
 * with SIGTERM blocked after the session ended.
 */
export function terminate(child: ChildProcess, graceMs = X11VNC_STOP_GRACE_MS): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs);
  child.once('exit', () => clearTimeout(timer));
  child.kill('SIGTERM');
}

/** The port in x11vnc's `PORT=<n>` stdout line; later output is read and dropped (so x11vnc never blocks). */
export function announcedPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const stdout = child.stdout;
    if (!stdout) return reject(new Error('x11vnc has no stdout'));
    let text = '';
    const done = (err: Error | undefined, port?: number): void => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.off('exit', onExit);
      stdout.on('data', () => undefined); // keep draining
      if (err) reject(err);
      else resolve(port!);
    };
    const onData = (chunk: Buffer): void => {
      text = (text + chunk.toString('latin1')).slice(-4096);
      const m = /^PORT=(\d{1,5})\r?\n/m.exec(text);
      if (m && Number(m[1]) > 0 && Number(m[1]) < 65536) done(undefined, Number(m[1]));
    };
    const onExit = (code: number | null): void => done(new Error(`x11vnc exited (${code}) before listening`));
    const timer = setTimeout(
      () => done(new Error(`x11vnc did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    stdout.on('data', onData);
    child.once('exit', onExit);
  });
}
