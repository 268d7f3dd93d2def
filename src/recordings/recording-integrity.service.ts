import { Injectable, Logger } from '@nestjs/common';
import type { RecordingBreakReason } from '../../contracts/api/recordings';
import {
  checkRecordingChain,
  checkRecordingChunk,
  recordingChainSeed,
  type RecordingSignedHead,
} from '../../contracts/node/recording-chain';
import {
  RECORDING_CHUNK_MAX_BYTES,
  RECORDING_MANIFEST_NAME,
  RecordingFormatError,
  parseRecordingManifest,
  type RecordingManifest,
} from '../../contracts/recording/format';
import { Clock } from '../common/clock';
import { RecordingStoreRef } from './recording-store.provider';
import { RecordingQueries, type RecordingRow } from './recording.queries';
import { recordingErrors as errors } from './recordings.errors';

/** Where a recording stops being trustworthy; `brokenAt` null when it is whole. */
export interface RecordingCheck {
  brokenAt: number | null;
  reason: RecordingBreakReason | null;
}

export type ManifestRead = { manifest: RecordingManifest } | { manifest: null; check: RecordingCheck };

/** Checks waiting at most; past it, a finished recording stays `unchecked` until verified by hand. */
const QUEUE_MAX = 1000;
/** A manifest entry claiming more than a chunk may hold (plus a margin) is refused unread. */
const CHUNK_READ_MAX = RECORDING_CHUNK_MAX_BYTES + 64 * 1024;
/** Parsed, chain-checked manifests kept for serving (a player asks for chunk after chunk). */
const MANIFEST_CACHE_ENTRIES = 16;
const MANIFEST_CACHE_BYTES = 64 * 1024 * 1024;
/** A cached manifest is read again after this long even when no event changed the row. */
const MANIFEST_CACHE_TTL_MS = 60_000;

interface CachedManifest {
  /** The row's signed state it was checked against: a new progress or finish invalidates it. */
  readonly key: string;
  readonly read: ManifestRead;
  readonly check: RecordingCheck;
  readonly bytes: number;
  readonly at: number;
}

/**
 * Integrity of recordings against the hash chain (contracts/node/recording-chain.ts): the manifest's
 * chain must reach the head the relay signed (kept in the row), and every chunk must hash to its
 * manifest entry. Runs after each recording finishes (queued, one at a time) and on demand.
 */
@Injectable()
export class RecordingIntegrityService {
  private readonly logger = new Logger(RecordingIntegrityService.name);
  private readonly queued = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  /** Verifications under way, per recording: a second request shares the first one's result. */
  private readonly verifying = new Map<string, Promise<RecordingCheck>>();
  /** recording id → its checked manifest, least recently used first. */
  private readonly manifests = new Map<string, CachedManifest>();
  private manifestBytes = 0;

  constructor(
    private readonly queries: RecordingQueries,
    private readonly storeRef: RecordingStoreRef,
    private readonly clock: Clock,
  ) {}

  /** Reads and validates the manifest; a missing or invalid one is a break at chunk 0. */
  async readManifest(row: RecordingRow): Promise<ManifestRead> {
    return (await this.readManifestSized(row)).read;
  }

  /**
   * The manifest checked against the row's signed head, for serving: kept (bounded LRU) until the
   * row's chunks, head or status change, so a player's chunk requests do not each re-read and
   * re-hash a manifest of up to 100,000 chunks. Chunk bytes are still checked on every request.
   */
  async checkedManifest(row: RecordingRow): Promise<{ read: ManifestRead; check: RecordingCheck }> {
    const key = `${row.chunks}:${row.chainHead ?? ''}:${row.status}`;
    const now = Date.now();
    const hit = this.manifests.get(row.id);
    if (hit) {
      this.forget(row.id);
      if (hit.key === key && now - hit.at < MANIFEST_CACHE_TTL_MS) {
        this.remember(row.id, hit);
        return hit;
      }
    }
    const { read, bytes } = await this.readManifestSized(row);
    const check = read.manifest ? this.checkChain(row, read.manifest) : read.check;
    this.remember(row.id, { key, read, check, bytes, at: now });
    return { read, check };
  }

  private remember(id: string, entry: CachedManifest): void {
    if (entry.bytes > MANIFEST_CACHE_BYTES / 2) return;
    this.manifests.set(id, entry);
    this.manifestBytes += entry.bytes;
    for (const oldest of this.manifests.keys()) {
      if (this.manifests.size <= MANIFEST_CACHE_ENTRIES && this.manifestBytes <= MANIFEST_CACHE_BYTES) break;
      this.forget(oldest);
    }
  }

  private forget(id: string): void {
    const entry = this.manifests.get(id);
    if (!entry) return;
    this.manifests.delete(id);
    this.manifestBytes -= entry.bytes;
  }

