/*
 * Uploads and downloads on the files channel, each a small state machine that reports its progress
 * through `onChange` (the tab turns that into signals). Credit flow control both ways, SHA-256 on
 * both sides (@noble/hashes, incrementally), resumable uploads.
 */
import { sha256 } from '@noble/hashes/sha2.js';

import { FILES_LIMITS, type FilesReply } from '../../../../../contracts/agent-protocol/files-frames';
import { browserSaveName } from './files-format';
import { CONNECTION_LOST, FilesOpError, type FilesConnection } from './files-connection';
import {
  AckSchedule,
  CreditWindow,
  newResumeKey,
  ProgressMeter,
  toHex,
  type DownloadSink,
} from './transfer-flow';

export type TransferStatus =
  /** Waiting for one of the device's transfer slots (at most `maxTransfers` run at once). */
  | 'queued'
  | 'starting'
  | 'running'
  /** Upload: the relay connection dropped; it continues from where the device got to on reconnect. */
  | 'interrupted'
  | 'verifying'
  | 'verified'
  | 'failed'
  | 'cancelled';

export interface TransferSnapshot {
  key: number;
  direction: 'upload' | 'download';
  name: string;
  dir: string;
  total: number | null;
  done: number;
  status: TransferStatus;
  speed: number | null;
  secondsLeft: number | null;
  /** Why it failed (the agent's sentence), or what it is waiting for. */
  message: string;
  sha256: string | null;
  /** Upload: the offset the last (re)start continued from, when the device had kept a part. */
  resumedFrom?: number;
  /** Where the download is saved ('picked': a file the technician chose). */
  savedTo?: 'picked' | 'browser';
}

let nextKey = 1;

const DISCARDED = 'Cancelled. Nothing was kept on the device.';
const KEPT_UNTIL_SESSION_ENDS = 'Cancelled. The device keeps the part it received until the session ends.';

/** Waits before starting again an upload the device refused with `bad_offset` (about 3 s in all). */
export const START_RETRY_DELAYS_MS = [500, 1000, 1500] as const;

/** Bytes an upload reads from its File at once (then sent as several frames). */
const READ_BLOCK_BYTES = 8 * FILES_LIMITS.chunkBytes;

abstract class Transfer {
  readonly key = nextKey++;
  protected id = 0;
  protected conn: FilesConnection | null = null;
  protected readonly meter = new ProgressMeter();
  protected snapshot: TransferSnapshot;
  private lastReport = 0;

  constructor(
    direction: 'upload' | 'download',
    dir: string,
    name: string,
    total: number | null,
    private readonly onChange: (s: TransferSnapshot) => void,
  ) {
    this.snapshot = {
      key: this.key,
      direction,
      name,
      dir,
      total,
      done: 0,
      status: 'queued',
      speed: null,
      secondsLeft: null,
      message: '',
      sha256: null,
    };
  }

  get status(): TransferStatus {
    return this.snapshot.status;
  }

  /** The device folder it reads from or writes to. */
  get dir(): string {
    return this.snapshot.dir;
  }

  get finished(): boolean {
    const s = this.snapshot.status;
    return s === 'verified' || s === 'failed' || s === 'cancelled';
  }

  /** Holds one of the device's transfer slots. */
  get active(): boolean {
    const s = this.snapshot.status;
    return s === 'starting' || s === 'running' || s === 'verifying';
  }

  /** Shows the transfer as it stands (a queued one, before it starts). */
  publish(): void {
    this.report({});
  }

  abstract cancel(): void;

  protected progress(done: number): void {
    const now = performance.now();
    this.meter.record(now, done);
    this.snapshot.done = done;
    // The bar moves a few times a second, not per chunk.
    if (now - this.lastReport < 150) return;
    this.lastReport = now;
    this.report({});
  }

  protected report(patch: Partial<TransferSnapshot>): void {
    Object.assign(this.snapshot, patch, {
      speed: this.meter.speed(),
      secondsLeft: this.meter.secondsLeft(this.snapshot.total),
    });
    this.onChange({ ...this.snapshot });
  }

  protected fail(message: string): void {
    this.conn?.end(this.id);
    this.report({ status: 'failed', message });
  }
}

/** The question before replacing a file on the device. */
export type AskOverwrite = (name: string) => Promise<boolean>;

/** One file from the technician's computer into a folder on the device. */
export class Upload extends Transfer {
  readonly resumeKey = newResumeKey((b) => crypto.getRandomValues(b));
  private overwrite = false;
  private window = new CreditWindow();
  private wake: (() => void) | null = null;
  private attempt = 0;
  /** Starts refused with `bad_offset` in a row (see START_RETRY_DELAYS_MS). */
  private startRetries = 0;

