/**
 * Session recordings, as `/api/recordings` and `/api/remote-sessions/:id/recordings` speak them. The
 * relay records (ADR 0019); the portal keeps one row per recording from the relay's signed events,
 * checks integrity against the hash chain, serves chunks to the dashboard's players, exports, holds and
 * purges. Administrators and auditors see every recording; a technician sees the recordings of their own
 * sessions. Device names are untrusted text. Dates are ISO-8601 strings.
 */
import type {
  RecordedChannel,
  RecordingIncompleteReason,
  RecordingMode,
  RecordingPolicy,
} from '../recording/format';
import type { RecordingFailure } from '../relay-events';

export {
  RECORDED_CHANNELS,
  RECORDING_POLICIES,
  type RecordedChannel,
  type RecordingIncompleteReason,
  type RecordingMode,
  type RecordingPolicy,
} from '../recording/format';
export type { RecordingFailure } from '../relay-events';

/**
 * - `recording`: the relay is writing it;
 * - `complete`: closed whole;
 * - `incomplete`: closed early (store failure in optional mode, relay restart; `incompleteReason`), what
 *   was written plays;
 * - `failed`: nothing usable was written.
 */
export const RECORDING_STATUSES = ['recording', 'complete', 'incomplete', 'failed'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

/**
 * - `unchecked`: not verified yet (still recording, or the check has not run);
 * - `verified`: every chunk hashes to the manifest and the chain reaches the head the relay signed;
 * - `broken`: it does not (`brokenAt` is the first chunk that cannot be trusted; playback stops there).
 */
export const RECORDING_INTEGRITY = ['unchecked', 'verified', 'broken'] as const;
export type RecordingIntegrityState = (typeof RECORDING_INTEGRITY)[number];

/** Why a recording is broken (contracts/node/recording-chain.ts `RecordingBreak`, plus an unreadable manifest). */
export const RECORDING_BREAKS = [
  'chain_mismatch',
  'head_mismatch',
  'chunk_missing',
  'chunk_altered',
  'manifest_missing',
  'manifest_invalid',
] as const;
export type RecordingBreakReason = (typeof RECORDING_BREAKS)[number];

export const RECORDING_LIMITS = {
  pageDefault: 50,
  pageMax: 100,
  offsetMax: 10_000,
  /** `total` counts at most this many (`totalCapped` says when there are more). */
  countMax: 10_000,
  legalHoldNoteMax: 500,
} as const;

export interface RecordingView {
  id: string;
  sessionId: string;
  channel: RecordedChannel;
  mode: RecordingMode;
  status: RecordingStatus;
  incompleteReason: RecordingIncompleteReason | null;
  /** Why the store refused the bytes, when it did. */
  failure: RecordingFailure | null;
  technicianId: string | null;
  /** The technician's display name; null when unknown or removed. */
  technician: string | null;
  deviceId: string | null;
  /** Reported by the agent (untrusted). */
  deviceName: string | null;
  startedAt: string;
  endedAt: string | null;
  durationSec: number;
  /** Bytes stored (both directions for the screen). */
  bytes: number;
  chunks: number;
  integrity: RecordingIntegrityState;
  /** First chunk index that cannot be trusted; null unless `broken`. */
  brokenAt: number | null;
  brokenReason: RecordingBreakReason | null;
  integrityCheckedAt: string | null;
  legalHold: boolean;
  legalHoldNote: string | null;
  /** When retention will delete it; null while on legal hold or still recording. */
  expiresAt: string | null;
}

/** `GET /api/recordings` query; every filter is optional and they combine with AND. */
export interface ListRecordingsQuery {
  sessionId?: string;
  technicianId?: string;
  deviceId?: string;
  channel?: RecordedChannel;
  status?: RecordingStatus;
  integrity?: RecordingIntegrityState;
  legalHold?: boolean;
  /** Started at or after (inclusive). */
  from?: string;
  /** Started before (exclusive). */
  to?: string;
  limit?: number;
  offset?: number;
}

export interface RecordingListView {
  items: RecordingView[];
  total: number;
  totalCapped: boolean;
}

/** One chunk as the player fetches it (`GET /api/recordings/:id/chunks/:index`). */
export interface RecordingChunkView {
  index: number;
  /** Milliseconds since the recording started. */
  startMs: number;
  endMs: number;
  bytes: number;
}

/**
 * `GET /api/recordings/:id/playback`: what a player needs (watching is audited as
 * `recording.viewed`). The manifest's chain is checked on every call; `playableChunks` stops before
 * the first chunk that cannot be trusted, and the player says where the recording broke.
 */
export interface RecordingPlaybackView {
  recording: RecordingView;
  chunks: RecordingChunkView[];
  /** Chunks that may be played: all of them, or those before `recording.brokenAt`. */
  playableChunks: number;
  /** RECORDING_REVEAL_KEYS: the screen player may show typed characters; otherwise keystroke counts. */
  revealKeys: boolean;
}

/** `PUT /api/recordings/:id/legal-hold` (administrators). */
export interface SetLegalHoldRequest {
  hold: boolean;
  /** Why (case number, request); kept with the audit line. */
  note?: string;
}

/** `GET /api/recordings/settings`: the launcher and the Recordings page read the policy. */
export interface RecordingSettingsView {
  policy: RecordingPolicy;
  /** RECORDING_STRICT: a session recorded by choice also ends when recording fails. */
  strict: boolean;
  retentionDays: number;
  /** RECORDING_MAX_TOTAL_GB; null = no cap. */
  maxTotalGb: number | null;
  revealKeys: boolean;
  /** `fs` or `s3`. */
  store: 'fs' | 's3';
}
