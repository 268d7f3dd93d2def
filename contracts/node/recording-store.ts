import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  RECORDING_CHUNK_NAME_PATTERN,
  RECORDING_MANIFEST_MAX_BYTES,
  RECORDING_MANIFEST_NAME,
  isRecordingId,
  recordingObjectKey,
} from '../recording/format';
import type { RecordingFailure } from '../relay-events';

/**
 * Where recordings live, behind one interface: a folder (`FsRecordingStore`, the default, under
 * `DATA_DIR/recordings`) or S3-compatible object storage (`S3RecordingStore`, when RECORDING_S3_* is
 * set). The relay creates objects; the portal reads, lists and removes them. Every name goes through
 * {@link recordingObjectKey}, so a caller cannot name anything outside one recording's folder.
 */
export interface RecordingStore {
  readonly kind: 'fs' | 's3';
  /** For logs and the admin page: a folder path or `s3://bucket/prefix`, never a credential. */
  readonly location: string;
  /** Starts a new object (a chunk) that is appended to, then closed durably. */
  create(recordingId: string, name: string): RecordingObjectWriter;
  /** Writes a small object whole, replacing an earlier version atomically (the manifest). */
  put(recordingId: string, name: string, data: Uint8Array): Promise<void>;
  /** Reads an object whole; null when it does not exist. */
  get(recordingId: string, name: string): Promise<Buffer | null>;
  /** The object names of one recording (no order promised); empty when there is none. */
  list(recordingId: string): Promise<string[]>;
  /** Removes one object of a recording (the open marker); already gone counts as done. */
  removeObject(recordingId: string, name: string): Promise<void>;
  /** Removes a recording's objects; resolves once none is left (already gone counts as done). */
  remove(recordingId: string): Promise<void>;
  /** Every recording id present in the store (a sweep after a crash, retention's orphan check). */
  recordingIds(): AsyncIterable<string>;
  /** Releases clients and handles. */
  close(): Promise<void>;
}

/**
 * An object being written. `write` appends (false: wait for {@link onDrain} before writing more, as
 * with a Node Writable); `close` resolves once the bytes are durable (fsync; upload completed) and
 * rejects with {@link RecordingStoreError} if any write failed; `abort` drops the object and never rejects.
 */
