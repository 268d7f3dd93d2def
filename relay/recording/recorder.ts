import { createHash, randomUUID, type Hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { TextDecoder } from 'node:util';
import {
  RECORDING_CHUNK_MAX_BYTES,
  RECORDING_CHUNK_MAX_MS,
  RECORDING_ENCODINGS,
  RECORDING_FORMAT,
  RECORDING_MANIFEST_NAME,
  RECORDING_MAX_CHUNKS,
  RECORDING_OPEN_MARKER,
  recordingChunkName,
  type RecordedChannel,
  type RecordingChunkEntry,
  type RecordingIncompleteReason,
  type RecordingManifest,
} from '../../contracts/recording/format';
import { RelayCloseCode } from '../../contracts/relay-close-codes';
import type { RecordingEvent } from '../../contracts/relay-events';
import { recordingChainLink, recordingChainSeed } from '../../contracts/node/recording-chain';
import {
  RecordingStoreError,
  storeErrorOf,
  type RecordingObjectWriter,
  type RecordingStore,
} from '../../contracts/node/recording-store';
import type { RelayRecordingClaim } from '../../contracts/node/relay-token';
import type { RelayLogger } from '../logger';
import type { RelayMetrics } from '../metrics';
import type { Pair } from '../pair';
import { PAUSE_RECORDING, type Side } from '../side';
import {
  CAST_SLICE_BYTES,
  castHeader,
  castLines,
  commandsTextEvent,
  screenHeader,
  shellTextEvent,
} from './cast-events';

/** Chunks waiting to be closed before the pair is paused for the store. */
const MAX_PENDING_CLOSES = 3;
/** A chunk close or a manifest write that takes longer than this is a store failure (`unavailable`). */
export const RECORDING_STORE_TIMEOUT_MS = 30_000;
/** Bytes kept in memory before the first objects are in the store; past it the sender is paused. */
const EARLY_MAX_BYTES = 1024 * 1024;
/** Slices of large shell frames turned into asciicast events per turn of the event loop. */
const CAST_SLICES_PER_TURN = 4;

/** What a recorder needs from the relay around it (relay/recording/recordings.ts). */
export interface RecorderHost {
  readonly store: RecordingStore;
  readonly metrics: RelayMetrics;
  readonly logger: RelayLogger;
  /** Set when the store could not be prepared at start: every recording fails at once. */
  readonly unavailable: RecordingStoreError | undefined;
  /** True once the relay is stopping: recordings closed now are `relay_shutdown`. */
  readonly shuttingDown: boolean;
  /** How long one chunk close or manifest write may take (RECORDING_STORE_TIMEOUT_MS). */
  readonly storeTimeoutMs: number;
  /** Chunks per recording (RECORDING_MAX_CHUNKS); past it the recording stops as `too_long`. */
  readonly maxChunks: number;
  report(event: RecordingEvent): void;
  settled(recorder: Recorder): void;
}

/** The chunk being written. */
interface OpenChunk {
  readonly index: number;
  readonly writer: RecordingObjectWriter;
  readonly hash: Hash;
  readonly startMs: number;
  /** performance.now() when it was opened, for the time limit. */
  readonly openedAt: number;
  endMs: number;
  bytes: number;
}

/** A shell or commands message waiting to be turned into asciicast events (after a large one). */
interface CastWork {
  readonly fromAgent: boolean;
  readonly data: Buffer;
  readonly isBinary: boolean;
  readonly at: number;
  offset: number;
}

/**
 * Records one pair of a recorded channel into numbered chunks and a manifest. Called on the data path
 * (`record`) for every forwarded message: it only hashes and appends to the chunk's writer; closing a
 * chunk (fsync, manifest replace, progress event) runs off the path, one chunk at a time. When the
 * store falls behind, the sending side is paused (PAUSE_RECORDING) until the writer drains, so the
 * recording neither drops bytes nor buffers without bound.
 */
export class Recorder {
  readonly id = randomUUID();
  readonly channel: RecordedChannel;
  private readonly t0 = performance.now();
  private readonly startedAtMs = Date.now();
  private chunk: OpenChunk | undefined;
  private nextIndex = 0;
  private readonly entries: RecordingChunkEntry[] = [];
  private head: Buffer;
  private storedBytes = 0;
  private bytesAgentToTech = 0;
  private bytesTechToAgent = 0;
  /** Chunk closes run one after another on this chain. */
  private closing: Promise<void> = Promise.resolve();
  private pendingCloses = 0;
  private waitingDrain = false;
  private readonly pausedSides = new Set<Side>();
  private failure: RecordingStoreError | undefined;
  private ended = false;
  private readonly decoders = { agent: new TextDecoder('utf-8'), tech: new TextDecoder('utf-8') };
  /** Until the open marker and the first manifest are in the store: what was recorded meanwhile. */
  private early: Array<{ bytes: Buffer; at: number }> | undefined = [];
  private earlyBytes = 0;
  /** Shell/commands messages still to be turned into events, oldest first (see {@link castLater}). */
  private readonly castQueue: CastWork[] = [];
  private castScheduled = false;
  private finalReason: RecordingIncompleteReason | null = null;
  private closedOut = false;
  /** The open marker and the first manifest are in the store. */
  private wasOpened = false;
  /** Resolves once the final manifest is written (or given up) and `recording_finished` reported. */
  readonly done: Promise<void>;
  private markDone!: () => void;

  constructor(
    private readonly host: RecorderHost,
    private readonly pair: Pair,
    channel: RecordedChannel,
    private readonly claim: RelayRecordingClaim,
  ) {
    this.channel = channel;
    this.head = recordingChainSeed(this.id);
    this.done = new Promise((resolve) => (this.markDone = resolve));
  }

  /** Reports the start and opens chunk 0 (shell and commands: with the asciicast header line). */
  start(): void {
    this.host.report({
      ...this.eventBase(),
      type: 'recording_started',
      mode: this.claim.mode,
      technicianId: this.claim.tech,
      deviceId: this.claim.device,
    });
    if (this.host.unavailable) {
      this.fail(this.host.unavailable);
      return;
    }
    // Required: nothing is forwarded until the store has taken the recording's first objects.
    if (this.claim.mode === 'required') this.pair.holdUntilReleased();
    // The open marker, then an empty manifest, before any chunk: a crash at any point after leaves a
    // recording the next start's sweep finds (marker) and can close (manifest).
    const empty = new Uint8Array(0);
    this.closing = this.timed(this.host.store.put(this.id, RECORDING_OPEN_MARKER, empty), 'opening')
      .then(() =>
        this.timed(
          this.host.store.put(this.id, RECORDING_MANIFEST_NAME, this.manifestBytes(null, false, null)),
          'writing the manifest',
        ),
      )
      .then(
        () => this.opened(),
        (err: unknown) => this.fail(err),
      );
    if (this.channel !== 'screen') this.append(castHeader(this.startedAtMs), 0);
  }

  /** The first objects are in the store: what was recorded meanwhile goes to chunk 0, the pair flows. */
  private opened(): void {
    this.wasOpened = true;
    const early = this.early;
    this.early = undefined;
    this.earlyBytes = 0;
    if (this.failure || !early) return;
    let ok = true;
    for (const e of early) ok = this.append(e.bytes, e.at) && ok;
    if (!ok) this.awaitDrain();
    if (this.chunk && this.chunk.bytes >= RECORDING_CHUNK_MAX_BYTES) this.rotate();
    this.maybeResume();
    this.pair.release();
  }

  /** A store call that neither resolves nor rejects within the timeout fails as `unavailable`. */
  private timed<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RecordingStoreError(
              'unavailable',
              `${what}: the recordings store did not answer within ${this.host.storeTimeoutMs} ms`,
            ),
          ),
        this.host.storeTimeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  get isRecording(): boolean {
    return !this.ended && !this.failure;
  }

  /** One forwarded message. The hot path: no copy of `data`, a 9-byte header for screen records. */
  record(from: Side, data: Buffer, isBinary: boolean): void {
    if (this.failure || this.ended) return;
    const fromAgent = from.role === 'agent';
    if (fromAgent) this.bytesAgentToTech += data.length;
    else this.bytesTechToAgent += data.length;
    const at = performance.now() - this.t0;
    let ok: boolean;
    if (this.channel === 'screen') {
      ok = this.append(screenHeader(fromAgent, at, data.length), at);
      ok = this.append(data, at) && ok;
    } else if (this.castQueue.length > 0 || (isBinary && data.length > CAST_SLICE_BYTES)) {
      // A large frame (or one behind it) is turned into events over several turns, in order, while
      // the sender is paused: one 64 MiB frame must not hold the relay for seconds.
      this.castQueue.push({ fromAgent, data, isBinary, at, offset: 0 });
      this.pause(from);
      this.scheduleCast();
      return;
    } else {
      ok = this.castEvent(fromAgent, data, isBinary, at);
    }
    if (this.failure) return;
    if (!ok) this.pauseFor(from);
    if (this.chunk && this.chunk.bytes >= RECORDING_CHUNK_MAX_BYTES) this.rotate();
  }

  /** Appends the events of one (small) shell or commands message; false when the writer wants a pause. */
  private castEvent(fromAgent: boolean, data: Buffer, isBinary: boolean, at: number): boolean {
    let lines: Buffer[] = [];
    if (this.channel === 'shell') {
      if (isBinary) {
        const text = this.decoders[fromAgent ? 'agent' : 'tech'].decode(data, { stream: true });
        lines = castLines(at, fromAgent ? 'o' : 'i', text);
      } else {
        const event = shellTextEvent(fromAgent, data);
        if (event) lines = castLines(at, event.code, event.text);
      }
    } else if (!isBinary) {
      const text = commandsTextEvent(fromAgent, data);
      if (text !== undefined) lines = castLines(at, 'o', text);
    }
    let ok = true;
    for (const line of lines) ok = this.append(line, at) && ok;
    // Waits on this chunk's writer: a later rotation must not leave the wait on a new, idle one.
    if (!ok) this.awaitDrain();
    return ok;
  }

  private scheduleCast(): void {
    if (this.castScheduled) return;
    this.castScheduled = true;
    setImmediate(() => {
      this.castScheduled = false;
      this.castSome();
    });
  }

  /** Turns up to CAST_SLICES_PER_TURN slices of queued messages into events, then yields. */
  private castSome(): void {
    let slices = 0;
    while (this.castQueue.length > 0 && slices < CAST_SLICES_PER_TURN && !this.failure) {
      const work = this.castQueue[0];
      if (work.isBinary && work.data.length > CAST_SLICE_BYTES) {
        const end = Math.min(work.data.length, work.offset + CAST_SLICE_BYTES);
        this.castEvent(work.fromAgent, work.data.subarray(work.offset, end), true, work.at);
        work.offset = end;
        if (end < work.data.length) {
          slices++;
          continue;
        }
      } else {
        this.castEvent(work.fromAgent, work.data, work.isBinary, work.at);
      }
      this.castQueue.shift();
      slices++;
    }
    if (this.failure) this.castQueue.length = 0;
    if (this.chunk && this.chunk.bytes >= RECORDING_CHUNK_MAX_BYTES) this.rotate();
    if (this.castQueue.length > 0) {
      this.scheduleCast();
      return;
    }
    // A writer over its high-water mark (castEvent waits on it) keeps the senders paused until it drains.
    if (this.ended) this.closeOut();
    else this.maybeResume();
  }

  /** Appends bytes to the open chunk (opening one if needed); false when the writer wants a pause. */
  private append(bytes: Buffer, at: number): boolean {
    if (this.early) {
      this.early.push({ bytes, at });
      this.earlyBytes += bytes.length;
      return this.earlyBytes < EARLY_MAX_BYTES;
    }
    if (this.failure) return true;
    let chunk = this.chunk;
    if (!chunk) {
      const opened = this.openChunk(at);
      if (!opened) return true;
      chunk = opened;
    }
    chunk.hash.update(bytes);
    chunk.bytes += bytes.length;
    chunk.endMs = at;
    return chunk.writer.write(bytes);
  }

  private openChunk(at: number): OpenChunk | undefined {
    if (this.nextIndex >= Math.min(this.host.maxChunks, RECORDING_MAX_CHUNKS)) {
      this.stopTooLong();
      return undefined;
    }
    const index = this.nextIndex++;
    let writer: RecordingObjectWriter;
    try {
      writer = this.host.store.create(this.id, recordingChunkName(index, this.channel));
    } catch (err) {
      this.fail(err);
      return undefined;
    }
    writer.onError((err) => this.fail(err));
    this.chunk = {
      index,
      writer,
      hash: createHash('sha256'),
      startMs: at,
      openedAt: performance.now(),
      endMs: at,
      bytes: 0,
    };
    return this.chunk;
  }

  /** Called by the shared sweep: closes a chunk open longer than RECORDING_CHUNK_MAX_MS. */
  tick(now: number): void {
    const chunk = this.chunk;
    if (chunk && chunk.bytes > 0 && now - chunk.openedAt >= RECORDING_CHUNK_MAX_MS && this.isRecording)
      this.rotate();
  }

  /** Closes the open chunk (off the data path, after earlier closes). */
  private rotate(): void {
    const chunk = this.chunk;
    if (!chunk) return;
    this.chunk = undefined;
    this.pendingCloses++;
    this.closing = this.closing
      .then(() => this.closeChunk(chunk))
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.pendingCloses--;
        this.maybeResume();
      });
    // Chunks fill faster than the store closes them: wait for it before reading more. Each closing chunk
    // holds at most its writer's queue (the rest is in the page cache or uploaded), so a few may overlap.
    if (this.pendingCloses > MAX_PENDING_CLOSES) for (const side of this.pair.sides()) this.pause(side);
  }

  /**
   * Closes a chunk durably and names it in the manifest. A chunk whose own writer succeeded is closed
   * and named even after the recording failed (the final manifest lists it); one whose writer failed
   * stays in the store outside the manifest, like the chunk a crash interrupts.
   */
  private async closeChunk(chunk: OpenChunk): Promise<void> {
    try {
      await this.timed(chunk.writer.close(), 'closing a chunk');
    } catch (err) {
      this.fail(err);
      return;
    }
    const sha = chunk.hash.digest();
    const link = recordingChainLink(this.head, chunk.index, sha, chunk.bytes);
    this.head = link;
    this.storedBytes += chunk.bytes;
    this.entries.push({
      index: chunk.index,
      name: recordingChunkName(chunk.index, this.channel),
      bytes: chunk.bytes,
      startMs: Math.floor(chunk.startMs),
      endMs: Math.max(Math.floor(chunk.startMs), Math.floor(chunk.endMs)),
      sha256: sha.toString('hex'),
      chain: link.toString('hex'),
    });
    // After a failure, the final manifest (one write) names it.
    if (this.failure) return;
    await this.timed(
      this.host.store.put(this.id, RECORDING_MANIFEST_NAME, this.manifestBytes(null, false, null)),
      'writing the manifest',
    );
    this.host.metrics.recordingChunksTotal++;
    this.host.metrics.recordingBytes += chunk.bytes;
    this.host.report({
      ...this.eventBase(),
      type: 'recording_progress',
      chunks: this.entries.length,
      bytes: this.storedBytes,
      head: this.head.toString('hex'),
    });
  }

  private pauseFor(side: Side): void {
    this.pause(side);
    this.awaitDrain();
  }

  private awaitDrain(): void {
    if (this.waitingDrain || !this.chunk) return;
    this.waitingDrain = true;
    this.chunk.writer.onDrain(() => {
      this.waitingDrain = false;
      this.maybeResume();
    });
  }

  private pause(side: Side): void {
    // A recording that ended, or a pair that closed, never holds a socket (it must read the close).
    if (this.ended || this.failure || this.pair.isClosed || this.pausedSides.has(side)) return;
    this.pausedSides.add(side);
    if (side.pause(PAUSE_RECORDING)) this.host.metrics.recordingPauses++;
  }

  private maybeResume(): void {
    if (this.pausedSides.size === 0) return;
    if (
      !this.failure &&
      !this.ended &&
      (this.waitingDrain ||
        this.pendingCloses > MAX_PENDING_CLOSES ||
        this.castQueue.length > 0 ||
        this.earlyBytes >= EARLY_MAX_BYTES)
    )
      return;
    for (const side of this.pausedSides) side.resume(PAUSE_RECORDING);
    this.pausedSides.clear();
  }

  /**
   * The store refused something. Reported once; `required` closes the pair with 4016 (whose close ends
   * this recording), `optional` stops recording and finishes the manifest with what was closed so far.
   */
  private fail(err: unknown): void {
    if (this.failure) return;
    const failure = storeErrorOf(err, 'recording');
    this.failure = failure;
    this.host.metrics.recordingFailures++;
    this.host.logger.warn(
      {
        sid: this.pair.sessionId,
        ch: this.channel,
        recordingId: this.id,
        failure: failure.failure,
        err: failure.message,
      },
      'recording failed',
    );
    this.early = undefined;
    this.earlyBytes = 0;
    this.castQueue.length = 0;
    // The chunk in progress is closed like any other: named if its writer took every byte, else left in
    // place outside the manifest (never deleted: its bytes may already have been forwarded).
    const chunk = this.chunk;
    if (chunk && chunk.bytes > 0) this.rotate();
    else if (chunk) {
      this.chunk = undefined;
      void chunk.writer.abort();
    }
    this.host.report({
      ...this.eventBase(),
      type: 'recording_failed',
      mode: this.claim.mode,
      failure: failure.failure,
    });
    this.maybeResume();
    if (this.ended) {
      this.closeOut();
      return;
    }
    if (this.claim.mode === 'required') this.pair.close(RelayCloseCode.RecordingFailed, 'relay');
    else this.end();
  }

  /** RECORDING_MAX_CHUNKS reached: recording stops (`too_long`); a required session ends with 4016. */
  private stopTooLong(): void {
    if (this.ended) return;
    this.host.logger.warn(
      { sid: this.pair.sessionId, recordingId: this.id, mode: this.claim.mode },
      'recording reached its chunk limit',
    );
    this.finish('too_long');
    if (this.claim.mode === 'required') this.pair.close(RelayCloseCode.RecordingFailed, 'relay');
  }

  /** The pair closed (or recording stopped): closes the last chunk and writes the final manifest. */
  end(): void {
    this.finish(this.host.shuttingDown ? 'relay_shutdown' : null);
  }

  private finish(reason: RecordingIncompleteReason | null): void {
    if (this.ended) return;
    this.ended = true;
    this.finalReason = reason;
    this.maybeResume();
    // Messages still being turned into events are recorded first (castSome closes out after them).
    if (this.castQueue.length === 0) this.closeOut();
  }

  /** Closes the last chunk, then writes the final manifest (once, after every earlier close). */
  private closeOut(): void {
    if (this.closedOut) return;
    this.closedOut = true;
    const reason = this.finalReason;
    // After earlier closes (and the opening: bytes recorded before it land in a chunk only then).
    this.closing = this.closing.then(async () => {
      const chunk = this.chunk;
      this.chunk = undefined;
      if (chunk && chunk.bytes > 0) await this.closeChunk(chunk).catch((err: unknown) => this.fail(err));
      else if (chunk) await chunk.writer.abort();
      await this.writeFinal(reason);
    });
  }

  private async writeFinal(reason: RecordingIncompleteReason | null): Promise<void> {
    const endedAt = new Date();
    try {
      const why = this.failure ? 'store_failed' : reason;
      if (!this.host.unavailable && this.wasOpened)
        await this.timed(
          this.host.store.put(
            this.id,
            RECORDING_MANIFEST_NAME,
            this.manifestBytes(endedAt.toISOString(), why === null, why),
          ),
          'writing the final manifest',
        );
    } catch (err) {
      // Best effort: the recording is already failed, or fails now (reported once).
      if (!this.failure) this.fail(err);
    }
    // The marker goes even when the final write failed: recording_finished below reports that failure,
    // and the next start's sweep must not report this recording a second time as relay_crashed.
    if (!this.host.unavailable)
      await this.timed(this.host.store.removeObject(this.id, RECORDING_OPEN_MARKER), 'closing').catch(
        (err: unknown) =>
          this.host.logger.warn(
            { recordingId: this.id, err: storeErrorOf(err, 'removing the open marker').message },
            'recording open marker not removed; the next start will close it again',
          ),
      );
    const why = this.failure ? 'store_failed' : reason;
    this.host.report({
      ...this.eventBase(),
      at: endedAt.toISOString(),
      type: 'recording_finished',
      chunks: this.entries.length,
      bytes: this.storedBytes,
      head: this.head.toString('hex'),
      complete: why === null,
      incompleteReason: why,
      durationMs: Math.max(0, endedAt.getTime() - this.startedAtMs),
    });
    this.host.settled(this);
    this.markDone();
  }

  private manifestBytes(
    endedAt: string | null,
    complete: boolean,
    reason: RecordingIncompleteReason | null,
  ): Buffer {
    const manifest: RecordingManifest = {
      format: RECORDING_FORMAT,
      recordingId: this.id,
      sessionId: this.pair.sessionId,
      channel: this.channel,
      encoding: RECORDING_ENCODINGS[this.channel],
      mode: this.claim.mode,
      technicianId: this.claim.tech,
      deviceId: this.claim.device,
      startedAt: new Date(this.startedAtMs).toISOString(),
      endedAt,
      complete,
      incompleteReason: reason,
      bytesAgentToTech: this.bytesAgentToTech,
      bytesTechToAgent: this.bytesTechToAgent,
      chunks: this.entries,
    };
    return Buffer.from(JSON.stringify(manifest, null, 1), 'utf8');
  }

  private eventBase(): { id: string; sessionId: string; channel: string; at: string; recordingId: string } {
    return {
      id: randomUUID(),
      sessionId: this.pair.sessionId,
      channel: this.channel,
      at: new Date().toISOString(),
      recordingId: this.id,
    };
  }
}
