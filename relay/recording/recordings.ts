import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  RECORDING_MANIFEST_NAME,
  RECORDING_MAX_CHUNKS,
  RECORDING_OPEN_MARKER,
  isRecordedChannel,
  parseRecordingManifest,
  type RecordingManifest,
} from '../../contracts/recording/format';
import type { RecordingEvent } from '../../contracts/relay-events';
import { recordingChainSeed } from '../../contracts/node/recording-chain';
import {
  storeErrorOf,
  type RecordingStore,
  type RecordingStoreError,
} from '../../contracts/node/recording-store';
import type { RelayLogger } from '../logger';
import type { RelayMetrics } from '../metrics';
import type { Pair } from '../pair';
import { RECORDING_STORE_TIMEOUT_MS, Recorder, type RecorderHost } from './recorder';

/** How often the shared sweep looks for chunks past RECORDING_CHUNK_MAX_MS. */
const TICK_MS = 1000;
/** At start, at most this many recordings left open by a crash are closed (the rest at later starts). */
export const CRASH_SWEEP_MAX_CLOSED = 100;
/** …and at most this many open recordings (carrying the open marker) have their manifest read. */
export const CRASH_SWEEP_MAX_SCANNED = 10_000;

/**
 * The relay's recordings: one {@link Recorder} per recorded pair, one shared timer for chunk time
 * limits, the crash sweep at start and the finish at shutdown.
 */
export class Recordings implements RecorderHost {
  private readonly active = new Set<Recorder>();
  private timer: NodeJS.Timeout | undefined;
  unavailable: RecordingStoreError | undefined;
  shuttingDown = false;
  /** Settable for tests, like {@link maxChunks}. */
  storeTimeoutMs = RECORDING_STORE_TIMEOUT_MS;
  maxChunks = RECORDING_MAX_CHUNKS;

  constructor(
    readonly store: RecordingStore,
    private readonly reportEvent: (event: RecordingEvent) => void,
    readonly metrics: RelayMetrics,
    readonly logger: RelayLogger,
  ) {}

  get activeCount(): number {
    return this.active.size;
  }

  /**
   * Checks the store can be written (a folder store creates its root). A failure does not stop the
   * relay: unrecorded sessions go on, and each recorded pair fails at pairing (required → 4016).
   */
  async prepare(): Promise<void> {
    const preparable = this.store as RecordingStore & { prepare?: () => Promise<void> };
    if (typeof preparable.prepare !== 'function') return;
    try {
      await preparable.prepare();
    } catch (err) {
      this.unavailable = storeErrorOf(err, 'preparing the recordings store');
      this.logger.error(
        { store: this.store.kind, failure: this.unavailable.failure, err: this.unavailable.message },
        'the recordings store is not usable; recorded sessions will fail',
      );
    }
  }

  report(event: RecordingEvent): void {
    this.reportEvent(event);
  }

  /** Starts recording a pair (sets `pair.recorder`) that has just paired (before its held messages are flushed). */
  start(pair: Pair): void {
    const claim = pair.recording;
    if (!claim || !isRecordedChannel(pair.channel)) return undefined;
    const recorder = new Recorder(this, pair, pair.channel, claim);
    this.active.add(recorder);
    this.metrics.recordingsTotal++;
    this.timer ??= setInterval(() => this.tick(), TICK_MS).unref();
    this.logger.debug({ sid: pair.sessionId, ch: pair.channel, recordingId: recorder.id }, 'recording');
    // Set before start(): a store that fails at once closes the pair (required), which ends the recorder.
    pair.recorder = recorder;
    recorder.start();
  }