export interface RecordingObjectWriter {
  write(data: Uint8Array): boolean;
  onDrain(listener: () => void): void;
  /** Called once, at the first failure (the writer then ignores writes). */
  onError(listener: (err: RecordingStoreError) => void): void;
  readonly failed: RecordingStoreError | undefined;
  /** Bytes accepted by `write` so far. */
  readonly bytes: number;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Why a store call failed, as the relay reports it (`recording_failed`): `unavailable` (store
 * unreachable or refusing), `full` (ENOSPC, quota), `read_only` (EACCES, EPERM, EROFS), `exists` (a
 * chunk is never overwritten), `bad_name` (never reaches the store), `io`.
 */
export type RecordingStoreFailure = RecordingFailure;

/** A store failure. The message is safe to log and show: no credentials, no full paths of other data. */
export class RecordingStoreError extends Error {
  constructor(
    readonly failure: RecordingStoreFailure,
    message: string,
  ) {
    super(message);
    this.name = 'RecordingStoreError';
  }
}

export function storeErrorOf(err: unknown, what: string): RecordingStoreError {
  if (err instanceof RecordingStoreError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new RecordingStoreError('full', `${what}: no space left`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new RecordingStoreError('read_only', `${what}: the recordings store is not writable (${code})`);
  if (code === 'EEXIST') return new RecordingStoreError('exists', `${what}: already exists`);
  return new RecordingStoreError('io', `${what}: ${code ?? (err as Error | undefined)?.name ?? 'error'}`);
}

function checkedKey(recordingId: string, name: string): string {
  try {
    return recordingObjectKey(recordingId, name);
  } catch {
    throw new RecordingStoreError('bad_name', 'not a recording object name');
  }
}

/**
 * Recordings in a folder: `<root>/<recordingId>/<name>`, folders 0700, files 0600, opened with
 * O_NOFOLLOW and O_EXCL. A chunk is fsynced when closed; the manifest is written to a temporary name,
 * fsynced and renamed over the old one, then the folder is fsynced, so a crash leaves either the old
 * or the new manifest, never half of one.
 */
export class FsRecordingStore implements RecordingStore {
  readonly kind = 'fs';

  constructor(readonly root: string) {}

  get location(): string {
    return this.root;
  }

  private folder(recordingId: string): string {
    if (!isRecordingId(recordingId)) throw new RecordingStoreError('bad_name', 'not a recording id');
    return join(this.root, recordingId);
  }

  private async ensureFolder(recordingId: string): Promise<string> {
    const dir = this.folder(recordingId);
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch(async (err: NodeJS.ErrnoException) => {
      // On a read-only filesystem a recursive mkdir reports ENOENT; the plain one gives the real code.
      if (err.code === 'ENOENT') await mkdir(dir, { mode: 0o700 });
      throw err;
    });
    return dir;
  }

  create(recordingId: string, name: string): RecordingObjectWriter {
    const key = checkedKey(recordingId, name);
    return new FsObjectWriter(
      this.ensureFolder(recordingId).then((dir) => join(dir, name)),
      key,
    );
  }

  async put(recordingId: string, name: string, data: Uint8Array): Promise<void> {
    const key = checkedKey(recordingId, name);
    let tmp: string | undefined;
    try {
      const dir = await this.ensureFolder(recordingId);
      const path = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      const handle = await open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
      tmp = path;
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(path, join(dir, name));
      tmp = undefined;
      await syncFolder(dir);
    } catch (err) {
      // A temporary file left by a failed write (ENOSPC mid-write) is removed, not left to pile up.
      if (tmp) await rm(tmp, { force: true }).catch(() => undefined);
      throw storeErrorOf(err, `writing ${key}`);
    }
  }

  async removeObject(recordingId: string, name: string): Promise<void> {
    const key = checkedKey(recordingId, name);
    try {
      await unlink(join(this.folder(recordingId), name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw storeErrorOf(err, `removing ${key}`);
    }
  }

  async get(recordingId: string, name: string): Promise<Buffer | null> {
    const key = checkedKey(recordingId, name);
    const file = join(this.folder(recordingId), name);
    try {
      const handle = await open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
      try {
        const info = await handle.stat();
        if (!info.isFile()) return null;
        if (name === RECORDING_MANIFEST_NAME && info.size > RECORDING_MANIFEST_MAX_BYTES)
          throw new RecordingStoreError('io', `${key} is too large`);
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return null;
      throw storeErrorOf(err, `reading ${key}`);
    }
  }

  async list(recordingId: string): Promise<string[]> {
    try {
      const names = await readdir(this.folder(recordingId));
      return names.filter((n) => n === RECORDING_MANIFEST_NAME || RECORDING_CHUNK_NAME_PATTERN.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw storeErrorOf(err, 'listing a recording');
    }
  }

  async remove(recordingId: string): Promise<void> {
    try {
      await rm(this.folder(recordingId), { recursive: true, force: true });
    } catch (err) {
      throw storeErrorOf(err, 'removing a recording');
    }
  }

  async *recordingIds(): AsyncIterable<string> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw storeErrorOf(err, 'listing recordings');
    }
    for (const n of names) if (isRecordingId(n)) yield n;
  }

  async close(): Promise<void> {}

  /**
   * Creates the root folder (0700), checks it is a folder, then writes, fsyncs and deletes a probe file
   * in it, so a folder that exists but cannot take a file (read-only filesystem, no permission, full)
   * is found at start, with the real reason. The relay calls it at start.
   */
  async prepare(): Promise<void> {
    try {
      // A file in the way makes mkdir fail with EEXIST: the stat below names the real problem.
      await mkdir(this.root, { recursive: true, mode: 0o700 }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return;
        // On a read-only filesystem a recursive mkdir reports ENOENT; the plain one says EROFS.
        if (err.code === 'ENOENT') await mkdir(this.root, { mode: 0o700 });
        throw err;
      });
      const info = await stat(this.root);
      if (!info.isDirectory()) throw new RecordingStoreError('io', 'the recordings path is not a folder');
      const probe = join(this.root, `.probe-${randomBytes(6).toString('hex')}`);
      const handle = await open(probe, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
      try {
        await handle.writeFile('probe');
        await handle.sync();
      } finally {
        await handle.close();
        await rm(probe, { force: true });
      }
    } catch (err) {
      throw storeErrorOf(err, 'preparing the recordings folder');
    }
  }
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Bytes a writer holds before `write` returns false. */
const WRITER_HIGH_WATER = 1024 * 1024;

/**
 * Appends through one FileHandle: writes that arrive while one is in flight are gathered and written
 * together with `writev`, so many small WebSocket messages cost few system calls.
 */
class FsObjectWriter implements RecordingObjectWriter {
  private handle: FileHandle | undefined;
  private queued: Uint8Array[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;
  private readonly drainListeners: Array<() => void> = [];
  private readonly errorListeners: Array<(err: RecordingStoreError) => void> = [];
  private readonly opened: Promise<void>;
  private path = '';
  private closed = false;
  failed: RecordingStoreError | undefined;
  bytes = 0;

  constructor(
    path: Promise<string>,
    private readonly key: string,
  ) {
    this.opened = path
      .then(async (p) => {
        this.handle = await open(p, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
        // Only a file this writer created is ours to delete: after EEXIST, abort leaves the other one be.
        this.path = p;
        this.flush();
      })
      .catch((err: unknown) => this.fail(err));
  }

  write(data: Uint8Array): boolean {
    if (this.failed || this.closed) return true;
    this.bytes += data.length;
    this.queued.push(data);
    this.queuedBytes += data.length;
    // Written at the end of this turn of the event loop, so the messages of one turn share one writev.
    if (this.handle && !this.flushing && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    return this.queuedBytes < WRITER_HIGH_WATER;
  }

  private flush(): void {
    const handle = this.handle;
    if (!handle || this.flushing || this.queued.length === 0 || this.failed) return;
    const batch = this.queued;
    const size = this.queuedBytes;
    this.queued = [];
    this.queuedBytes = 0;
    this.flushing = handle
      .writev(batch)
      .then(async ({ bytesWritten }) => {
        // A short write (the filesystem filled up mid-way): write the rest, which fails with the reason.
        let rest = bytesWritten < size ? Buffer.concat(batch).subarray(bytesWritten) : undefined;
        while (rest && rest.length > 0) {
          const { bytesWritten: more } = await handle.write(rest);
          if (more === 0) throw new RecordingStoreError('io', `writing ${this.key}: short write`);
          rest = rest.subarray(more);
        }
      })
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.flushing = undefined;
        if (this.queued.length > 0) this.flush();
        if (this.queuedBytes < WRITER_HIGH_WATER) this.drained();
      });
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  onError(listener: (err: RecordingStoreError) => void): void {
    if (this.failed) listener(this.failed);
    else this.errorListeners.push(listener);
  }

  private drained(): void {
    for (const l of this.drainListeners.splice(0)) l();
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = storeErrorOf(err, `writing ${this.key}`);
    this.queued = [];
    this.queuedBytes = 0;
    for (const l of this.errorListeners.splice(0)) l(this.failed);
    this.drained();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opened;
    while (this.flushing || (this.queued.length > 0 && !this.failed)) {
      if (!this.flushing) this.flush();
      await this.flushing;
    }
    const handle = this.handle;
    this.handle = undefined;
    if (this.failed || !handle) {
      await handle?.close().catch(() => undefined);
      throw this.failed ?? new RecordingStoreError('io', `writing ${this.key}`);
    }
    try {
      await handle.sync();
    } catch (err) {
      this.fail(err);
    } finally {
      await handle.close().catch(() => undefined);
    }
    const failed = this.failed as RecordingStoreError | undefined;
    if (failed) throw failed;
  }

  async abort(): Promise<void> {
    this.closed = true;
    await this.opened;
    await this.flushing;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
    if (this.path) await rm(this.path, { force: true }).catch(() => undefined);
  }
}