  private async readManifestSized(row: RecordingRow): Promise<{ read: ManifestRead; bytes: number }> {
    const read = (r: ManifestRead, bytes = 0) => ({ read: r, bytes });
    let raw: Buffer | null;
    try {
      raw = await this.storeRef.store.get(row.id, RECORDING_MANIFEST_NAME);
    } catch (err) {
      this.logger.warn(`Reading the manifest of recording ${row.id} failed: ${(err as Error).message}`);
      throw errors.storeUnavailable();
    }
    if (raw === null) return read({ manifest: null, check: { brokenAt: 0, reason: 'manifest_missing' } });
    const invalid = read({ manifest: null, check: { brokenAt: 0, reason: 'manifest_invalid' } }, raw.length);
    try {
      const manifest = parseRecordingManifest(JSON.parse(raw.toString('utf8')));
      if (manifest.recordingId !== row.id || manifest.sessionId !== row.sessionId) return invalid;
      return read({ manifest }, raw.length);
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof RecordingFormatError) return invalid;
      throw err;
    }
  }

  /**
   * The head the relay signed, from the row. A row without one (no progress or finish arrived) is
   * held to the seed: no chunk is covered, so none is served or verified.
   */
  signedHead(row: RecordingRow): RecordingSignedHead {
    return row.chainHead
      ? { chunks: row.chunks, head: row.chainHead }
      : { chunks: 0, head: recordingChainSeed(row.id).toString('hex') };
  }

  /** How many of the manifest's chunks the signed head covers (the most that may be served). */
  covered(row: RecordingRow, manifest: RecordingManifest): number {
    return Math.min(manifest.chunks.length, this.signedHead(row).chunks);
  }

  /**
   * The manifest's chain against the row's signed head (no chunk bytes read). A finished row's
   * manifest must end exactly at the head; while recording, chunks past it are not checked (nor served).
   */
  checkChain(row: RecordingRow, manifest: RecordingManifest): RecordingCheck {
    const result = checkRecordingChain(manifest, this.signedHead(row), { exact: row.status !== 'recording' });
    return { brokenAt: result.brokenAt, reason: result.problem };
  }

  /** One chunk's bytes against its manifest entry. */
  async readChunk(
    row: RecordingRow,
    manifest: RecordingManifest,
    index: number,
  ): Promise<{ bytes: Buffer | null; check: RecordingCheck }> {
    const entry = manifest.chunks[index];
    // Bounded reads: an entry claiming more than a chunk may hold is not read at all.
    if (entry.bytes > CHUNK_READ_MAX)
      return { bytes: null, check: { brokenAt: entry.index, reason: 'chunk_altered' } };
    let bytes: Buffer | null;
    try {
      bytes = await this.storeRef.store.get(row.id, entry.name);
    } catch (err) {
      this.logger.warn(`Reading chunk ${index} of recording ${row.id} failed: ${(err as Error).message}`);
      throw errors.storeUnavailable();
    }
    const result = checkRecordingChunk(entry, bytes);
    return { bytes, check: { brokenAt: result.brokenAt, reason: result.problem } };
  }

  /** The whole check: manifest, chain, then every chunk in order. */
  async check(row: RecordingRow): Promise<RecordingCheck> {
    const read = await this.readManifest(row);
    if (!read.manifest) return read.check;
    const chain = this.checkChain(row, read.manifest);
    if (chain.brokenAt !== null) return chain;
    for (let i = 0; i < this.covered(row, read.manifest); i++) {
      const { check } = await this.readChunk(row, read.manifest, i);
      if (check.brokenAt !== null) return check;
    }
    return { brokenAt: null, reason: null };
  }

  /**
   * Checks a recording now and stores the result; returns it. Runs in the same one-at-a-time queue
   * as the checks after a finish, and concurrent requests for one recording share one check.
   */
  verify(id: string): Promise<RecordingCheck> {
    const under = this.verifying.get(id);
    if (under) return under;
    const work = this.running.then(() => this.verifyNow(id));
    this.running = work.then(
      () => undefined,
      () => undefined,
    );
    const shared = work.finally(() => this.verifying.delete(id));
    this.verifying.set(id, shared);
    return shared;
  }

  private async verifyNow(id: string): Promise<RecordingCheck> {
    const row = await this.queries.find(id);
    if (!row || row.purgeStartedAt) throw errors.notFound();
    const result = await this.check(row);
    await this.queries.setIntegrity(id, result, this.clock.now());
    if (result.brokenAt !== null)
      this.logger.warn(`Recording ${id} is broken at chunk ${result.brokenAt} (${result.reason})`);
    return result;
  }

  /** A break found while serving (playback, a chunk): kept when it is earlier than the one known. */
  async noteBreak(row: RecordingRow, check: RecordingCheck): Promise<void> {
    if (check.brokenAt === null) return;
    if (row.brokenAt !== null && row.brokenAt <= check.brokenAt) return;
    await this.queries.setIntegrity(row.id, check, this.clock.now());
    this.logger.warn(`Recording ${row.id} is broken at chunk ${check.brokenAt} (${check.reason})`);
  }

  /** Queues a check (after a recording finished); one runs at a time. */
  enqueue(id: string): void {
    if (this.queued.has(id)) return;
    if (this.queued.size >= QUEUE_MAX) {
      this.logger.warn(`Integrity queue full; recording ${id} stays unchecked until verified`);
      return;
    }
    this.queued.add(id);
    this.verify(id)
      .catch((err: unknown) => this.logger.warn(`Checking recording ${id} failed: ${(err as Error).message}`))
      .finally(() => this.queued.delete(id));
  }

  /** Resolves once every queued check has run (tests, shutdown). */
  idle(): Promise<void> {
    return this.running;
  }
}
