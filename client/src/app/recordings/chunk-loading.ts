/*
 * How the screen player loads a recording's chunks: how far ahead of the playhead it fetches (a window
 * for long recordings, so memory stays bounded), which failures are retried, and where a chunk the
 * portal refuses as broken says the recording breaks. Plain TypeScript without Angular, so a unit test
 * can import it.
 */
import type { RecordingChunkView } from '../../../../contracts/api/recordings';

/**
 * Recordings up to this size (the chunks' bytes together) are fetched whole and every record kept
 * (a seek backwards replays from memory). Past it the player keeps a window: it fetches a few chunks
 * ahead of the playhead only, drops the records already played, and a seek backwards fetches again
 * from the first chunk (a screen recording has no keyframes; record-scheduler.ts explains).
 */
export const WHOLE_RECORDING_BUDGET_BYTES = 256 * 1024 * 1024;
/** Chunks fetched ahead of the one playing (windowed recordings)… */
export const AHEAD_CHUNKS = 3;
/** …and recording time ahead of the playhead (windowed recordings). */
export const AHEAD_MS = 60_000;

/** Retries of a chunk that failed for a passing reason (network, 5xx), and the waits before them. */
export const CHUNK_RETRY_DELAYS_MS = [1000, 3000, 9000] as const;

/** Whether a recording is played through a window rather than held whole. */
export function windowed(chunks: readonly Pick<RecordingChunkView, 'bytes'>[], playable: number): boolean {
  let total = 0;
  for (let i = 0; i < playable && i < chunks.length; i++) total += chunks[i].bytes;
  return total > WHOLE_RECORDING_BUDGET_BYTES;
}

/**
 * Whether chunk `index` may be fetched now, the viewer being headed to `wantedMs`: always for a
 * recording held whole; for a windowed one, the chunk playing and the next one always, then up to
 * {@link AHEAD_CHUNKS} more as long as they start within {@link AHEAD_MS} of the playhead.
 */
export function mayFetch(
  chunks: readonly Pick<RecordingChunkView, 'startMs' | 'endMs'>[],
  index: number,
  wantedMs: number,
  isWindowed: boolean,
): boolean {
  if (!isWindowed) return true;
  let current = 0;
  while (current < chunks.length - 1 && chunks[current].endMs <= wantedMs) current++;
  if (index <= current + 1) return true;
  return index <= current + 1 + AHEAD_CHUNKS && (chunks[index]?.startMs ?? Infinity) <= wantedMs + AHEAD_MS;
}

/** What a failed chunk fetch looked like (an ApiError's members). */
export interface ChunkFailure {
  status: number;
  code: string;
  message: string;
  details?: Readonly<Record<string, string>>;
}

/** A network failure or a 5xx is worth another try; 4xx answers are final. */
export function retryable(failure: ChunkFailure): boolean {
  return failure.status === 0 || failure.status >= 500;
}

/**
 * The first untrusted chunk of a 409 `recording_broken` answer: from `X-Recording-Broken-At`, else
 * from the message ("… from chunk N on …"), else `fallback` (the chunk asked for). Null for any other
 * failure.
 */
export function brokenAtOf(failure: ChunkFailure, fallback: number): number | null {
  if (failure.status !== 409 || failure.code !== 'recording_broken') return null;
  const header = failure.details?.['x-recording-broken-at'];
  if (header !== undefined && /^\d{1,6}$/.test(header.trim())) return Number(header.trim());
  const said = /chunk (\d{1,6})\b/.exec(failure.message);
  return said ? Number(said[1]) : fallback;
}
