/**
 * The recording format (`qs-recording/1`), shared by the relay (writes), the portal (verifies, serves,
 * exports, purges) and the dashboard's players (read). Pure: no Node APIs, so the browser parses the
 * same records the relay wrote. docs/relay.md § Recording describes it in prose; ADR 0019 says why the
 * relay records.
 *
 * A recording is one relay pair of one recorded channel: a folder (or object prefix) named by its
 * recording id holding numbered chunks and one `manifest.json`. Chunks are written in order, each closed
 * (fsync, or the upload completed) before the manifest naming it is replaced. Concatenating the chunks
 * in index order gives the whole stream:
 * - `screen`: {@link ScreenRecord}s, each a 9-byte header (direction, milliseconds since the recording
 *   started, payload length; big-endian) and the RFB bytes of one WebSocket message as the relay
 *   forwarded it;
 * - `shell` and `commands`: an asciicast v2 file (header line in chunk 0, one event line per output,
 *   input or resize), playable by asciinema's own tools.
 */

export const RECORDING_FORMAT = 'qs-recording/1';

/** Channels the relay records; others (files) are audited per operation instead. */
export const RECORDED_CHANNELS = ['screen', 'shell', 'commands'] as const;
export type RecordedChannel = (typeof RECORDED_CHANNELS)[number];

export function isRecordedChannel(value: unknown): value is RecordedChannel {
  return value === 'screen' || value === 'shell' || value === 'commands';
}

/** What a chunk's bytes are. */
export const RECORDING_ENCODINGS = {
  screen: 'rfb-records/1',
  shell: 'asciicast/2',
  commands: 'asciicast/2',
} as const satisfies Record<RecordedChannel, string>;
export type RecordingEncoding = (typeof RECORDING_ENCODINGS)[RecordedChannel];

/**
 * `RECORDING_POLICY`: `off` records nothing (the launcher's checkbox is hidden), `optional` records the
 * sessions whose technician asked for it, `required` records every session and ends it when recording fails.
 */
export const RECORDING_POLICIES = ['off', 'optional', 'required'] as const;
export type RecordingPolicy = (typeof RECORDING_POLICIES)[number];

/**
 * How one session is recorded, carried in its relay tokens (`rec`): `required` ends the channel with
 * close code 4016 `recording_failed` when the store cannot take the bytes; `optional` marks the
 * recording incomplete and the session goes on.
 */
export const RECORDING_MODES = ['optional', 'required'] as const;
export type RecordingMode = (typeof RECORDING_MODES)[number];

/** A chunk is closed at whichever comes first. */
export const RECORDING_CHUNK_MAX_BYTES = 8 * 1024 * 1024;
export const RECORDING_CHUNK_MAX_MS = 10_000;
/** More chunks than this and the recording is closed as incomplete (`too_long`): 100,000 × 10 s ≈ 11 days. */
export const RECORDING_MAX_CHUNKS = 100_000;

/** Recording ids are lower-case UUIDs, minted by the relay. */
export const RECORDING_ID_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const RECORDING_MANIFEST_NAME = 'manifest.json';
/** A manifest is rewritten after every chunk; this bounds what a reader accepts. */
export const RECORDING_MANIFEST_MAX_BYTES = 32 * 1024 * 1024;
/**
 * An empty object present while the relay writes a recording: put before its first chunk, removed after
 * its final manifest was written (or failed and was reported). The relay's crash sweep closes only
 * recordings that still carry it.
 */
export const RECORDING_OPEN_MARKER = 'open';

export function isRecordingId(value: unknown): value is string {
  return typeof value === 'string' && RECORDING_ID_PATTERN.test(value);
}

const CHUNK_EXTENSION: Record<RecordedChannel, string> = { screen: 'rfb', shell: 'cast', commands: 'cast' };
/** Chunk file names: six or more digits and the channel's extension, nothing else (no path parts). */
export const RECORDING_CHUNK_NAME_PATTERN = /^[0-9]{6,9}\.(rfb|cast)$/;

export function recordingChunkName(index: number, channel: RecordedChannel): string {
  if (!Number.isSafeInteger(index) || index < 0 || index >= RECORDING_MAX_CHUNKS)
    throw new RangeError(`chunk index ${index} is out of range`);
  return `${String(index).padStart(6, '0')}.${CHUNK_EXTENSION[channel]}`;
}

/**
 * The store key of a recording's object: `<recordingId>/<name>`. Both parts are checked against their
 * patterns, so no key built here can leave the recording's folder.
 */
export function recordingObjectKey(recordingId: string, name: string): string {
  if (!isRecordingId(recordingId)) throw new RangeError('not a recording id');
  if (
    name !== RECORDING_MANIFEST_NAME &&
    name !== RECORDING_OPEN_MARKER &&
    !RECORDING_CHUNK_NAME_PATTERN.test(name)
  )
    throw new RangeError('not a recording object name');
  return `${recordingId}/${name}`;
}

