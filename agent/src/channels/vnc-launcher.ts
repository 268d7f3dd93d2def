import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScreenMonitor } from '../../../contracts/agent-protocol/control-messages';
import { SCREEN_MONITORS_MAX } from '../../../contracts/agent-protocol/limits';
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
  monitor?: number,
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
  // One monitor of a multi-head desktop: x11vnc numbers them as Xinerama does (listMonitors below).
  if (monitor !== undefined) args.push('-clip', `xinerama${monitor}`);
  return args;
}

/**
 * The monitors in `xdpyinfo -ext XINERAMA`'s output (`head #1: 1280x1024 @ 1920,0`), in its order,
 * which is the order x11vnc's `-clip xinerama<n>` counts them in. At most {@link SCREEN_MONITORS_MAX};
 * lines that do not parse are skipped.
 */
export function parseXineramaHeads(text: string): ScreenMonitor[] {
  const heads: ScreenMonitor[] = [];
  for (const m of text.matchAll(/^\s*head #(\d{1,2}): (\d{1,5})x(\d{1,5}) @ (-?\d{1,5}),(-?\d{1,5})\s*$/gm)) {
    if (Number(m[1]) !== heads.length) break; // numbered 0, 1, 2, …: anything else is not that list
    const [width, height, x, y] = [m[2], m[3], m[4], m[5]].map(Number);
    if (width < 1 || height < 1 || width > 32767 || height > 32767) break;
    if (Math.abs(x) > 32767 || Math.abs(y) > 32767) break;
    heads.push({ x, y, width, height });
    if (heads.length === SCREEN_MONITORS_MAX) break;
  }
  return heads;
}

/** How long xdpyinfo gets to list the monitors before the screen opens without the list. */
const LIST_MONITORS_TIMEOUT_MS = 5_000;

/**
 * Starts x11vnc bound to 127.0.0.1 on a free port when a screen channel needs it and no VNC server
 * runs, shares it between the session's screen channels, and stops it when the last one ends (or the
 * agent exits). Linux only; only with the customer's yes (or `--start-vnc` for persistent agents).
 */
export class X11VncLauncher {
  private child: ChildProcess | undefined;
  /** One launcher per monitor shared alone (`-clip xinerama<n>`), made on first use. */
  private readonly perMonitor = new Map<number, X11VncLauncher>();
  /** x11vnc processes told to stop that have not exited yet. */
  private readonly exiting = new Set<Promise<void>>();
  private target: Promise<VncTarget> | undefined;
  private users = 0;
  /** The 0700 folder holding this run's 0600 password file; removed when x11vnc stops. */
  private secretDir: string | undefined;

  constructor(
    private readonly display: string,
    private readonly logger: AgentLogger,
    /** Where x11vnc starts looking for a free port (tests pass a port someone else holds). */
    private readonly firstPort: () => Promise<number> = freeLoopbackPort,
    /** Share only this monitor (an index into {@link listMonitors}); undefined: the whole desktop. */
    readonly monitor?: number,
  ) {}

  /** The launcher of an x11vnc sharing only monitor `index` (one per monitor, stopped with this one). */
  forMonitor(index: number): X11VncLauncher {
    let launcher = this.perMonitor.get(index);
    if (!launcher) {
      launcher = new X11VncLauncher(this.display, this.logger, this.firstPort, index);
      this.perMonitor.set(index, launcher);
    }
    return launcher;
  }

  /**
   * The display's monitors as Xinerama lists them (xdpyinfo, from x11-utils), or an empty list when
   * that cannot be read (no xdpyinfo, no access to the display, no Xinerama): the screen then opens
   * as the whole desktop, without a choice.
   */
  listMonitors(): Promise<ScreenMonitor[]> {
    return new Promise((resolve) => {
      execFile(
        'xdpyinfo',
        ['-display', this.display, '-ext', 'XINERAMA'],
        { timeout: LIST_MONITORS_TIMEOUT_MS, maxBuffer: 1024 * 1024 },
        (err, stdout) => {
          if (err) {
            this.logger.debug(`could not list the monitors: ${safe(err.message)}`);
            resolve([]);
            return;
          }
          resolve(parseXineramaHeads(stdout));
        },
      );
    });
  }

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
    if (this.users === 0) this.stopOwn();
  }

  /**
   * Stops x11vnc, and every per-monitor one (the agent is ending); resolves once each has exited, so
   * the agent does not leave one running on the device (SIGKILL after the grace period at the latest).
   */
  async stop(): Promise<void> {
    const others = [...this.perMonitor.values()].map((launcher) => launcher.stop());
    this.stopOwn();
    await Promise.all([...others, ...this.exiting]);
  }

  /** Stops this launcher's x11vnc only: another monitor's may still serve a screen channel. */
  private stopOwn(): void {
    const child = this.child;
    this.child = undefined;
    this.target = undefined;
    if (child && child.exitCode === null) {
      this.logger.info('stopping x11vnc');
      const exited = terminate(child);
      this.exiting.add(exited);
      void exited.then(() => this.exiting.delete(exited));
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
      `starting x11vnc on 127.0.0.1 (port ${firstPort} or the next free one) for display ${safe(this.display)}${this.monitor === undefined ? '' : ` (monitor ${this.monitor + 1} only)`}${guessAuth ? ' (guessing X authority)' : ''}`,
    );
    const args = x11vncArgs(this.display, firstPort, guessAuth, passwordFile, this.monitor);
    const child = spawn('x11vnc', args, {
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
      if (child.exitCode === null) void terminate(child);
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
export function terminate(child: ChildProcess, graceMs = X11VNC_STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs);
  void exited.then(() => clearTimeout(timer));
  child.kill('SIGTERM');
  return exited;
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
