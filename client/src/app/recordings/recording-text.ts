/*
 * Recordings in words and numbers for the Recordings page and the player. Plain TypeScript without
 * Angular, so a unit test can import it.
 */
import type {
  RecordingBreakReason,
  RecordingFailure,
  RecordingIncompleteReason,
  RecordingPlaybackView,
  RecordingStatus,
  RecordingView,
} from '../../../../contracts/api/recordings';

/** `02:13`, `1:02:13`: a position or a duration on the seek bar. */
export function clockText(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** `812 B`, `4.2 MB`, `1.3 GB` (decimal units). */
export function bytesText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export const CHANNEL_LABELS: Readonly<Record<RecordingView['channel'], string>> = {
  screen: 'Screen',
  shell: 'Shell',
  commands: 'Commands',
};

export const STATUS_LABELS: Readonly<Record<RecordingStatus, string>> = {
  recording: 'Recording',
  complete: 'Complete',
  incomplete: 'Incomplete',
  failed: 'Failed',
};

const INCOMPLETE_WHY: Readonly<Record<RecordingIncompleteReason, string>> = {
  store_failed: 'the recording store stopped taking data, and the session went on without it',
  relay_shutdown: 'the relay was stopped while the session was live',
  relay_crashed: 'the relay stopped unexpectedly while the session was live',
  too_long: 'the session went on past the longest recording kept',
};

const FAILURE_WHY: Readonly<Record<RecordingFailure, string>> = {
  unavailable: 'the recording store could not be reached',
  full: 'the recording store is full',
  read_only: 'the recording store is read-only',
  exists: 'a recording with this id already existed',
  bad_name: 'the recording store refused the name',
  io: 'the recording store failed to write',
};

const BREAK_WHY: Readonly<Record<RecordingBreakReason, string>> = {
  chain_mismatch: 'a chunk does not continue the chain of the ones before it',
  head_mismatch: 'the chunks do not end where the relay signed them off',
  chunk_missing: 'a chunk is missing',
  chunk_altered: 'a chunk was changed after it was written',
  manifest_missing: 'its list of chunks is missing',
  manifest_invalid: 'its list of chunks cannot be read',
};

/** The integrity column: `Verified`, `Broken at chunk 4`, `Unchecked`. */
export function integrityText(r: Pick<RecordingView, 'integrity' | 'brokenAt'>): string {
  switch (r.integrity) {
    case 'verified':
      return 'Verified';
    case 'broken':
      return r.brokenAt === null ? 'Broken' : `Broken at chunk ${r.brokenAt}`;
    case 'unchecked':
      return 'Unchecked';
  }
}

/** A sentence on why a recording is incomplete or failed; '' when it is neither. */
export function statusWhy(r: Pick<RecordingView, 'status' | 'incompleteReason' | 'failure'>): string {
  const failure = r.failure ? FAILURE_WHY[r.failure] : null;
  if (r.status === 'incomplete') {
    const why = r.incompleteReason ? INCOMPLETE_WHY[r.incompleteReason] : failure;
    return why ? `This recording is incomplete: ${why}.` : 'This recording is incomplete.';
  }
  if (r.status === 'failed')
    return failure ? `Nothing could be recorded: ${failure}.` : 'Nothing could be recorded.';
  return '';
}

/**
 * The player's banner for a broken recording: where playback stops (the start of the first chunk
 * that cannot be trusted) and why. '' when the recording is not broken.
 */
export function brokenBanner(
  playback: Pick<RecordingPlaybackView, 'recording' | 'chunks' | 'playableChunks'>,
): string {
  const r = playback.recording;
  if (r.integrity !== 'broken') return '';
  const last = playback.playableChunks > 0 ? playback.chunks[playback.playableChunks - 1] : null;
  const stopMs = last ? last.endMs : 0;
  const why = r.brokenReason ? ` (${BREAK_WHY[r.brokenReason]}, chunk ${r.brokenAt ?? '?'})` : '';
  return stopMs > 0
    ? `This recording was altered or is missing data after ${clockText(stopMs)}; playback stops there${why}.`
    : `This recording was altered or is missing data from its start; nothing can be played${why}.`;
}

/** Where playback ends: the end of the last playable chunk, or the recording's duration. */
export function playableMs(
  playback: Pick<RecordingPlaybackView, 'recording' | 'chunks' | 'playableChunks'>,
): number {
  const last = playback.playableChunks > 0 ? playback.chunks[playback.playableChunks - 1] : null;
  if (playback.recording.integrity === 'broken') return last ? last.endMs : 0;
  return Math.max(last?.endMs ?? 0, playback.recording.durationSec * 1000);
}

/**
 * Chunks of an asciicast, concatenated, cut after the last whole line (a broken or cut recording may
 * end mid-event, which the player's parser would refuse).
 */
export function castText(parts: readonly string[]): string {
  const text = parts.join('');
  const end = text.lastIndexOf('\n');
  return end < 0 ? text : text.slice(0, end + 1);
}
