import { createHash, type Hash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import {
  CLOSE_CHANNEL_RECONNECTING,
  type FileActivityMessage,
} from '../../../contracts/agent-protocol/control-messages';
import type { AgentOs } from '../../../contracts/agent-protocol/enums';
import {
  decodeFilesData,
  FILES_DATA_HEADER_BYTES,
  FILES_LIMITS,
  parseFilesRequest,
  type FilesEntry,
  type FilesEntryKind,
  type FilesErrorCode,
  type FilesReply,
  type FilesRequest,
} from '../../../contracts/agent-protocol/files-frames';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { ChannelLifecycle, type ActiveChannel, type ChannelContext } from '../channels/channel';
import { safe } from '../core/logger';
import type { FilesConfig } from './files-config';
import { realFs, type FilesFs } from './files-fs';
import { FilesError, fsError, sentence, shown } from './fs-errors';
import type { Partial, PartialStore } from './partials';
import { quickPlaces } from './places';

/** What the agent reports to the portal after each finished operation (`file_activity` minus the envelope). */
export type FileActivity = Omit<FileActivityMessage, 'type' | 'sessionId'>;

export interface FilesChannelOptions {
  os: AgentOs;
  /** The desktop user's home (`~`, the first place). */
  home: string;
  config: FilesConfig;
  /** Upload temporaries, per session; kept across channels for a resume. */
  partials: PartialStore;
  /**
   * Asked before every operation (the kill switch, under the channel's consent): a refusal's sentence,
   * or undefined when the operation may go ahead.
   */
  refusal?: () => Promise<string | undefined>;
  /** A finished operation, for the portal's audit trail. */
  report?: (activity: FileActivity) => void;
  /** Tests inject failures the device would produce; default: node:fs/promises. */
  fs?: FilesFs;
  /** Entries a folder download's zip may hold; default FILES_LIMITS.maxZipEntries (tests lower it). */
  maxZipEntries?: number;
  /** ws.bufferedAmount above which a download waits for the socket to drain. */
  highWaterBytes?: number;
}

/** Relay close codes that end a channel on purpose: a running upload's partial file is deleted. */
const DELIBERATE_CLOSE_CODES: ReadonlySet<number> = new Set([
  RelayCloseCode.EndedByTechnician,
  RelayCloseCode.EndedOnDevice,
]);
/** Ids of finished transfers remembered, so a late ack or data frame in flight is dropped quietly. */
const RECENT_IDS = 256;
const MIB = 1024 * 1024;
/** Not defined on Windows, where there is nothing to refuse. */
const O_NOFOLLOW = fsConstants.O_NOFOLLOW ?? 0;
/** A new temporary file: created here or not at all, and never through a symlink at its name. */
const CREATE_TEMP = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | O_NOFOLLOW;
/** A kept temporary file, reopened for a resume: never through a symlink at its name. */
const REOPEN_TEMP = fsConstants.O_RDWR | O_NOFOLLOW;

interface Download {
  kind: 'download';
  id: number;
  path: string;
  zip: boolean;
  sent: number;
  acked: number;
  cancelled: boolean;
  /** Why the download was stopped by the channel (a bad ack), rather than cancelled by the viewer. */
  failure?: FilesError;
  wake: (() => void) | undefined;
}

interface Upload {
  kind: 'upload';
  id: number;
  target: string;
  dir: string;
  name: string;
  size: number;
  overwrite: boolean;
  partial: Partial;
  fd: FileHandle;
  hash: Hash;
  /** Absolute file positions: bytes received, written, and acknowledged to the viewer. */
  received: number;
  written: number;
  ackSent: number;
  /** Writes in order; never rejects. */
  chain: Promise<void>;
  /** Data received and not yet written, and whether a drain is scheduled. */
  queue: Uint8Array[];
  draining: boolean;
  finished: boolean;
}

type Transfer = Download | Upload;

class Cancelled extends Error {}

/** An ENOENT-tolerant lstat. */
async function lstatOrNull(fs: FilesFs, path: string) {
  try {
    return await fs.lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function kindOf(st: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): FilesEntryKind {
  return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

function megabytes(bytes: number): string {
  return `${Math.ceil(bytes / MIB)} MB`;
}

/** `.<name>.<resumeKey>.qspart`, its name part shortened so the whole stays within 255 bytes. */
export function partialName(name: string, resumeKey: string): string {
  const suffix = `.${resumeKey}.qspart`;
  let head = name;
  while (Buffer.byteLength(`.${head}${suffix}`) > 255) head = head.slice(0, -1);
  return `.${head}${suffix}`;
}

/**
 * The files channel (protocol 1.4, contracts/agent-protocol/files-frames.ts): a file manager over one
 * relay socket. Every request is answered with its id; errors close the operation, never the channel.
 */
export class FilesChannel implements ActiveChannel {
  readonly ref: ActiveChannel['ref'];
  readonly ended: ActiveChannel['ended'];
  readonly socketClosed: ActiveChannel['socketClosed'];
  private readonly lifecycle: ChannelLifecycle;
  private readonly fs: FilesFs;
  private readonly path: typeof nodePath.posix;
  /**
   * Folders a listing or `places` returned on this channel, with the device and inode seen then: the only
   * `dir` later requests may name, and only while the path still leads, without a symlink, to that folder.
   */
  private readonly listed = new Map<string, { dev: number; ino: number }>();
  /** Ids of running operations (transfers and the others). */
  private readonly busy = new Set<number>();
  private readonly transfers = new Map<number, Transfer>();
  private readonly recent: number[] = [];
  private closeCode: number | undefined;
  private closed = false;
  /** Uploads' files being closed as the channel ends. */
  private readonly closing: Promise<void>[] = [];

  constructor(
    private readonly ctx: ChannelContext,
    private readonly options: FilesChannelOptions,
  ) {
    this.ref = ctx.ref;
    this.fs = options.fs ?? realFs;
    this.path = options.os === 'windows' ? nodePath.win32 : nodePath.posix;
    const { ws } = ctx;
    // Registered before the lifecycle's own listener: the code decides whether partials are kept.
    ws.on('close', (code) => (this.closeCode ??= code));
    this.lifecycle = new ChannelLifecycle(ws, () => this.cleanup());
    this.ended = this.lifecycle.ended;
    this.socketClosed = this.lifecycle.socketClosed;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.onData(data);
      else void this.onText(data.toString('utf8'));
    });
  }

  close(code: number, reason: string): void {
    // The portal closing the channel only to open it again keeps a running upload for its resume.
    this.closeCode ??= reason === CLOSE_CHANNEL_RECONNECTING ? RelayCloseCode.ConnectionLost : code;
    this.lifecycle.close(code, reason);
  }

  // ---- frames ----

  private send(reply: FilesReply): void {
    if (!this.closed && this.ctx.ws.readyState === this.ctx.ws.OPEN) this.ctx.ws.send(JSON.stringify(reply));
  }

  private fail(id: number, code: FilesErrorCode, message: string): void {
    this.send({ type: 'error', id, code, message: sentence(message) });
  }

  private remember(id: number): void {
    this.recent.push(id);
    if (this.recent.length > RECENT_IDS) this.recent.shift();
  }

  private onData(frame: Buffer): void {
    const data = decodeFilesData(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
    if (!data) {
      this.fail(0, 'bad_frame', 'A data frame was too short, too long or named no operation.');
      return;
    }
    const transfer = this.transfers.get(data.id);
    if (transfer?.kind === 'upload') this.receive(transfer, data.data);
    else if (!this.recent.includes(data.id))
      this.fail(data.id, 'unknown_transfer', `No upload with id ${data.id} is running.`);
  }

  private async onText(text: string): Promise<void> {
    const parsed = parseFilesRequest(text);
    if (!parsed.ok) {
      const nameOrPath = /NUL byte|one plain name/.test(parsed.error);
      const portable = /valid on every system/.test(parsed.error);
      const code =
        'unknownOp' in parsed && parsed.unknownOp ? 'unknown_op' : nameOrPath ? 'bad_path' : 'bad_frame';
      const id = 'id' in parsed ? parsed.id : 0;
      const detail = safe(parsed.error, 300);
      this.fail(
        id,
        code,
        portable
          ? `That name cannot be created: a new name has none of : * ? " < > |, no control character, no dot or space at its end, and is not a Windows device name such as CON, NUL, COM1 or LPT1 (${detail}).`
          : code === 'bad_path'
            ? `That path or name is not allowed: a name is one plain name (no / or \\, not . or ..) and no path holds a NUL byte (${detail}).`
            : code === 'unknown_op'
              ? `The device does not know that operation (${detail}).`
              : `The request could not be read (${detail}).`,
      );
      return;
    }
    const request = parsed.value;
    if (request.op === 'ack') return this.onAck(request.id, request.bytes);
    if (request.op === 'cancel') return this.onCancel(request.id);
    if (request.op === 'upload_end') return this.onUploadEnd(request.id, request.sha256);
    if (this.busy.has(request.id)) {
      this.fail(request.id, 'duplicate_id', `Operation id ${request.id} is already in use.`);
      return;
    }
    this.busy.add(request.id);
    try {
      const refusal = await this.options.refusal?.();
      if (refusal !== undefined) throw new FilesError('permission_denied', refusal);
      await this.run(request);
    } catch (err) {
      const e =
        err instanceof FilesError ? err : new FilesError('io_error', `The operation failed: ${safe(err)}`);
      this.fail(request.id, e.code, e.message);
    } finally {
      if (!this.transfers.has(request.id)) this.busy.delete(request.id);
    }
  }

  private async run(request: FilesRequest): Promise<void> {
    switch (request.op) {
      case 'places':
        return this.places(request.id);
      case 'list':
        return this.list(request.id, request.path);
      case 'mkdir':
        return this.mkdir(request.id, request.dir, request.name);
      case 'rename':
        return this.rename(request.id, request.dir, request.name, request.to);
      case 'delete':
        return this.remove(request.id, request.dir, request.name);
      case 'download':
        return this.claimed(request.id, () => this.download(request.id, request.dir, request.name));
      case 'upload':
        return this.claimed(request.id, () => this.upload(request));
      case 'ack':
      case 'cancel':
      case 'upload_end':
        throw new FilesError('unknown_op', 'That operation is not handled here.');
    }
  }

  /**
   * `dir` as a listing returned it, and one plain name inside it. Checked again before every change: a
   * folder replaced since (by a symlink elsewhere, or another folder) is refused.
   */
  private async inside(dir: string, name: string): Promise<string> {
    await this.pinned(dir);
    return this.path.join(dir, name);
  }

  private async pinned(dir: string): Promise<void> {
    const seen = this.listed.get(dir);
    if (!seen)
      throw new FilesError(
        'not_listed',
        `The folder ${shown(dir)} was not listed on this connection; list it first.`,
      );
    let same = false;
    try {
      const real = await this.fs.realpath(dir);
      const st = await this.fs.stat(real);
      same = real === dir && st.dev === seen.dev && st.ino === seen.ino;
    } catch {
      same = false;
    }
    if (!same) {
      this.listed.delete(dir);
      throw new FilesError(
        'not_listed',
        `The folder ${shown(dir)} changed since it was listed; list it again.`,
      );
    }
  }

  /** Remembers a listed folder as it is now. */
  private async pin(dir: string, st?: { dev: number; ino: number }): Promise<void> {
    try {
      const { dev, ino } = st ?? (await this.fs.stat(dir));
      this.listed.set(dir, { dev, ino });
    } catch {
      // gone already: not listed
    }
  }

  private report(activity: FileActivity): void {
    try {
      this.options.report?.(activity);
    } catch (err) {
      this.ctx.logger.warn(`file activity not reported: ${safe(err)}`);
    }
  }

  /** Runs a mkdir/rename/delete, reporting its end to the portal whatever it was. */
  private async audited(
    action: 'mkdir' | 'rename' | 'delete',
    path: string,
    to: string | undefined,
    work: () => Promise<void>,
  ): Promise<void> {
    try {
      await work();
      this.report({ action, path, ...(to !== undefined && { to }), result: 'ok' });
    } catch (err) {
      const e = fsError(err, path, `Could not ${action}`);
      this.report({ action, path, ...(to !== undefined && { to }), result: 'failed', error: e.code });
      throw e;
    }
  }

  // ---- browsing ----

  private async places(id: number): Promise<void> {
    const { os, home, config } = this.options;
    const places = await quickPlaces(os, home, this.fs);
    await Promise.all(places.map((p) => this.pin(p.path)));
    this.send({
      type: 'places',
      id,
      os,
      sep: os === 'windows' ? '\\' : '/',
      home: places.find((p) => p.kind === 'home')?.path ?? home,
      places,
      maxUploadBytes: config.maxUploadBytes,
      maxTransfers: config.maxTransfers,
    });
  }

  private async list(id: number, requested: string): Promise<void> {
    const wanted = requested === '~' ? this.options.home : requested;
    if (!this.path.isAbsolute(wanted))
      throw new FilesError('bad_path', `Give a full path starting at a root: ${shown(requested)}`);
    let real: string;
    let folder: { dev: number; ino: number };
    try {
      real = await this.fs.realpath(wanted);
      const st = await this.fs.stat(real);
      if (!st.isDirectory()) throw new FilesError('not_a_folder', `Not a folder: ${shown(real)}`);
      folder = st;
    } catch (err) {
      throw fsError(err, wanted, 'Could not open');
    }
    let names: string[];
    try {
      names = await this.readNames(real, FILES_LIMITS.maxListEntries + 1);
    } catch (err) {
      throw fsError(err, real, 'Could not list');
    }
    names.sort();
    const truncated = names.length > FILES_LIMITS.maxListEntries;
    if (truncated) names.length = FILES_LIMITS.maxListEntries;
    await this.pin(real, folder);
    const up = this.path.dirname(real);
    const parent = up === real ? null : up;
    const header = { type: 'listing' as const, id, path: real, parent };
    // A page ends at the entry count or the byte cap, whichever comes first; the last says done.
    const base = Buffer.byteLength(JSON.stringify({ ...header, entries: [], done: false, truncated: true }));
    let page: FilesEntry[] = [];
    let bytes = base;
    for (let at = 0; at < names.length || at === 0; at += FILES_LIMITS.listPageEntries) {
      if (this.closed) return;
      const slice = names.slice(at, at + FILES_LIMITS.listPageEntries);
      const entries = (await Promise.all(slice.map((n) => this.entry(real, n)))).filter(
        (e): e is FilesEntry => e !== undefined,
      );
      for (const entry of entries) {
        const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
        if (
          page.length > 0 &&
          (page.length >= FILES_LIMITS.listPageEntries || bytes + size > FILES_LIMITS.listPageBytes)
        ) {
          this.send({ ...header, entries: page, done: false });
          page = [];
          bytes = base;
        }
        page.push(entry);
        bytes += size;
      }
      if (names.length === 0) break;
    }
    if (this.closed) return;
    this.send({ ...header, entries: page, done: true, ...(truncated && { truncated: true }) });
  }

  /** Up to `max` names in `dir`, read one by one (a folder of millions is never read whole). */
  private async readNames(dir: string, max: number): Promise<string[]> {
    const names: string[] = [];
    const handle = await this.fs.opendir(dir, { bufferSize: 256 });
    try {
      for (let e = await handle.read(); e && names.length < max; e = await handle.read()) names.push(e.name);
    } finally {
      await handle.close().catch(() => undefined);
    }
    return names;
  }

  private async entry(dir: string, name: string): Promise<FilesEntry | undefined> {
    if (name.length > FILES_LIMITS.maxNameChars) return undefined;
    const full = this.path.join(dir, name);
    let st;
    try {
      st = await this.fs.lstat(full);
    } catch {
      return undefined; // gone since the folder was read, or unreadable: not listed
    }
    const kind = kindOf(st);
    const entry: FilesEntry = {
      name,
      kind,
      size: kind === 'file' ? st.size : 0,
      mtime: Math.max(0, Math.floor(st.mtimeMs)),
      hidden: name.startsWith('.'),
    };
    if (this.options.os !== 'windows') entry.mode = st.mode & 0o7777;
    if (kind === 'symlink') {
      try {
        entry.target = (await this.fs.readlink(full)).slice(0, FILES_LIMITS.maxPathChars);
      } catch {
        entry.target = '';
      }
      try {
        entry.targetKind = kindOf(await this.fs.stat(full));
      } catch {
        entry.targetKind = 'other';
      }
    }
    return entry;
  }

  // ---- changes ----

  private async mkdir(id: number, dir: string, name: string): Promise<void> {
    const path = await this.inside(dir, name);
    await this.audited('mkdir', path, undefined, async () => {
      await this.fs.mkdir(path);
      // lchown: a symlink swapped in at the new name is changed itself, never what it points to.
      await this.giveToFolderOwner((uid, gid) => this.fs.lchown(path, uid, gid), path, dir);
    });
    this.send({ type: 'done', id, path });
  }

  private async rename(id: number, dir: string, name: string, to: string): Promise<void> {
    const from = await this.inside(dir, name);
    const dest = this.path.join(dir, to);
    await this.audited('rename', from, dest, async () => {
      const source = await this.fs.lstat(from);
      const existing = await lstatOrNull(this.fs, dest);
      // The same file under another case (a case-insensitive disk) is a rename, not an overwrite.
      if (existing && !(existing.ino === source.ino && existing.dev === source.dev && from !== dest))
        throw new FilesError('exists', `Something named ${shown(dest)} already exists.`);
      await this.fs.rename(from, dest);
    });
    this.send({ type: 'done', id, path: dest });
  }

  private async remove(id: number, dir: string, name: string): Promise<void> {
    const path = await this.inside(dir, name);
    await this.audited('delete', path, undefined, async () => {
      await this.fs.lstat(path);
      // fs.rm never follows a symlink: a link is removed, never what it points to.
      await this.fs.rm(path, { recursive: true, force: false });
    });
    this.send({ type: 'done', id, path });
  }

  /** A root agent creating something in a user's folder hands it to that folder's owner. */
  private async giveToFolderOwner(
    chown: (uid: number, gid: number) => Promise<void>,
    path: string,
    dir: string,
    like?: { uid: number; gid: number },
  ): Promise<void> {
    if (this.options.os === 'windows' || process.getuid?.() !== 0) return;
    try {
      const owner = like ?? (await this.fs.stat(dir));
      if (owner.uid !== 0) await chown(owner.uid, owner.gid);
    } catch (err) {
      this.ctx.logger.debug(`could not hand ${safe(path)} to its folder's owner: ${safe(err)}`);
    }
  }

  // ---- transfers ----

  /** Transfers being set up (checks before `upload_ready`/`download_start`): they count against the limit. */
  private readonly claims = new Set<number>();

  /** Ids of transfers cancelled while still being set up: the set-up stops at its next step. */
  private readonly cancelledSetups = new Set<number>();

  /** Throws `cancelled` when the channel closed or the viewer cancelled `id` during an await of its set-up. */
  private stillWanted(id: number): void {
    if (this.closed || this.cancelledSetups.has(id))
      throw new FilesError('cancelled', 'The transfer was cancelled before it started.');
  }

  /** Whether the way the channel ended keeps upload partials for a resume (a dropped socket does). */
  private keepPartials(): boolean {
    return !DELIBERATE_CLOSE_CODES.has(this.closeCode ?? RelayCloseCode.ConnectionLost);
  }

  private claimSlot(id: number): void {
    const settingUp = [...this.claims].filter((c) => !this.transfers.has(c)).length;
    if (this.transfers.size + settingUp >= this.options.config.maxTransfers)
      throw new FilesError(
        'too_many_transfers',
        `${this.options.config.maxTransfers} transfers are already running; wait for one to finish.`,
      );
    if (this.transfers.has(id)) throw new FilesError('duplicate_id', `Operation id ${id} is already in use.`);
  }

  private async claimed(id: number, start: () => Promise<void>): Promise<void> {
    this.claimSlot(id);
    this.claims.add(id);
    try {
      await start();
    } finally {
      this.claims.delete(id);
      this.cancelledSetups.delete(id);
    }
  }

  private endTransfer(t: Transfer): void {
    if (this.transfers.get(t.id) === t) this.transfers.delete(t.id);
    this.busy.delete(t.id);
    this.remember(t.id);
  }

  private onAck(id: number, bytes: number): void {
    const t = this.transfers.get(id);
    if (t?.kind === 'download') {
      if (bytes > t.sent) {
        // Both sides must agree on what arrived: the download ends, answered with this error.
        t.failure ??= new FilesError('bad_frame', `The ack names ${bytes} bytes; only ${t.sent} were sent.`);
        t.cancelled = true;
        t.wake?.();
        return;
      }
      t.acked = Math.max(t.acked, bytes);
      t.wake?.();
    } else if (!t && !this.recent.includes(id)) {
      this.fail(id, 'unknown_transfer', `No download with id ${id} is running.`);
    }
  }

  private onCancel(id: number): void {
    const t = this.transfers.get(id);
    if (!t && this.claims.has(id)) {
      // Still being set up: the set-up sees this at its next step, cleans up and answers `cancelled`.
      this.cancelledSetups.add(id);
      return;
    }
    if (!t) {
      if (!this.recent.includes(id))
        this.fail(id, 'unknown_transfer', `No transfer with id ${id} is running.`);
      return;
    }
    if (t.kind === 'download') {
      t.cancelled = true;
      t.wake?.();
    } else {
      void this.abortUpload(t, new FilesError('cancelled', 'The upload was cancelled.'), 'cancelled');
    }
  }

  // -- download --

  private async download(id: number, dir: string, name: string): Promise<void> {
    const path = await this.inside(dir, name);
    let st;
    try {
      st = await this.fs.stat(path); // a symlink is followed for reading
    } catch (err) {
      throw fsError(err, path, 'Could not read');
    }
    if (!st.isFile() && !st.isDirectory())
      throw new FilesError('io_error', `${shown(path)} is not a file or a folder.`);
    const zip = st.isDirectory();
    this.stillWanted(id);
    const t: Download = {
      kind: 'download',
      id,
      path,
      zip,
      sent: 0,
      acked: 0,
      cancelled: false,
      wake: undefined,
    };
    this.transfers.set(id, t);
    const hash = createHash('sha256');
    try {
      if (zip) await this.sendZip(t, path, name, hash);
      else await this.sendFile(t, path, name, hash);
      const sha256 = hash.digest('hex');
      this.send({ type: 'download_end', id, bytes: t.sent, sha256 });
      this.report({ action: 'download', path, bytes: t.sent, sha256, ...(zip && { zip }), result: 'ok' });
    } catch (err) {
      const cancelled = !t.failure && (err instanceof Cancelled || t.cancelled);
      const e = t.failure
        ? t.failure
        : cancelled
          ? new FilesError('cancelled', 'The download was cancelled.')
          : fsError(err, path, 'Could not read');
      this.report({
        action: 'download',
        path,
        bytes: t.sent,
        ...(zip && { zip }),
        result: cancelled ? 'cancelled' : 'failed',
        ...(!cancelled && { error: e.code }),
      });
      throw e;
    } finally {
      this.endTransfer(t);
    }
  }

  /** Sends one frame (header already in place) within the window and the socket's buffer. */
  private async sendFrame(t: Download, frame: Buffer, release?: () => void): Promise<void> {
    const bytes = frame.byteLength - FILES_DATA_HEADER_BYTES;
    while (!t.cancelled && !this.closed && t.sent + bytes - t.acked > FILES_LIMITS.windowBytes)
      await new Promise<void>((resolve) => (t.wake = resolve));
    t.wake = undefined;
    if (t.cancelled || this.closed) throw new Cancelled();
    const { ws } = this.ctx;
    t.sent += bytes;
    const flushed = new Promise<void>((resolve) =>
      ws.send(frame, { binary: true }, () => {
        release?.();
        resolve();
      }),
    );
    if (ws.bufferedAmount > (this.options.highWaterBytes ?? 4 * FILES_LIMITS.chunkBytes)) await flushed;
  }

  private async sendFile(t: Download, path: string, name: string, hash: Hash): Promise<void> {
    const fd = await this.fs.open(path, 'r');
    try {
      const before = await fd.stat();
      this.send({ type: 'download_start', id: t.id, name, size: before.size, zip: false });
      let position = 0;
      // Frame buffers are reused once the socket has taken them: a 1 GiB file allocates a window's worth.
      const pool: Buffer[] = [];
      const read = async (at: number): Promise<{ frame: Buffer; bytesRead: number }> => {
        const frame = pool.pop() ?? Buffer.allocUnsafe(FILES_DATA_HEADER_BYTES + FILES_LIMITS.chunkBytes);
        frame.writeUInt32BE(t.id, 0);
        const { bytesRead } = await fd.read(frame, FILES_DATA_HEADER_BYTES, FILES_LIMITS.chunkBytes, at);
        return { frame, bytesRead };
      };
      let next = read(0);
      try {
        for (;;) {
          const { frame, bytesRead } = await next;
          if (bytesRead === 0) break;
          position += bytesRead;
          if (position > before.size) break;
          // The next read runs while this chunk is hashed and sent.
          next = read(position);
          hash.update(frame.subarray(FILES_DATA_HEADER_BYTES, FILES_DATA_HEADER_BYTES + bytesRead));
          await this.sendFrame(t, frame.subarray(0, FILES_DATA_HEADER_BYTES + bytesRead), () =>
            pool.push(frame),
          );
        }
      } finally {
        await next.catch(() => undefined);
      }
      const after = await fd.stat();
      const now = await this.fs.stat(path);
      if (
        position !== before.size ||
        after.size !== before.size ||
        after.mtimeMs !== before.mtimeMs ||
        now.size !== before.size ||
        now.mtimeMs !== before.mtimeMs
      )
        throw new FilesError(
          'changed_while_reading',
          `${shown(path)} changed while it was being sent; download it again.`,
        );
    } finally {
      await fd.close().catch(() => undefined);
    }
  }

  private async sendZip(t: Download, root: string, name: string, hash: Hash): Promise<void> {
    const zip = new ZipFile();
    const sep = this.path.sep;
    let failure: unknown;
    let reading: Readable | undefined;
    zip.on('error', (err: unknown) => {
      failure ??= err;
      (zip.outputStream as Readable).destroy();
    });
    // Walks depth-first without following symlinks: a link is stored as a link, never what it points to.
    let count = 0;
    const max = this.options.maxZipEntries ?? FILES_LIMITS.maxZipEntries;
    const tooMany = (): FilesError =>
      new FilesError(
        'too_large',
        `${shown(root)} holds more than ${max.toLocaleString('en')} files and folders; download smaller folders inside it.`,
      );
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const names = (await this.readNames(dir, max - count + 1)).sort();
      if (count + names.length > max) throw tooMany();
      count += names.length;
      for (const entryName of names) {
        if (t.cancelled || this.closed || failure) return;
        const full = dir + (dir.endsWith(sep) ? '' : sep) + entryName;
        const rel = `${prefix}/${entryName}`;
        if (rel.includes('\\')) continue; // a zip path cannot hold a backslash
        const st = await this.fs.lstat(full);
        const mtime = st.mtime;
        if (st.isDirectory()) {
          zip.addEmptyDirectory(rel, { mtime, mode: st.mode });
          await walk(full, rel);
        } else if (st.isSymbolicLink()) {
          zip.addBuffer(Buffer.from(await this.fs.readlink(full)), rel, {
            mtime,
            mode: 0o120777,
            compress: false,
          });
        } else if (st.isFile()) {
          zip.addReadStreamLazy(rel, { mtime, mode: st.mode, size: st.size, compress: false }, (cb) => {
            this.fs.open(full, 'r').then(
              (fd) => {
                reading = fd.createReadStream({ highWaterMark: FILES_LIMITS.chunkBytes });
                cb(null, reading);
              },
              (err: unknown) => cb(fsError(err, full, 'Could not read'), undefined as unknown as Readable),
            );
          });
        }
      }
    };
    this.send({ type: 'download_start', id: t.id, name: `${name}.zip`, size: null, zip: true });
    const walking = walk(root, name).then(
      () => zip.end(),
      (err: unknown) => {
        failure ??= err;
        (zip.outputStream as Readable).destroy();
      },
    );
    try {
      for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) {
        for (let at = 0; at < chunk.length; at += FILES_LIMITS.chunkBytes) {
          const part = chunk.subarray(at, at + FILES_LIMITS.chunkBytes);
          const frame = Buffer.allocUnsafe(FILES_DATA_HEADER_BYTES + part.length);
          frame.writeUInt32BE(t.id, 0);
          part.copy(frame, FILES_DATA_HEADER_BYTES);
          hash.update(part);
          await this.sendFrame(t, frame);
        }
      }
    } catch (err) {
      failure ??= err;
    } finally {
      (zip.outputStream as Readable).destroy();
      reading?.destroy();
      await walking;
    }
    if (t.cancelled || failure instanceof Cancelled) throw new Cancelled();
    if (failure !== undefined) {
      if (failure instanceof Error && /unexpected number of bytes|file data stream/.test(failure.message))
        throw new FilesError(
          'changed_while_reading',
          `A file in ${shown(root)} changed while it was being sent.`,
        );
      throw fsError(failure, root, 'Could not read');
    }
  }

  // -- upload --

  private async upload(request: Extract<FilesRequest, { op: 'upload' }>): Promise<void> {
    const { id, dir, name, size, overwrite, resumeKey } = request;
    const target = await this.inside(dir, name);
    const { config, partials } = this.options;
    const sessionId = this.ref.sessionId;
    if (size > config.maxUploadBytes)
      throw new FilesError(
        'too_large',
        `The file (${megabytes(size)}) is larger than this device accepts (${megabytes(config.maxUploadBytes)}).`,
      );
    let existing;
    try {
      existing = await lstatOrNull(this.fs, target);
    } catch (err) {
      throw fsError(err, target, 'Could not check');
    }
    this.checkTarget(target, existing, overwrite);
    this.stillWanted(id);
    let partial = partials.get(sessionId, resumeKey);
    let offset = 0;
    if (partial?.active)
      throw new FilesError('bad_offset', 'This upload is already running on another connection.');
    let fd: FileHandle | undefined;
    let created = false;
    if (partial && !(partial.dir === dir && partial.name === name && partial.size === size)) {
      await partials.discard(partial);
      partial = undefined;
    }
    if (partial) {
      // Held from here: a second resume of the same key is refused while this one is set up.
      partial.active = true;
      const kept = partial;
      try {
        fd = await this.fs.open(kept.tempPath, REOPEN_TEMP);
      } catch (err) {
        kept.active = false;
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') {
          partials.forget(kept);
          throw new FilesError(
            'bad_offset',
            'The kept part of the upload can no longer be used; start it again.',
          );
        }
        partials.forget(kept);
        partial = undefined;
      }
      if (fd) {
        const st = await fd.stat().catch(() => null);
        if (
          !st?.isFile() ||
          st.dev !== kept.dev ||
          st.ino !== kept.ino ||
          st.nlink !== 1 ||
          st.uid !== kept.uid ||
          st.size > size
        ) {
          // Not the file this agent created (replaced, or given another name): left alone, forgotten.
          await fd.close().catch(() => undefined);
          kept.active = false;
          partials.forget(kept);
          throw new FilesError(
            'bad_offset',
            'The kept part of the upload was changed on the device; start it again.',
          );
        }
        offset = st.size;
      }
    }
    const tempPath = partial?.tempPath ?? this.path.join(dir, partialName(name, resumeKey));
    const hash = createHash('sha256');
    let hashing = false;
    /** Undoes the set-up: the file is closed; a new one is deleted, a kept one goes back to waiting (or goes). */
    const undo = async (keep: boolean): Promise<void> => {
      await fd?.close().catch(() => undefined);
      if (partial && !created) {
        partial.active = false;
        if (!keep) await partials.discard(partial);
      } else if (created) {
        await this.fs.rm(tempPath, { force: true }).catch(() => undefined);
      }
    };
    try {
      this.stillWanted(id);
      try {
        const space = await this.fs.statfs(dir);
        const free = Number(space.bavail) * Number(space.bsize);
        if (free < size - offset)
          throw new FilesError(
            'no_space',
            `Not enough space on the device for ${shown(target)}: ${megabytes(size - offset)} needed, ${megabytes(free)} free.`,
          );
      } catch (err) {
        throw fsError(err, dir, 'Could not check the free space of');
      }
      this.stillWanted(id);
      try {
        if (fd) {
          hashing = true;
          await this.hashPrefix(fd, offset, hash, () => this.stillWanted(id));
          hashing = false;
        } else {
          await this.fs.rm(tempPath, { force: true });
          this.stillWanted(id);
          fd = await this.fs.open(tempPath, CREATE_TEMP, 0o600);
          created = true;
        }
      } catch (err) {
        throw fsError(err, target, 'Could not write');
      }
      this.stillWanted(id);
      if (created) {
        const st = await fd.stat();
        this.stillWanted(id);
        partial = {
          sessionId,
          resumeKey,
          dir,
          name,
          size,
          tempPath,
          active: true,
          dev: st.dev,
          ino: st.ino,
          uid: st.uid,
        };
        created = false;
        partials.add(partial);
      }
    } catch (err) {
      // A kept partial survives a channel that dropped during its set-up, as it would mid-upload.
      // A kept partial stays for a later resume unless the viewer cancelled, the channel was ended on
      // purpose, or its kept part could not be read back.
      const cancelled = err instanceof FilesError && err.code === 'cancelled';
      await undo(cancelled ? this.closed && this.keepPartials() : !hashing);
      throw err;
    }
    if (!partial) throw new FilesError('io_error', 'The upload could not be set up.');
    const upload: Upload = {
      kind: 'upload',
      id,
      target,
      dir,
      name,
      size,
      overwrite,
      partial,
      fd,
      hash,
      received: offset,
      written: offset,
      ackSent: offset,
      chain: Promise.resolve(),
      queue: [],
      draining: false,
      finished: false,
    };
    this.transfers.set(id, upload);
    this.send({ type: 'upload_ready', id, offset });
  }

  /** A resumed upload's hash covers the whole file: the kept part is read back from disk. */
  private async hashPrefix(fd: FileHandle, length: number, hash: Hash, check: () => void): Promise<void> {
    const buf = Buffer.allocUnsafe(MIB);
    let position = 0;
    while (position < length) {
      check(); // a cancel or a closing channel stops a long re-read between reads
      const { bytesRead } = await fd.read(buf, 0, Math.min(buf.length, length - position), position);
      if (bytesRead === 0)
        throw new FilesError('bad_offset', 'The kept part of the upload is shorter than recorded.');
      hash.update(buf.subarray(0, bytesRead));
      position += bytesRead;
    }
  }

  private checkTarget(
    target: string,
    existing: { isSymbolicLink(): boolean; isDirectory(): boolean } | null,
    overwrite: boolean,
  ): void {
    if (!existing) return;
    if (existing.isSymbolicLink())
      throw new FilesError(
        'is_symlink',
        `${shown(target)} is a symbolic link; a file cannot be uploaded over it.`,
      );
    if (existing.isDirectory())
      throw new FilesError('exists', `A folder named ${shown(target)} already exists.`);
    if (!overwrite) throw new FilesError('exists', `${shown(target)} already exists.`);
  }

  private receive(u: Upload, data: Uint8Array): void {
    if (u.finished) return;
    const after = u.received + data.byteLength;
    if (after > u.size) {
      void this.abortUpload(
        u,
        new FilesError('size_mismatch', `More data arrived than the announced ${u.size} bytes.`),
        'failed',
      );
      return;
    }
    if (after - u.ackSent > FILES_LIMITS.windowBytes) {
      void this.abortUpload(
        u,
        new FilesError('window_exceeded', 'More data arrived than the window allows before an ack.'),
        'failed',
      );
      return;
    }
    u.received = after;
    u.queue.push(data);
    if (!u.draining) {
      u.draining = true;
      u.chain = u.chain.then(() => this.drain(u));
    }
  }

  /** Writes what has arrived, in batches (one writev each), hashing and acknowledging as it goes. */
  private async drain(u: Upload): Promise<void> {
    while (u.queue.length > 0 && !u.finished) {
      // At most an ack's worth at a time, so acks (and the sender's window) keep moving.
      let take = 0;
      for (let bytes = 0; take < u.queue.length && bytes < FILES_LIMITS.ackEveryBytes; take++)
        bytes += u.queue[take].byteLength;
      const batch = u.queue.splice(0, take);
      const total = batch.reduce((n, b) => n + b.byteLength, 0);
      const at = u.written;
      try {
        const { bytesWritten } = await u.fd.writev(batch, at);
        // A short write (rare on a regular file): the rest, piece by piece.
        let base = 0;
        for (const b of batch) {
          let done = Math.max(0, bytesWritten - base);
          while (done < b.byteLength) {
            const r = await u.fd.write(b, done, b.byteLength - done, at + base + done);
            done += r.bytesWritten;
          }
          base += b.byteLength;
        }
      } catch (err) {
        u.queue.length = 0;
        u.draining = false;
        await this.abortUpload(u, fsError(err, u.target, 'Could not write'), 'failed', true);
        return;
      }
      for (const b of batch) u.hash.update(b);
      u.written += total;
      if (u.written - u.ackSent >= FILES_LIMITS.ackEveryBytes || u.written === u.size) {
        u.ackSent = u.written;
        this.send({ type: 'ack', id: u.id, bytes: u.written });
      }
    }
    u.draining = false;
  }

  /** Ends an upload that will not complete: its temporary file goes, the viewer and the portal are told. */
  private async abortUpload(
    u: Upload,
    error: FilesError,
    result: 'failed' | 'cancelled',
    inChain = false,
  ): Promise<void> {
    if (u.finished) return;
    u.finished = true;
    this.endTransfer(u);
    const cleanup = async (): Promise<void> => {
      await u.fd.close().catch(() => undefined);
      await this.options.partials.discard(u.partial);
    };
    if (inChain) await cleanup();
    else await (u.chain = u.chain.then(cleanup));
    this.fail(u.id, error.code, error.message);
    this.report({
      action: 'upload',
      path: u.target,
      bytes: u.written,
      result,
      ...(result === 'failed' && { error: error.code }),
    });
  }

  private async onUploadEnd(id: number, sha256: string): Promise<void> {
    const u = this.transfers.get(id);
    if (u?.kind !== 'upload') {
      if (!this.recent.includes(id)) this.fail(id, 'unknown_transfer', `No upload with id ${id} is running.`);
      return;
    }
    await u.chain;
    if (u.finished) return;
    if (u.written !== u.size) {
      await this.abortUpload(
        u,
        new FilesError('size_mismatch', `Only ${u.written} of the announced ${u.size} bytes arrived.`),
        'failed',
      );
      return;
    }
    const digest = u.hash.digest('hex');
    if (digest !== sha256) {
      await this.abortUpload(
        u,
        new FilesError(
          'checksum_mismatch',
          'The file arrived damaged (its SHA-256 differs); it was discarded.',
        ),
        'failed',
      );
      return;
    }
    u.finished = true;
    try {
      await u.fd.sync();
      const existing = await lstatOrNull(this.fs, u.target);
      this.checkTarget(u.target, existing, u.overwrite);
      // Mode and owner are set on the open file, never by path: the name could be swapped for a
      // symlink once the file is closed, and the agent runs as root.
      if (this.options.os !== 'windows') {
        await u.fd.chmod(existing ? existing.mode & 0o7777 : 0o666 & ~process.umask());
        await this.giveToFolderOwner(
          (uid, gid) => u.fd.chown(uid, gid),
          u.partial.tempPath,
          u.dir,
          existing ?? undefined,
        );
      }
      await u.fd.close();
      await this.pinned(u.dir);
      await this.fs.rename(u.partial.tempPath, u.target);
    } catch (err) {
      u.finished = false;
      await this.abortUpload(u, fsError(err, u.target, 'Could not write'), 'failed', true);
      return;
    }
    this.options.partials.forget(u.partial);
    this.endTransfer(u);
    this.send({ type: 'done', id, path: u.target, bytes: u.size, sha256: digest });
    this.report({ action: 'upload', path: u.target, bytes: u.size, sha256: digest, result: 'ok' });
  }

  // ---- end ----

  private cleanup(): void {
    this.closed = true;
    const keep = this.keepPartials();
    for (const t of [...this.transfers.values()]) {
      if (t.kind === 'download') {
        t.cancelled = true;
        t.wake?.();
        continue;
      }
      this.endTransfer(t);
      if (t.finished) continue;
      t.finished = true;
      if (keep) {
        // The relay socket dropped mid-upload: the partial waits for a resume on a new channel.
        t.chain = t.chain.then(async () => {
          await t.fd.close().catch(() => undefined);
          t.partial.active = false;
        });
        this.closing.push(t.chain);
      } else {
        t.chain = t.chain.then(async () => {
          await t.fd.close().catch(() => undefined);
          await this.options.partials.discard(t.partial);
        });
        this.closing.push(t.chain);
        this.report({ action: 'upload', path: t.target, bytes: t.written, result: 'cancelled' });
      }
    }
  }

  /** Resolves once every upload's file is closed (and, when not kept, deleted): tests and shutdown wait on it. */
  async settled(): Promise<void> {
    await this.ended;
    await Promise.all(this.closing);
  }
}

/** The channel factory's body: a files channel on the relay socket. */
export function openFilesChannel(ctx: ChannelContext, options: FilesChannelOptions): FilesChannel {
  return new FilesChannel(ctx, options);
}