// ---------------------------------------------------------------------------------------------------
// Screen records

/** Who sent a screen record's bytes. */
export const SCREEN_DIRECTION = {
  /** The device's VNC server → the technician: framebuffer updates, bell, cut text. */
  agentToTech: 0,
  /** The technician's viewer → the device: key and pointer events, update requests. */
  techToAgent: 1,
} as const;
export type ScreenDirection = (typeof SCREEN_DIRECTION)[keyof typeof SCREEN_DIRECTION];

/** direction (u8), at (u32 ms since start), length (u32); big-endian. */
export const SCREEN_RECORD_HEADER_BYTES = 9;
/** One record holds one relayed WebSocket message; the relay's maxPayload bounds it well below this. */
export const SCREEN_RECORD_MAX_PAYLOAD = 64 * 1024 * 1024;

export interface ScreenRecord {
  readonly direction: ScreenDirection;
  /** Milliseconds since the recording started (monotonic clock). */
  readonly atMs: number;
  readonly data: Uint8Array;
}

/** Writes a record header into `target` at `offset`. */
export function writeScreenRecordHeader(
  target: Uint8Array,
  offset: number,
  direction: ScreenDirection,
  atMs: number,
  length: number,
): void {
  const view = new DataView(target.buffer, target.byteOffset + offset, SCREEN_RECORD_HEADER_BYTES);
  view.setUint8(0, direction);
  view.setUint32(1, Math.min(Math.max(0, Math.floor(atMs)), 0xffffffff));
  view.setUint32(5, length);
}

export class RecordingFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingFormatError';
  }
}

/**
 * Reads screen records from a byte stream given in pieces (chunks as they are fetched): feed each piece
 * to {@link push}, which returns the whole records it completed. A record may span chunks. Throws
 * {@link RecordingFormatError} on a direction other than 0/1, a record longer than the limit, or time
 * running backwards.
 */
export class ScreenRecordReader {
  private pending: Uint8Array = new Uint8Array(0);
  private lastAt = 0;

  push(piece: Uint8Array): ScreenRecord[] {
    const buf = this.pending.length === 0 ? piece : concat(this.pending, piece);
    const out: ScreenRecord[] = [];
    let at = 0;
    while (buf.length - at >= SCREEN_RECORD_HEADER_BYTES) {
      const view = new DataView(buf.buffer, buf.byteOffset + at, SCREEN_RECORD_HEADER_BYTES);
      const direction = view.getUint8(0);
      const atMs = view.getUint32(1);
      const length = view.getUint32(5);
      if (direction !== 0 && direction !== 1)
        throw new RecordingFormatError(`unknown record direction ${direction}`);
      if (length > SCREEN_RECORD_MAX_PAYLOAD) throw new RecordingFormatError('record too long');
      if (atMs < this.lastAt) throw new RecordingFormatError('record time runs backwards');
      if (buf.length - at - SCREEN_RECORD_HEADER_BYTES < length) break;
      const start = at + SCREEN_RECORD_HEADER_BYTES;
      out.push({ direction: direction, atMs, data: buf.subarray(start, start + length) });
      this.lastAt = atMs;
      at = start + length;
    }
    this.pending = at === buf.length ? new Uint8Array(0) : buf.slice(at);
    return out;
  }

