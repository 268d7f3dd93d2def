import { createHash } from 'node:crypto';
import { RECORDING_FORMAT, type RecordingChunkEntry, type RecordingManifest } from '../recording/format';

/**
 * The hash chain over a recording's chunks. Each chunk's link hashes the previous link, the chunk's
 * index, its SHA-256 and its length, starting from a seed bound to the recording id:
 *
 *   seed     = SHA-256("qs-recording/1\n" ‖ recordingId)
 *   link[i]  = SHA-256(link[i-1] ‖ u32be(i) ‖ sha256[i] ‖ u64be(bytes[i]))      (link[-1] = seed)
 *
 * A removed, reordered or altered chunk breaks the chain from that index on. The manifest can be
 * rewritten by whoever can write the store, so the relay also reports the head (last link and chunk
 * count) to the portal in signed events; the portal keeps it in its `recordings` row and checks the
 * manifest against it.
 */
export function recordingChainSeed(recordingId: string): Buffer {
  return createHash('sha256').update(`${RECORDING_FORMAT}\n${recordingId}`, 'utf8').digest();
}

export function recordingChainLink(previous: Buffer, index: number, sha256: Buffer, bytes: number): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32BE(index, 0);
  fixed.writeBigUInt64BE(BigInt(bytes), 4);
  return createHash('sha256')
    .update(previous)
    .update(fixed.subarray(0, 4))
    .update(sha256)
    .update(fixed.subarray(4))
    .digest();
}

/** The chain head of an empty recording (no chunk yet) is its seed. */
export function recordingChainHead(manifest: RecordingManifest): string {
  const last = manifest.chunks.at(-1);
  return last ? last.chain : recordingChainSeed(manifest.recordingId).toString('hex');
}

export type RecordingBreak =
  /** A chunk's `chain` is not the link computed from the chunks before it. */
  | 'chain_mismatch'
  /** The manifest has fewer chunks than the relay reported, or its last link is not the reported head. */
  | 'head_mismatch'
  /** A chunk's bytes are missing from the store. */
  | 'chunk_missing'
  /** A chunk's bytes do not hash to its `sha256`, or their length differs. */
  | 'chunk_altered';

export interface RecordingIntegrity {
  readonly ok: boolean;
  /** First chunk index that cannot be trusted (the player plays the chunks before it); null when ok. */
  readonly brokenAt: number | null;
  readonly problem: RecordingBreak | null;
}

export const RECORDING_INTACT: RecordingIntegrity = { ok: true, brokenAt: null, problem: null };

/** The head the relay signed: `chunks` chunks, the last link `head` (the seed when none). */
export interface RecordingSignedHead {
  readonly chunks: number;
  readonly head: string;
}

export interface RecordingChainOptions {
  /**
   * The recording is finished: the manifest must hold exactly `reported.chunks` chunks. One past the
   * signed head is `head_mismatch` (anyone who can write the store can append chunks and recompute
   * the unkeyed chain). Without it (still recording) chunks past the head are ignored, not checked:
   * they are not yet covered by a signature and must not be served.
   */
  readonly exact?: boolean;
}

/**
 * Checks the manifest's own chain, and when `reported` is given (the head the relay signed), that the
 * manifest reaches it; only the chunks the head covers are checked (see {@link RecordingChainOptions}).
 * Does not read chunk bytes: see {@link checkRecordingChunk}.
 */
export function checkRecordingChain(
  manifest: RecordingManifest,
  reported?: RecordingSignedHead,
  options: RecordingChainOptions = {},
): RecordingIntegrity {
  const covered = reported ? Math.min(reported.chunks, manifest.chunks.length) : manifest.chunks.length;
  let link = recordingChainSeed(manifest.recordingId);
  for (let i = 0; i < covered; i++) {
    const chunk = manifest.chunks[i];
    link = recordingChainLink(link, chunk.index, Buffer.from(chunk.sha256, 'hex'), chunk.bytes);
    if (link.toString('hex') !== chunk.chain)
      return { ok: false, brokenAt: chunk.index, problem: 'chain_mismatch' };
  }
  if (reported) {
    if (manifest.chunks.length < reported.chunks)
      return { ok: false, brokenAt: manifest.chunks.length, problem: 'head_mismatch' };
    const atReported =
      reported.chunks === 0
        ? recordingChainSeed(manifest.recordingId).toString('hex')
        : manifest.chunks[reported.chunks - 1].chain;
    if (atReported !== reported.head)
      return { ok: false, brokenAt: Math.max(0, reported.chunks - 1), problem: 'head_mismatch' };
    if (options.exact && manifest.chunks.length > reported.chunks)
      return { ok: false, brokenAt: reported.chunks, problem: 'head_mismatch' };
  }
  return RECORDING_INTACT;
}

/** Checks one chunk's bytes against its manifest entry; `null` bytes mean the object is missing. */
export function checkRecordingChunk(
  entry: RecordingChunkEntry,
  bytes: Uint8Array | null,
): RecordingIntegrity {
  if (bytes === null) return { ok: false, brokenAt: entry.index, problem: 'chunk_missing' };
  if (bytes.length !== entry.bytes || createHash('sha256').update(bytes).digest('hex') !== entry.sha256)
    return { ok: false, brokenAt: entry.index, problem: 'chunk_altered' };
  return RECORDING_INTACT;
}
