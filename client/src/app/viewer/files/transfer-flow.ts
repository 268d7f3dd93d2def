/*
 * The bookkeeping of one transfer on the files channel, apart from sockets and Angular so the unit
 * project tests it: the sender's credit window, the receiver's ack schedule, and the speed and time
 * left a progress bar shows. Byte counts are from the transfer's start (a resumed upload starts at
 * its offset), as the contract's acks count them.
 */
import { FILES_LIMITS } from '../../../../../contracts/agent-protocol/files-frames';

/**
 * The sender's side of credit flow control: at most `windowBytes` sent beyond the receiver's last
 * ack. An ack that goes backwards or past what was sent is ignored (the agent is not trusted more
 * than that).
 */
export class CreditWindow {
  private sentBytes: number;
  private ackedBytes: number;

  constructor(
    from = 0,
    private readonly windowBytes: number = FILES_LIMITS.windowBytes,
  ) {
    this.sentBytes = from;
    this.ackedBytes = from;
  }

  get sent(): number {
    return this.sentBytes;
  }

  get acked(): number {
    return this.ackedBytes;
  }

  /** Bytes that may be sent now. */
  get credit(): number {
    return Math.max(0, this.ackedBytes + this.windowBytes - this.sentBytes);
  }

  /** Whether a chunk of `bytes` fits in the window now. */
  canSend(bytes: number): boolean {
    return bytes <= this.credit;
  }

  sentChunk(bytes: number): void {
    this.sentBytes += bytes;
  }

  /** Takes an ack; false when it is not plausible (backwards or beyond what was sent). */
  ack(bytes: number): boolean {
    if (bytes < this.ackedBytes || bytes > this.sentBytes) return false;
    this.ackedBytes = bytes;
    return true;
  }
}

/**
 * The receiver's side: after writing, ack once `ackEveryBytes` more are written since the last ack
 * (the contract asks at least that often; a sender waits on it past a window), and at the end.
 */
export class AckSchedule {
  private acked = 0;

  constructor(private readonly everyBytes: number = FILES_LIMITS.ackEveryBytes) {}

  /** The last count acked. */
  get last(): number {
    return this.acked;
  }

  /**
   * A sender that ignores acks: more than the window (plus one chunk of slack) received beyond the
   * last ack sent. A sender keeping to the window never gets there (its last ack is at most ours).
   */
  exceeded(received: number): boolean {
    return received - this.acked > FILES_LIMITS.windowBytes + FILES_LIMITS.chunkBytes;
  }

  /** The count to ack after `written` bytes are on disk, or null when no ack is due yet. */
  due(written: number, final = false): number | null {
    if (written <= this.acked) return final && written === 0 && this.acked === 0 ? 0 : null;
    if (!final && written - this.acked < this.everyBytes) return null;
    this.acked = written;
    return written;
  }
}

/**
 * Speed and time left from samples of (time, bytes): the speed over the last few seconds (so a
 * stall shows at once), none before half a second of samples.
 */
export class ProgressMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];

  constructor(
    private readonly spanMs = 4000,
    private readonly minSpanMs = 500,
  ) {}

  record(at: number, bytes: number): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[1].at >= this.spanMs) this.samples.shift();
  }

  /** Bytes per second, or null while there is too little to tell. */
  speed(): number | null {
    if (this.samples.length < 2) return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const ms = last.at - first.at;
    if (ms < this.minSpanMs) return null;
    return ((last.bytes - first.bytes) * 1000) / ms;
  }

  /** Seconds left for `total` bytes, or null (unknown size, no speed yet, or stalled). */
  secondsLeft(total: number | null): number | null {
    const speed = this.speed();
    if (total === null || speed === null || speed <= 0 || this.samples.length === 0) return null;
    const done = this.samples[this.samples.length - 1].bytes;
    return Math.max(0, (total - done) / speed);
  }
}

/** Whole percent of `done` in `total` (null: unknown size). */
export function percent(done: number, total: number | null): number | null {
  if (total === null) return null;
  if (total <= 0) return 100;
  return Math.min(100, Math.floor((done * 100) / total));
}

/** A random upload resume key matching the contract's pattern (32 URL-safe characters). */
export function newResumeKey(random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return Array.from(random(new Uint8Array(32)), (b) => alphabet[b & 63]).join('');
}

/** Lower-case hex of a digest. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Operation ids for one channel: positive, increasing, wrapping below the contract's maximum. */
export class OpIds {
  private last = 0;

  next(): number {
    this.last = this.last >= FILES_LIMITS.maxId ? 1 : this.last + 1;
    return this.last;
  }
}

/** One download's destination. `write` resolves once the bytes are handed over (then they are acked). */
export interface DownloadSink {
  /** How the file is being saved, for the row ("Saving to the file you chose"). */
  readonly kind: 'picked' | 'browser';
  write(chunk: Uint8Array<ArrayBuffer>): Promise<void>;
  /** All bytes written and verified: make the file appear. */
  finish(): Promise<void>;
  /** Cancelled or failed: leave nothing behind. */
  abort(): Promise<void>;
}
