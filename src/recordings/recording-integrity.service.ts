import { Injectable, Logger } from '@nestjs/common';
import type { RecordingBreakReason } from '../../contracts/api/recordings';
import {
  checkRecordingChain,
  checkRecordingChunk,
  recordingChainSeed,
  type RecordingSignedHead,
} from '../../contracts/node/recording-chain';
import {
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

  constructor(
    private readonly queries: RecordingQueries,
    private readonly storeRef: RecordingStoreRef,
    private readonly clock: Clock,
  ) {}

  /** Reads and validates the manifest; a missing or invalid one is a break at chunk 0. */
  async readManifest(row: RecordingRow): Promise<ManifestRead> {
    let raw: Buffer | null;
    try {
      raw = await this.storeRef.store.get(row.id, RECORDING_MANIFEST_NAME);
    } catch (err) {
      this.logger.warn(`Reading the manifest of recording ${row.id} failed: ${(err as Error).message}`);
      throw errors.storeUnavailable();
    }
    if (raw === null) return { manifest: null, check: { brokenAt: 0, reason: 'manifest_missing' } };
    try {
      const manifest = parseRecordingManifest(JSON.parse(raw.toString('utf8')));
      if (manifest.recordingId !== row.id || manifest.sessionId !== row.sessionId)
        return { manifest: null, check: { brokenAt: 0, reason: 'manifest_invalid' } };
      return { manifest };
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof RecordingFormatError)
        return { manifest: null, check: { brokenAt: 0, reason: 'manifest_invalid' } };
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

  /** Checks a recording now and stores the result; returns it. */
  async verify(id: string): Promise<RecordingCheck> {
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
    this.running = this.running.then(async () => {
      this.queued.delete(id);
      try {
        await this.verify(id);
      } catch (err) {
        this.logger.warn(`Checking recording ${id} failed: ${(err as Error).message}`);
      }
    });
  }

  /** Resolves once every queued check has run (tests, shutdown). */
  idle(): Promise<void> {
    return this.running;
  }
}
