import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { commonErrors } from './common.errors';

const scryptRaw = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

/**
 * scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), which the
 * database driver also needs: opening a PostgreSQL connection runs its SCRAM key derivation (and a
 * host-name lookup) there. Forty parallel logins used to queue forty 32 MiB scrypt jobs ahead of
 * them, a new pool connection then missed its 10 s connect timeout and logins answered 500. So at
 * most this many hashes run at once, always leaving threads free for everything else.
 */
export const MAX_PARALLEL_HASHES = Math.max(1, threadPoolSize() - 2);
/** Hashes waiting for a thread beyond this are refused (429) rather than queued without bound. */
export const MAX_WAITING_HASHES = 256;
const BUSY_RETRY_SEC = 5;

let running = 0;
const waiting: (() => void)[] = [];

async function scrypt(pw: string, salt: Buffer, len: number, opts: object): Promise<Buffer> {
  if (running >= MAX_PARALLEL_HASHES) {
    if (waiting.length >= MAX_WAITING_HASHES) {
      throw commonErrors.passwordCheckBusy(BUSY_RETRY_SEC);
    }
    // The slot is handed over by the finishing hash (running stays counted), so none can jump the queue.
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await scryptRaw(pw, salt, len, opts);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function threadPoolSize(): number {
  const n = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? n : 4;
}

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const MAXMEM = 64 * 1024 * 1024;

/**
 * scrypt password hashes in the self-describing form `scrypt$N$r$p$salt$hash` (base64url). Here in
 * common/ because users/ hashes and generates passwords while auth/ verifies them, and auth already
 * reads users: neither module imports the other for it.
 */
export const passwordHasher = {
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scrypt(password.normalize('NFKC'), salt, KEY_LEN, { N, r: R, p: P, maxmem: MAXMEM });
    return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
  },

  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [n, r, p] = parts.slice(1, 4).map(Number);
    const salt = Buffer.from(parts[4] ?? '', 'base64url');
    const expected = Buffer.from(parts[5] ?? '', 'base64url');
    if (!n || !r || !p || expected.length === 0) return false;
    const key = await scrypt(password.normalize('NFKC'), salt, expected.length, {
      N: n,
      r,
      p,
      maxmem: MAXMEM,
    });
    return timingSafeEqual(key, expected);
  },

  /** Generates a readable random password for a new account (about 120 bits). */
  generate(): string {
    return randomBytes(15)
      .toString('base64url')
      .replace(/[-_]/g, 'x')
      .replace(/(.{5})(?!$)/g, '$1-');
  },
};