  constructor(
    private readonly file: File,
    dir: string,
    onChange: (s: TransferSnapshot) => void,
    private readonly askOverwrite: AskOverwrite,
    private readonly onDone: () => void,
  ) {
    super('upload', dir, file.name, file.size, onChange);
  }

  /** Starts, or continues after a dropped connection, on `conn`. */
  start(conn: FilesConnection): void {
    if (this.finished) return;
    const attempt = ++this.attempt;
    this.conn = conn;
    this.report({ status: 'starting', message: '' });
    let ready: ((offset: number) => void) | null = null;
    let ended: ((reply: FilesReply) => void) | null = null;
    this.id = conn.begin({
      reply: (reply) => {
        if (attempt !== this.attempt) return;
        if (reply.type === 'upload_ready') {
          this.startRetries = 0;
          ready?.(reply.offset);
        } else if (reply.type === 'ack') {
          if (this.window.ack(reply.bytes)) this.progress(reply.bytes);
          this.wake?.();
        } else if (reply.type === 'done' || reply.type === 'error') {
          if (ended) ended(reply);
          else if (reply.type === 'error') void this.refused(reply.code, reply.message);
        }
      },
      lost: () => {
        if (attempt !== this.attempt || this.finished) return;
        this.attempt++;
        this.wake?.();
        this.report({
          status: 'interrupted',
          message: 'The connection dropped. Reconnect to continue from where the device got to.',
        });
      },
    });
    const offset = new Promise<number>((resolve) => (ready = resolve));
    conn.send({
      op: 'upload',
      id: this.id,
      dir: this.snapshot.dir,
      name: this.snapshot.name,
      size: this.file.size,
      overwrite: this.overwrite,
      resumeKey: this.resumeKey,
    });
    void offset.then(async (from) => {
      if (attempt !== this.attempt) return;
      if (from > this.file.size)
        return this.abortWith('bad_offset', 'The device asked for bytes past the end of the file.');
      const hash = sha256.create();
      // Resumed: the device kept `from` bytes; hash them here (from the file) so the sum is whole.
      for (let at = 0; at < from && attempt === this.attempt;) {
        const end = Math.min(from, at + 4 * FILES_LIMITS.chunkBytes);
        hash.update(new Uint8Array(await this.file.slice(at, end).arrayBuffer()));
        at = end;
      }
      if (attempt !== this.attempt) return;
      this.window = new CreditWindow(from);
      this.progress(from);
      this.report(from > 0 ? { status: 'running', resumedFrom: from } : { status: 'running' });
      const reply = await this.send(conn, attempt, from, hash, (r) => (ended = r));
      if (reply === null || attempt !== this.attempt) return;
      this.conn?.end(this.id);
      if (reply.type === 'error') return void this.refused(reply.code, reply.message);
      if (reply.type !== 'done') return;
      this.report({
        status: 'verified',
        done: this.file.size,
        sha256: reply.sha256 ?? null,
        message: '',
      });
      this.onDone();
    });
  }

  cancel(): void {
    if (this.finished) return;
    const interrupted = this.snapshot.status === 'interrupted';
    this.attempt++;
    this.wake?.();
    if (this.id && this.conn?.send({ op: 'cancel', id: this.id })) this.conn.end(this.id);
    if (interrupted) {
      // The device keeps the part it received for a resume: it is removed on the next connection.
      this.discardPending = true;
      this.report({
        status: 'cancelled',
        message: 'Cancelled. The part the device kept is removed when the Files tab reconnects.',
      });
      return;
    }
    this.report({ status: 'cancelled', message: DISCARDED });
  }

  /** Cancelled while the connection was down: the device still keeps a part for the resume key. */
  discardPending = false;

  /**
   * Has the device drop the part it kept: the upload is named again by its key, then cancelled. The
   * folder must be listed on `conn` first. Only the device's `cancelled` reply confirms the part is gone.
   */
  discardKept(conn: FilesConnection): void {
    if (!this.discardPending) return;
    let cancelSent = false;
    const settle = (confirmed: boolean): void => {
      conn.end(id);
      this.report({ message: confirmed ? DISCARDED : KEPT_UNTIL_SESSION_ENDS });
    };
    const id = conn.begin({
      reply: (reply) => {
        if (reply.type === 'upload_ready' && !cancelSent) {
          cancelSent = conn.send({ op: 'cancel', id });
          if (!cancelSent) settle(false);
        } else if (reply.type === 'error') settle(cancelSent && reply.code === 'cancelled');
        else if (reply.type !== 'ack') settle(false);
      },
      lost: () => this.report({ message: KEPT_UNTIL_SESSION_ENDS }),
    });
    const sent = conn.send({
      op: 'upload',
      id,
      dir: this.snapshot.dir,
      name: this.snapshot.name,
      size: this.file.size,
      overwrite: this.overwrite,
      resumeKey: this.resumeKey,
    });
    if (sent) this.discardPending = false;
    else conn.end(id);
  }

