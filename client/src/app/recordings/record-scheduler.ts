/*
 * Plays screen records at their recorded timing: the clock behind the screen player. Plain TypeScript
 * without Angular or the DOM (timers are given), so a unit test drives it with a fake clock.
 *
 * Why seeking replays from the start: a screen recording has no keyframes. The RFB stream's
 * encodings carry state across updates — Tight and ZRLE keep zlib streams whose dictionaries span
 * every rectangle since the connection opened, CopyRect copies pixels drawn earlier, the cursor and the
 * colour map are sent once — so no point after the handshake can be decoded alone. A seek backwards
 * therefore rebuilds the viewer and feeds every server record up to the target as fast as the viewer
 * takes them (no delays), then plays on at recorded timing; a seek forwards just fast-forwards from
 * where the viewer already is.
 */
import type { ScreenRecord } from '../../../../contracts/recording/format';

export interface PlaybackTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserTimers: PlaybackTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface RecordSchedulerOptions {
  timers: PlaybackTimers;
  /** One record, in order (both directions). */
  deliver(record: ScreenRecord): void;
  /** Called before a seek backwards replays from the start: build a fresh viewer here. */
  rewind(): void;
  /** The position moved (on every tick while playing, after a seek, on pause). */
  onPosition?(positionMs: number): void;
  /** Reached the end of what can be played. */
  onEnd?(): void;
  /**
   * `deliver` threw (noVNC throws "Receive queue buffer exceeded" past 40 MiB of unread data, or on a
   * record it cannot decode): playback has paused at the record that failed, with no timer left.
   */
  onError?(error: unknown): void;
  /**
   * While fast-forwarding, bytes delivered before yielding to the browser once (noVNC decodes and
   * draws asynchronously; its receive queue is bounded).
   */
  fastBatchBytes?: number;
  /**
   * True while the viewer still has a backlog to work through (noVNC waits for images to decode and
   * its receive queue is bounded): fast-forwarding waits a moment before feeding more, and playback
   * holds its position (as it does waiting for a chunk) until the viewer has caught up.
   */
  backlogged?: () => boolean;
  /**
   * Records already delivered may have been dropped ({@link RecordScheduler.forgetDelivered}); a seek
   * backwards then needs them again: the scheduler empties itself and calls this, and the caller
   * appends every chunk again from the first (the seek completes as they arrive).
   */
  refetch?(): void;
  /** How often the position is reported while playing. */
  tickMs?: number;
}

/** How long a fast-forward waits for a backlogged viewer before looking again. */
const BACKLOG_WAIT_MS = 16;

export const PLAYBACK_SPEEDS = [1, 2, 4] as const;
export type PlaybackSpeed = (typeof PLAYBACK_SPEEDS)[number];

/** Whether a seek from `currentMs` to `targetMs` needs a fresh viewer (see the file comment). */
export function seekPlan(currentMs: number, targetMs: number): 'rebuild' | 'forward' {
  return targetMs < currentMs ? 'rebuild' : 'forward';
}

export class RecordScheduler {
  private readonly records: ScreenRecord[] = [];
  /** Index of the next record to deliver. */
  private next = 0;
  /** Recording time covered by the records appended so far. */
  private loadedUntil = 0;
  private complete = false;
  private duration = 0;
  private playing = false;
  private speedFactor: PlaybackSpeed = 1;
  /** Position at `baseWall` (wall-clock ms of the timers). */
  private basePos = 0;
  private baseWall = 0;
  /** Fast-forwarding to this position (no delays), or null. */
  private target: number | null = null;
  /** Playing, but waiting for the next chunk: the position holds until it arrives. */
  private stalled = false;
  private timer: unknown = null;
  /** Records before `next` were dropped: a rewind needs them fetched again. */
  private forgotten = false;
  private readonly batch: number;
  private readonly tick: number;

