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
  storeErrorOf,
  type RecordingObjectWriter,
  type RecordingStore,
  type RecordingStoreError,
} from '../../contracts/node/recording-store';
import type { RelayRecordingClaim } from '../../contracts/node/relay-token';
import type { RelayLogger } from '../logger';
import type { RelayMetrics } from '../metrics';
import type { Pair } from '../pair';
import { PAUSE_RECORDING, type Side } from '../side';
import { castHeader, castLine, commandsTextEvent, screenHeader, shellTextEvent } from './cast-events';

/** Chunks waiting to be closed before the pair is paused for the store. */
const MAX_PENDING_CLOSES = 3;

/** What a recorder needs from the relay around it (relay/recording/recordings.ts). */
export interface RecorderHost {
  readonly store: RecordingStore;
  readonly metrics: RelayMetrics;
  readonly logger: RelayLogger;
  /** Set when the store could not be prepared at start: every recording fails at once. */
  readonly unavailable: RecordingStoreError | undefined;
  /** True once the relay is stopping: recordings closed now are `relay_shutdown`. */
  readonly shuttingDown: boolean;
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
    // An empty manifest first, so a crash before the first chunk closes still leaves a recording to close.
    this.closing = this.host.store
      .put(this.id, RECORDING_MANIFEST_NAME, this.manifestBytes(null, false, null))
      .catch((err: unknown) => this.fail(err));
    if (this.channel !== 'screen') this.append(castHeader(this.startedAtMs), 0);
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
    } else {
      const line = this.castEvent(fromAgent, data, isBinary, at);
      if (line === undefined) return;
      ok = this.append(line, at);
    }
    if (this.failure) return;
    if (!ok) this.pauseFor(from);
    if (this.chunk && this.chunk.bytes >= RECORDING_CHUNK_MAX_BYTES) this.rotate();
  }

  private castEvent(fromAgent: boolean, data: Buffer, isBinary: boolean, at: number): Buffer | undefined {
    if (this.channel === 'shell') {
      if (isBinary) {
        const text = this.decoders[fromAgent ? 'agent' : 'tech'].decode(data, { stream: true });
        return text === '' ? undefined : castLine(at, fromAgent ? 'o' : 'i', text);
      }
      const event = shellTextEvent(fromAgent, data);
      return event && castLine(at, event.code, event.text);
    }
    if (isBinary) return undefined;
    const text = commandsTextEvent(fromAgent, data);
    return text === undefined || text === '' ? undefined : castLine(at, 'o', text);
  }

  /** Appends bytes to the open chunk (opening one if needed); false when the writer wants a pause. */
  private append(bytes: Buffer, at: number): boolean {
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
    if (this.nextIndex >= RECORDING_MAX_CHUNKS) {
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

  private async closeChunk(chunk: OpenChunk): Promise<void> {
    if (this.failure) {
      await chunk.writer.abort();
      return;
    }
    await chunk.writer.close();
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
    await this.host.store.put(this.id, RECORDING_MANIFEST_NAME, this.manifestBytes(null, false, null));
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
    if (this.waitingDrain || !this.chunk) return;
    this.waitingDrain = true;
    this.chunk.writer.onDrain(() => {
      this.waitingDrain = false;
      this.maybeResume();
    });
  }

  private pause(side: Side): void {
    if (this.pausedSides.has(side)) return;
    this.pausedSides.add(side);
    if (side.pause(PAUSE_RECORDING)) this.host.metrics.recordingPauses++;
  }

  private maybeResume(): void {
    if (this.pausedSides.size === 0) return;
    if (!this.failure && !this.ended && (this.waitingDrain || this.pendingCloses > MAX_PENDING_CLOSES))
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
    const chunk = this.chunk;
    this.chunk = undefined;
    if (chunk) void chunk.writer.abort();
    this.host.report({
      ...this.eventBase(),
      type: 'recording_failed',
      mode: this.claim.mode,
      failure: failure.failure,
    });
    this.maybeResume();
    if (this.ended) return;
    if (this.claim.mode === 'required') this.pair.close(RelayCloseCode.RecordingFailed, 'relay');
    else this.end();
  }

  private stopTooLong(): void {
    if (this.ended) return;
    this.host.logger.warn(
      { sid: this.pair.sessionId, recordingId: this.id },
      'recording reached its chunk limit',
    );
    this.finish('too_long');
  }

  /** The pair closed (or recording stopped): closes the last chunk and writes the final manifest. */
  end(): void {
    this.finish(this.host.shuttingDown ? 'relay_shutdown' : null);
  }

  private finish(reason: RecordingIncompleteReason | null): void {
    if (this.ended) return;
    this.ended = true;
    const chunk = this.chunk;
    if (chunk && chunk.bytes > 0) this.rotate();
    else if (chunk) {
      this.chunk = undefined;
      void chunk.writer.abort();
    }
    this.maybeResume();
    this.closing = this.closing.then(() => this.writeFinal(reason));
  }

  private async writeFinal(reason: RecordingIncompleteReason | null): Promise<void> {
    const endedAt = new Date();
    try {
      const why = this.failure ? 'store_failed' : reason;
      if (!this.host.unavailable)
        await this.host.store.put(
          this.id,
          RECORDING_MANIFEST_NAME,
          this.manifestBytes(endedAt.toISOString(), why === null, why),
        );
    } catch (err) {
      // Best effort: the recording is already failed, or fails now (reported once).
      if (!this.failure) this.fail(err);
    }
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