  /** Bytes of an unfinished record held back; non-zero at the end means the stream was cut. */
  get pendingBytes(): number {
    return this.pending.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Manifest

/** Why a recording is incomplete. */
export const RECORDING_INCOMPLETE_REASONS = [
  /** The store refused a write (disk full, read-only, object store down); optional mode went on without it. */
  'store_failed',
  /** The relay stopped (SIGTERM) while the channel was live. */
  'relay_shutdown',
  /** The relay process ended without closing it (found open at the next start). */
  'relay_crashed',
  /** More than {@link RECORDING_MAX_CHUNKS} chunks. */
  'too_long',
] as const;
export type RecordingIncompleteReason = (typeof RECORDING_INCOMPLETE_REASONS)[number];

export interface RecordingChunkEntry {
  /** 0, 1, 2, … without gaps. */
  readonly index: number;
  /** {@link recordingChunkName}. */
  readonly name: string;
  readonly bytes: number;
  /** Milliseconds since the recording started: first and last byte written into this chunk. */
  readonly startMs: number;
  readonly endMs: number;
  /** Hex SHA-256 of the chunk's bytes. */
  readonly sha256: string;
  /** Hex hash-chain link after this chunk (contracts/node/recording-chain.ts). */
  readonly chain: string;
}

export interface RecordingManifest {
  readonly format: typeof RECORDING_FORMAT;
  readonly recordingId: string;
  readonly sessionId: string;
  readonly channel: RecordedChannel;
  readonly encoding: RecordingEncoding;
  readonly mode: RecordingMode;
  /** From the session's relay token (the portal's user id and device id), null when not given. */
  readonly technicianId: string | null;
  readonly deviceId: string | null;
  /** ISO-8601 wall-clock times; `endedAt` is null while recording (or after a crash). */
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly complete: boolean;
  readonly incompleteReason: RecordingIncompleteReason | null;
  readonly bytesAgentToTech: number;
  readonly bytesTechToAgent: number;
  readonly chunks: readonly RecordingChunkEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;
const UUIDISH = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isIso = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));

/**
 * Validates a manifest read from the store (untrusted: the store may have been tampered with). Throws
 * {@link RecordingFormatError} naming the first problem. Checks shape, names and order; the hashes are
 * checked by contracts/node/recording-chain.ts.
 */
export function parseRecordingManifest(value: unknown): RecordingManifest {
  const fail = (what: string): never => {
    throw new RecordingFormatError(`manifest: ${what}`);
  };
  if (!isRecord(value)) return fail('must be an object');
  // Named fields (not an index signature), so the dashboard's stricter tsconfig accepts the reads.
  const v = value as { readonly [K in keyof RecordingManifest]?: unknown };
  if (v.format !== RECORDING_FORMAT) fail(`format must be ${RECORDING_FORMAT}`);
  if (!isRecordingId(v.recordingId)) fail('recordingId is invalid');
  if (typeof v.sessionId !== 'string' || !UUIDISH.test(v.sessionId)) fail('sessionId is invalid');
  if (!isRecordedChannel(v.channel)) fail('channel is invalid');
  const channel = v.channel as RecordedChannel;
  if (v.encoding !== RECORDING_ENCODINGS[channel]) fail('encoding does not match the channel');
  if (v.mode !== 'optional' && v.mode !== 'required') fail('mode is invalid');
  for (const k of ['technicianId', 'deviceId'] as const)
    if (v[k] !== null && (typeof v[k] !== 'string' || !UUIDISH.test(v[k]))) fail(`${k} is invalid`);
  if (!isIso(v.startedAt)) fail('startedAt is invalid');
  if (v.endedAt !== null && !isIso(v.endedAt)) fail('endedAt is invalid');
  if (typeof v.complete !== 'boolean') fail('complete must be a boolean');
  if (
    v.incompleteReason !== null &&
    !(RECORDING_INCOMPLETE_REASONS as readonly unknown[]).includes(v.incompleteReason)
  )
    fail('incompleteReason is invalid');
  if (!isCount(v.bytesAgentToTech) || !isCount(v.bytesTechToAgent)) fail('byte counts are invalid');
  if (!Array.isArray(v.chunks) || v.chunks.length > RECORDING_MAX_CHUNKS) fail('chunks is invalid');
  const chunks = (v.chunks as unknown[]).map((raw, i): RecordingChunkEntry => {
    if (!isRecord(raw)) return fail(`chunks[${i}] must be an object`);
    const c = raw as { readonly [K in keyof RecordingChunkEntry]?: unknown };
    if (c.index !== i) fail(`chunks[${i}].index must be ${i}`);
    if (c.name !== recordingChunkName(i, channel)) fail(`chunks[${i}].name is invalid`);
    if (!isCount(c.bytes) || !isCount(c.startMs) || !isCount(c.endMs) || c.endMs < c.startMs)
      fail(`chunks[${i}] counters are invalid`);
    if (typeof c.sha256 !== 'string' || !HEX64.test(c.sha256)) fail(`chunks[${i}].sha256 is invalid`);
    if (typeof c.chain !== 'string' || !HEX64.test(c.chain)) fail(`chunks[${i}].chain is invalid`);
    return {
      index: i,
      name: c.name as string,
      bytes: c.bytes as number,
      startMs: c.startMs as number,
      endMs: c.endMs as number,
      sha256: c.sha256 as string,
      chain: c.chain as string,
    };
  });
  return {
    format: RECORDING_FORMAT,
    recordingId: v.recordingId as string,
    sessionId: v.sessionId as string,
    channel,
    encoding: RECORDING_ENCODINGS[channel],
    mode: v.mode as RecordingMode,
    technicianId: v.technicianId as string | null,
    deviceId: v.deviceId as string | null,
    startedAt: v.startedAt as string,
    endedAt: v.endedAt as string | null,
    complete: v.complete as boolean,
    incompleteReason: v.incompleteReason as RecordingIncompleteReason | null,
    bytesAgentToTech: v.bytesAgentToTech as number,
    bytesTechToAgent: v.bytesTechToAgent as number,
    chunks,
  };
}