  settled(recorder: Recorder): void {
    this.active.delete(recorder);
    if (this.active.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** The shared sweep: closes chunks open longer than RECORDING_CHUNK_MAX_MS (`now`: performance.now()). */
  tick(now: number = performance.now()): void {
    for (const recorder of this.active) recorder.tick(now);
  }

  /**
   * Waits up to `budgetMs` for every recording to write its final manifest (at shutdown, after the
   * pairs were closed: they end as `relay_shutdown`). Returns how many were still open.
   */
  async settle(budgetMs: number): Promise<number> {
    if (this.active.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)));
    await Promise.race([Promise.all([...this.active].map((r) => r.done)), timeout]);
    clearTimeout(timer);
    if (this.active.size > 0)
      this.logger.warn({ open: this.active.size }, 'recordings still open at the end of the shutdown grace');
    return this.active.size;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Recordings a crashed relay left open (manifest `endedAt: null`) are closed as `relay_crashed`: the
   * manifest keeps every chunk it named, and gains an end time (the start plus the last chunk's end).
   * The chunk that was being written at the crash is not named by the manifest; it is left in place,
   * outside the hash chain, never played or verified, and removed with the recording. Assumes one relay
   * writes a store (a second relay sharing it would close the first one's live recordings).
   *
   * Only recordings that still carry the open marker (RECORDING_OPEN_MARKER) are candidates: a finished
   * recording costs one small read (no manifest parse) and never counts toward `maxScanned`, so open
   * ones are found wherever they sort among many finished ones. A recording whose end (even a failed
   * final write) was already reported has no marker, so it is never reported twice.
   */
  async sweepCrashed(
    maxClosed: number = CRASH_SWEEP_MAX_CLOSED,
    maxScanned: number = CRASH_SWEEP_MAX_SCANNED,
  ): Promise<number> {
    if (this.unavailable) return 0;
    let closed = 0;
    let scanned = 0;
    try {
      for await (const recordingId of this.store.recordingIds()) {
        if (closed >= maxClosed || scanned >= maxScanned) break;
        if (this.isLive(recordingId) || !(await this.isOpen(recordingId))) continue;
        scanned++;
        const manifest = await this.openManifest(recordingId);
        if (manifest === undefined) continue;
        if (manifest !== null && manifest.endedAt === null) {
          await this.closeCrashed(manifest);
          closed++;
        }
        // No manifest (a crash between the marker and the first manifest: no chunk exists either), or a
        // final manifest whose marker removal did not happen: nothing to report, the marker goes.
        await this.store.removeObject(recordingId, RECORDING_OPEN_MARKER);
      }
    } catch (err) {
      this.logger.warn({ err: storeErrorOf(err, 'sweeping recordings').message }, 'recording sweep stopped');
    }
    if (closed > 0) this.logger.info({ closed }, 'closed recordings left open by an earlier run');
    return closed;
  }

  private isLive(recordingId: string): boolean {
    for (const r of this.active) if (r.id === recordingId) return true;
    return false;
  }

  private async isOpen(recordingId: string): Promise<boolean> {
    try {
      return (await this.store.get(recordingId, RECORDING_OPEN_MARKER)) !== null;
    } catch {
      // Unreadable marker: treated as open, the manifest read below decides (and logs).
      return true;
    }
  }

  /** The manifest; null when there is none; undefined when it cannot be read (logged, left alone). */
  private async openManifest(recordingId: string): Promise<RecordingManifest | null | undefined> {
    try {
      const bytes = await this.store.get(recordingId, RECORDING_MANIFEST_NAME);
      if (!bytes) return null;
      const manifest = parseRecordingManifest(JSON.parse(bytes.toString('utf8')));
      return manifest.recordingId === recordingId ? manifest : undefined;
    } catch (err) {
      this.logger.warn(
        { recordingId, err: (err as Error).message },
        'skipping an unreadable recording manifest',
      );
      return undefined;
    }
  }

  private async closeCrashed(manifest: RecordingManifest): Promise<void> {
    const last = manifest.chunks[manifest.chunks.length - 1];
    const started = Date.parse(manifest.startedAt);
    const endedAt = new Date(started + (last?.endMs ?? 0)).toISOString();
    const closed: RecordingManifest = {
      ...manifest,
      endedAt,
      complete: false,
      incompleteReason: 'relay_crashed',
    };
    await this.store.put(
      manifest.recordingId,
      RECORDING_MANIFEST_NAME,
      Buffer.from(JSON.stringify(closed, null, 1), 'utf8'),
    );
    this.report({
      id: randomUUID(),
      type: 'recording_finished',
      sessionId: manifest.sessionId,
      channel: manifest.channel,
      at: new Date().toISOString(),
      recordingId: manifest.recordingId,
      chunks: manifest.chunks.length,
      bytes: manifest.chunks.reduce((sum, c) => sum + c.bytes, 0),
      head: last?.chain ?? recordingChainSeed(manifest.recordingId).toString('hex'),
      complete: false,
      incompleteReason: 'relay_crashed',
      durationMs: Math.max(0, Date.parse(endedAt) - started),
    });
  }
}