  constructor(private readonly options: RecordSchedulerOptions) {
    this.batch = options.fastBatchBytes ?? 512 * 1024;
    this.tick = options.tickMs ?? 250;
  }

  /** Records of the next chunk, and the recording time the chunk covers up to. */
  append(records: readonly ScreenRecord[], untilMs: number): void {
    for (const r of records) this.records.push(r);
    const last = records.length ? records[records.length - 1].atMs : 0;
    this.loadedUntil = Math.max(this.loadedUntil, untilMs, last);
    this.resume();
    this.pump();
  }

  /**
   * Drops the records already delivered (the viewer has them) to bound memory on long recordings; a
   * later seek backwards asks for them again through `refetch`.
   */
  forgetDelivered(): void {
    if (this.next === 0) return;
    this.records.splice(0, this.next);
    this.next = 0;
    this.forgotten = true;
  }

  /** Records held right now (for tests and diagnostics). */
  get heldRecords(): number {
    return this.records.length;
  }

  /** Where the viewer is headed: the seek target, else the position (what the loader reads ahead of). */
  get wantedMs(): number {
    return this.target ?? this.position();
  }

  /**
   * The recording's length, known before its chunks arrive: a seek may aim past what is loaded (it
   * completes as the chunks arrive) but not past this.
   */
  expectDuration(durationMs: number): void {
    if (!this.complete) this.duration = Math.max(0, durationMs);
  }

  /** Every playable chunk is in; `durationMs` is where playback ends. */
  finish(durationMs: number): void {
    this.complete = true;
    this.duration = Math.max(durationMs, this.loadedUntil);
    this.loadedUntil = this.duration;
    this.resume();
    this.pump();
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  get speed(): PlaybackSpeed {
    return this.speedFactor;
  }

  /** True while a seek is still feeding records as fast as it can. */
  get seeking(): boolean {
    return this.target !== null;
  }

  /** How far the loaded records reach (the seek bar's buffered part). */
  get loadedMs(): number {
    return this.loadedUntil;
  }

  get ended(): boolean {
    return this.complete && this.next >= this.records.length && this.position() >= this.duration;
  }

  position(): number {
    if (!this.playing || this.target !== null || this.stalled) return this.basePos;
    const moved = this.basePos + (this.options.timers.now() - this.baseWall) * this.speedFactor;
    return Math.min(moved, this.loadedUntil);
  }

  play(): void {
    if (this.playing) return;
    if (this.ended) {
      this.seek(0);
    }
    this.rebase();
    this.playing = true;
    this.pump();
  }

  /** Stops the clock. A seek under way goes on to its target (only the play timer is cancelled). */
  pause(): void {
    if (!this.playing) return;
    this.rebase();
    this.playing = false;
    if (this.target === null) this.clearTimer();
    this.options.onPosition?.(this.basePos);
  }

  setSpeed(speed: PlaybackSpeed): void {
    this.rebase();
    this.speedFactor = speed;
    this.pump();
  }

  /**
   * Moves to `targetMs`: forwards by feeding the records in between without delays, backwards by
   * rewinding (a fresh viewer) and feeding from the start. Returns which it did.
   */
  seek(targetMs: number): 'rebuild' | 'forward' {
    const limit = this.complete ? this.duration : Math.max(this.loadedUntil, this.duration);
    const target = Math.max(0, Math.min(targetMs, limit));
    const delivered = this.target ?? this.deliveredUpTo();
    const plan = seekPlan(delivered, target);
    if (plan === 'rebuild') {
      this.options.rewind();
      this.next = 0;
      this.basePos = 0;
      if (this.forgotten) {
        this.records.length = 0;
        this.loadedUntil = 0;
        this.complete = false;
        this.forgotten = false;
        this.target = target;
        this.options.refetch?.();
      }
    } else {
      this.basePos = Math.max(this.position(), this.basePos);
    }
    this.target = target;
    this.pump();
    return plan;
  }

  /** Forgets every record and the position (another recording, or its chunks again): paused at 0. */
  reset(): void {
    this.stop();
    this.records.length = 0;
    this.next = 0;
    this.loadedUntil = 0;
    this.complete = false;
    this.duration = 0;
    this.basePos = 0;
    this.forgotten = false;
  }

  /** Stops every timer (the page is leaving). */
  stop(): void {
    this.playing = false;
    this.stalled = false;
    this.target = null;
    this.clearTimer();
  }

  /** The recording time of the last record delivered (where the viewer is). */
  private deliveredUpTo(): number {
    return Math.max(this.position(), this.basePos, this.next > 0 ? this.records[this.next - 1].atMs : 0);
  }

  private rebase(): void {
    this.basePos = this.position();
    this.baseWall = this.options.timers.now();
    this.stalled = false;
  }

  /** More records arrived: a stalled playback goes on from where it held, from now. */
  private resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    this.baseWall = this.options.timers.now();
  }