  /** Sends from `from` to the end within the window, then `upload_end`; resolves with the final reply. */
  private async send(
    conn: FilesConnection,
    attempt: number,
    from: number,
    hash: ReturnType<typeof sha256.create>,
    onEnd: (resolve: (reply: FilesReply) => void) => void,
  ): Promise<FilesReply | null> {
    const size = this.file.size;
    // The file is read a block at a time (each read is a round trip to the browser's file store),
    // one block ahead, and sent in frames of chunkBytes.
    const read = (start: number): Promise<ArrayBuffer> | null =>
      start < size ? this.file.slice(start, Math.min(size, start + READ_BLOCK_BYTES)).arrayBuffer() : null;
    let at = from;
    let next = read(at);
    while (at < size) {
      const block = new Uint8Array(await next!);
      if (attempt !== this.attempt) return null;
      next = read(at + block.byteLength);
      for (let offset = 0; offset < block.byteLength; offset += FILES_LIMITS.chunkBytes) {
        const bytes = block.subarray(offset, offset + FILES_LIMITS.chunkBytes);
        while (!this.window.canSend(bytes.byteLength) || conn.buffered > FILES_LIMITS.windowBytes) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            // bufferedAmount has no event: look again shortly.
            if (this.window.canSend(bytes.byteLength)) setTimeout(resolve, 20);
          });
          this.wake = null;
          if (attempt !== this.attempt) return null;
        }
        hash.update(bytes);
        if (!conn.sendData(this.id, bytes)) return null;
        this.window.sentChunk(bytes.byteLength);
        at += bytes.byteLength;
      }
    }
    this.report({ status: 'verifying', message: 'Verifying on the device…' });
    const final = new Promise<FilesReply>((resolve) => onEnd(resolve));
    conn.send({ op: 'upload_end', id: this.id, sha256: toHex(hash.digest()) });
    return final;
  }

  /** The agent refused; `exists` is a question for the technician. */
  private async refused(code: string, message: string): Promise<void> {
    this.conn?.end(this.id);
    if (code === 'exists' && !this.overwrite) {
      this.report({ status: 'starting', message: 'Waiting for your answer…' });
      if (await this.askOverwrite(this.snapshot.name)) {
        this.overwrite = true;
        if (this.conn?.open) this.start(this.conn);
        else this.report({ status: 'interrupted', message: CONNECTION_LOST });
        return;
      }
      this.report({ status: 'cancelled', message: 'Not uploaded: the file on the device was kept.' });
      return;
    }
    // `bad_offset` at the start: most often the device still runs this upload for the connection
    // that just dropped (it notices a moment later). Try again a few times before giving up.
    const conn = this.conn;
    if (code === 'bad_offset' && this.startRetries < START_RETRY_DELAYS_MS.length && conn) {
      const attempt = this.attempt;
      const delay = START_RETRY_DELAYS_MS[this.startRetries++];
      this.report({
        status: 'starting',
        message: 'The device is still busy with this upload; trying again…',
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (attempt !== this.attempt || this.finished) return;
      if (conn.open) this.start(conn);
      else this.report({ status: 'interrupted', message: CONNECTION_LOST });
      return;
    }
    // An unreadable reply leaves the device's side running: stop it.
    if (code === 'bad_frame') this.conn?.send({ op: 'cancel', id: this.id });
    this.attempt++;
    this.wake?.();
    this.report({ status: 'failed', message: `${message} (${code})` });
  }

  private abortWith(code: string, message: string): void {
    this.conn?.send({ op: 'cancel', id: this.id });
    this.attempt++;
    this.fail(`${message} (${code})`);
  }
}

/** One file (or a folder as a zip) from the device into the technician's computer. */
export class Download extends Transfer {
  private sink: DownloadSink | null = null;
  private readonly hash = sha256.create();
  private readonly acks = new AckSchedule();
  private written = 0;
  private received = 0;
  /** Writes in order: each chunk after the one before. */
  private chain: Promise<void> = Promise.resolve();
  private writeError: unknown = null;

  /**
   * `name` is the file or folder on the device; `saveAs` the name the technician clicked (a folder's
   * with `.zip`), sanitised for the browser. The device's `download_start.name` is not used: a
   * compromised device could otherwise save `log.txt` as `setup.exe`.
   */
  constructor(
    dir: string,
    name: string,
    saveAs: string,
    private readonly openSink: (saveAs: string) => Promise<DownloadSink>,
    onChange: (s: TransferSnapshot) => void,
  ) {
    super('download', dir, name, null, onChange);
    this.saveAs = browserSaveName(saveAs);
  }

  private readonly saveAs: string;

  start(conn: FilesConnection): void {
    this.conn = conn;
    this.id = conn.begin({
      reply: (reply) => void this.onReply(reply),
      data: (bytes) => this.onData(bytes),
      lost: () => {
        if (this.finished) return;
        void this.discard(`${CONNECTION_LOST} Download it again after reconnecting.`);
      },
    });
    if (!conn.send({ op: 'download', id: this.id, dir: this.snapshot.dir, name: this.snapshot.name }))
      void this.discard(CONNECTION_LOST);
  }

  cancel(): void {
    if (this.finished) return;
    if (this.id) this.conn?.send({ op: 'cancel', id: this.id });
    void this.discard('Cancelled. Nothing was saved.', 'cancelled');
  }

  private async onReply(reply: FilesReply): Promise<void> {
    if (this.finished) return;
    if (reply.type === 'download_start') {
      this.report({ status: 'running', total: reply.size, name: this.saveAs });
      // The destination opens first in the chain: data frames that arrive meanwhile wait for it.
      this.chain = this.chain.then(async () => {
        try {
          this.sink = await this.openSink(this.saveAs);
          this.report({ savedTo: this.sink.kind });
        } catch (error: unknown) {
          this.writeError = error;
          this.conn?.send({ op: 'cancel', id: this.id });
          await this.discard(`The browser could not save the file: ${describe(error)}`);
        }
      });
      return;
    }
    if (reply.type === 'error') {
      if (reply.code === 'bad_frame') this.conn?.send({ op: 'cancel', id: this.id });
      await this.discard(`${reply.message} (${reply.code})`);
      return;
    }
    if (reply.type !== 'download_end') return;
    await this.chain;
    if (this.finished) return;
    this.conn?.end(this.id);
    const due = this.acks.due(this.written, true);
    if (due !== null) this.conn?.send({ op: 'ack', id: this.id, bytes: due });
    const ours = toHex(this.hash.digest());
    if (this.writeError)
      return this.discard(`The browser could not write the file: ${describe(this.writeError)}`);
    if (reply.bytes !== this.written)
      return this.discard(
        `Received ${this.written} bytes but the device sent ${reply.bytes}: the download was discarded.`,
      );
    if (ours !== reply.sha256)
      return this.discard(
        'The SHA-256 of the bytes received does not match the device’s: the download was discarded.',
      );
    this.report({ status: 'verifying', total: reply.bytes });
    try {
      await this.sink?.finish();
    } catch (error: unknown) {
      return this.discard(`The browser could not finish the file: ${describe(error)}`);
    }
    this.progress(reply.bytes);
    this.report({ status: 'verified', done: reply.bytes, sha256: ours, message: '' });
  }

  private onData(bytes: Uint8Array<ArrayBuffer>): void {
    if (this.finished) return;
    this.received += bytes.byteLength;
    if (this.acks.exceeded(this.received)) {
      // The device ignores the acks: stop before its bytes pile up in the write chain.
      this.conn?.send({ op: 'cancel', id: this.id });
      void this.discard(
        'The device sent more than the flow-control window allows: the download was discarded. (window_exceeded)',
      );
      return;
    }
    this.chain = this.chain.then(async () => {
      if (this.finished || this.writeError) return;
      try {
        if (!this.sink) throw new Error('data before download_start');
        await this.sink.write(bytes);
      } catch (error: unknown) {
        this.writeError = error;
        this.conn?.send({ op: 'cancel', id: this.id });
        return;
      }
      this.hash.update(bytes);
      this.written += bytes.byteLength;
      const due = this.acks.due(this.written);
      if (due !== null) this.conn?.send({ op: 'ack', id: this.id, bytes: due });
      this.progress(this.written);
    });
  }

  private async discard(message: string, status: 'failed' | 'cancelled' = 'failed'): Promise<void> {
    this.conn?.end(this.id);
    this.report({ status, message });
    await this.sink?.abort().catch(() => undefined);
  }
}

export { FilesOpError };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : 'an unknown error';
}
