import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { safe, type AgentLogger } from '../core/logger';
import { hasCommand } from '../platform/posix';
import { waitForPort } from './tcp';

export interface VncTarget {
  host: string;
  port: number;
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
 * The x11vnc arguments: loopback only, this display, for as long as the session needs it. `guessAuth`
 * asks x11vnc to find the display manager's X authority (root only; used when a plain start fails).
 */
export function x11vncArgs(display: string, port: number, guessAuth: boolean): string[] {
  const args = [
    '-localhost',
    '-rfbport',
    String(port),
    '-display',
    display,
    '-nopw',
    '-forever',
    '-shared',
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

  constructor(
    private readonly display: string,
    private readonly logger: AgentLogger,
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
      child.kill('SIGTERM');
    }
  }

  private async start(): Promise<VncTarget> {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const attempts = isRoot && !process.env.XAUTHORITY ? [false, true] : [false];
    let lastError: unknown;
    for (const guessAuth of attempts) {
      try {
        return await this.startOnce(guessAuth);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  private async startOnce(guessAuth: boolean): Promise<VncTarget> {
    const port = await freeLoopbackPort();
    this.logger.info(
      `starting x11vnc on 127.0.0.1:${port} for display ${safe(this.display)}${guessAuth ? ' (guessing X authority)' : ''}`,
    );
    const child = spawn('x11vnc', x11vncArgs(this.display, port, guessAuth), { stdio: 'ignore' });
    this.child = child;
    child.on('error', (err) => this.logger.warn(`x11vnc failed: ${safe(err)}`));
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    try {
      await waitForPort('127.0.0.1', port, 10_000, () => this.child === child);
    } catch (err) {
      if (this.child === child) this.child = undefined;
      if (child.exitCode === null) child.kill('SIGTERM');
      throw err;
    }
    return { host: '127.0.0.1', port };
  }
}