  private clearTimer(): void {
    if (this.timer !== null) this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = null;
      this.pump();
    }, ms);
  }

  /** One record to the viewer; false (and paused, onError told) when the viewer threw. */
  private deliverOne(record: ScreenRecord): boolean {
    try {
      this.options.deliver(record);
      return true;
    } catch (error: unknown) {
      this.playing = false;
      this.stalled = false;
      this.target = null;
      this.basePos = Math.max(this.basePos, Math.min(record.atMs, this.loadedUntil));
      this.clearTimer();
      this.options.onError?.(error);
      return false;
    }
  }

  /** Delivers what is due and sets the timer for what comes next. */
  private pump(): void {
    this.clearTimer();
    if (this.target !== null) {
      if (!this.fastForward(this.target)) return;
      this.basePos = this.target;
      this.target = null;
      this.stalled = false;
      this.baseWall = this.options.timers.now();
      this.options.onPosition?.(this.basePos);
    }
    if (!this.playing) return;
    if (this.options.backlogged?.()) {
      // The viewer has not caught up: hold the position (the clock waits with it) and look again.
      if (!this.stalled) {
        this.rebase();
        this.stalled = true;
      }
      this.options.onPosition?.(this.basePos);
      this.schedule(BACKLOG_WAIT_MS);
      return;
    }
    this.resume();
    const pos = this.position();
    while (this.next < this.records.length && this.records[this.next].atMs <= pos) {
      if (!this.deliverOne(this.records[this.next++])) return;
    }
    this.options.onPosition?.(pos);
    if (!this.complete && pos >= this.loadedUntil && this.next >= this.records.length) {
      // Waiting for the next chunk: hold the position where the loaded records end (append pumps).
      this.rebase();
      this.stalled = true;
      return;
    }
    if (this.complete && this.next >= this.records.length && pos >= this.duration) {
      this.basePos = this.duration;
      this.playing = false;
      this.options.onEnd?.();
      return;
    }
    const nextAt = this.next < this.records.length ? this.records[this.next].atMs : this.loadedUntil;
    const wait = Math.max(0, (nextAt - pos) / this.speedFactor);
    this.schedule(Math.min(wait, this.tick));
  }

  /**
   * Feeds records up to `target` without delays, a batch at a time. True once there; false when it
   * yielded (a timer continues) or waits for more chunks (append continues).
   */
  private fastForward(target: number): boolean {
    let bytes = 0;
    if (this.options.backlogged?.()) {
      this.schedule(BACKLOG_WAIT_MS);
      return false;
    }
    while (this.next < this.records.length && this.records[this.next].atMs <= target) {
      const record = this.records[this.next++];
      if (!this.deliverOne(record)) return false;
      this.basePos = record.atMs;
      bytes += record.data.length;
      if (bytes >= this.batch && this.next < this.records.length) {
        this.schedule(0);
        return false;
      }
    }
    if (this.next >= this.records.length && !this.complete && this.loadedUntil < target) return false;
    return true;
  }
}
