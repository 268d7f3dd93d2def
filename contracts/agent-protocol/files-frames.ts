import { readerFor, ProtocolViolation, type FieldReader } from './field-reader';
import { attempt, decode, type ParseResult } from './parse-result';

/**
 * The `files` channel (protocol 1.4, docs/protocol.md § Files): a file manager between the viewer and
 * the device over one relay socket. The relay carries it as opaque bytes, like the other channels.
 *
 * - Text frames carry JSON: requests (viewer → agent, `op`) and replies (agent → viewer, `type`). Every
 *   request names its operation with a fresh `id`; every reply to it repeats that `id`. A reply with
 *   `id: 0` is about a frame whose id could not be read.
 * - Binary frames carry file bytes: a 4-byte big-endian operation id, then at most
 *   {@link FILES_LIMITS.chunkBytes} of data, in order.
 * - Flow control is by credit in both directions: a sender keeps at most
 *   {@link FILES_LIMITS.windowBytes} sent beyond the receiver's last `ack` (which counts the bytes of the
 *   transfer the receiver has written, from the transfer's start), so neither side, nor the browser's
 *   memory, holds more than a window of one transfer.
 * - Paths: `list` takes any absolute path, which the agent resolves (symlinks followed, for reading);
 *   the listing answers with the real path. Every other operation names a folder the agent has listed
 *   on this channel (`dir`, exactly as a listing or `places` returned it) and one plain `name` inside it
 *   (no separator, not `.` or `..`, no NUL), so nothing can be reached or written by traversal.
 * - Errors close the operation, never the channel: the next request works.
 *
 * Pure (no Node APIs): the agent and the dashboard's Files tab both import it.
 */

export const FILES_LIMITS = {
  /** Longest path either side sends (UTF-16 code units). */
  maxPathChars: 4096,
  /** Longest single name (a file or folder inside `dir`). */
  maxNameChars: 255,
  /** Entries per `listing` frame: a folder arrives in pages, the last with `done: true`. */
  listPageEntries: 500,
  /**
   * Bytes of one `listing` frame's JSON at most (a page is sent early when the next entry would pass it):
   * well under the relay's 1 MiB message limit whatever the names and link targets.
   */
  listPageBytes: 256 * 1024,
  /** Entries one listing reports at most; beyond it the last page says `truncated: true`. */
  maxListEntries: 100_000,
  /** Entries (files, folders, links) one folder download's zip holds at most; beyond it: `too_large`. */
  maxZipEntries: 100_000,
  /** Data bytes in one binary frame (after the 4-byte id). */
  chunkBytes: 256 * 1024,
  /** Bytes a sender may have sent beyond the receiver's last `ack`. */
  windowBytes: 8 * 1024 * 1024,
  /** A receiver acknowledges at least every this many bytes (and at the end). */
  ackEveryBytes: 1024 * 1024,
  /** Largest operation id; ids are positive and unique per channel while in use. */
  maxId: 2 ** 31 - 1,
  /** Uploads and downloads at the same time on one channel, at most (the agent's config may lower it). */
  maxTransfers: 4,
  /** Quick places the agent reports at most (home, Desktop, Downloads, temp, drives). */
  maxPlaces: 40,
  /** Upload resume keys: chosen by the viewer, random, kept with the partial file for this session. */
  resumeKeyPattern: /^[A-Za-z0-9_-]{16,64}$/,
} as const;

/** Bytes before a binary frame's data: the operation id. */
export const FILES_DATA_HEADER_BYTES = 4;

export const FILES_OPS = [
  'places',
  'list',
  'download',
  'upload',
  'upload_end',
  'ack',
  'cancel',
  'mkdir',
  'rename',
  'delete',
] as const;
export type FilesOp = (typeof FILES_OPS)[number];

/** Stable error codes of the files channel; each `error` reply also carries a sentence for a person. */
export const FILES_ERROR_CODES = [
  /** The frame is not JSON, not an object, or a field is missing or out of bounds. */
  'bad_frame',
  'unknown_op',
  /** A path with a NUL byte, a relative path, a name with a separator, `.` or `..`. */
  'bad_path',
  /** `dir` is not a folder listed on this channel. */
  'not_listed',
  'not_found',
  'permission_denied',
  /** The name exists and `overwrite` was not asked. */
  'exists',
  'not_a_folder',
  /** A symlink cannot be written through or uploaded over. */
  'is_symlink',
  /** Over the agent's largest upload (`FILES_MAX_UPLOAD_MB`). */
  'too_large',
  /** Not enough free space on the device for the upload (checked before it starts) or it ran out. */
  'no_space',
  'too_many_transfers',
  /** The file's size or modification time changed while it was being sent. */
  'changed_while_reading',
  /** The SHA-256 the two sides computed differ; the upload is discarded. */
  'checksum_mismatch',
  /** More data than announced, or less before `upload_end`. */
  'size_mismatch',
  /** A resume offset that is negative, past the end, or an unknown resume key. */
  'bad_offset',
  /** The id is already in use by a running operation. */
  'duplicate_id',
  /** Data or an ack for an operation that is not running. */
  'unknown_transfer',
  /** Sender went past the window without an ack. */
  'window_exceeded',
  'cancelled',
  /** Any other failure of the device's file system, with its sentence. */
  'io_error',
] as const;
export type FilesErrorCode = (typeof FILES_ERROR_CODES)[number];

export const FILES_ENTRY_KINDS = ['file', 'dir', 'symlink', 'other'] as const;
export type FilesEntryKind = (typeof FILES_ENTRY_KINDS)[number];

export const FILES_PLACE_KINDS = [
  'home',
  'desktop',
  'documents',
  'downloads',
  'temp',
  'root',
  'drive',
] as const;
export type FilesPlaceKind = (typeof FILES_PLACE_KINDS)[number];

// ---- requests (viewer → agent) ----

export interface FilesPlacesRequest {
  op: 'places';
  id: number;
}
/** Lists a folder (any absolute path; `~` alone is the home folder). */
export interface FilesListRequest {
  op: 'list';
  id: number;
  path: string;
}
/** Sends a file, or a folder as a zip built while it is sent. */
export interface FilesDownloadRequest {
  op: 'download';
  id: number;
  dir: string;
  name: string;
}
/**
 * Starts (or resumes) an upload of `size` bytes to `dir/name`. The agent answers `upload_ready` with
 * the offset to send from (0, or the partial file's size when `resumeKey` names one it kept).
 */
export interface FilesUploadRequest {
  op: 'upload';
  id: number;
  dir: string;
  name: string;
  size: number;
  overwrite: boolean;
  resumeKey: string;
}
/** The viewer has sent every byte; `sha256` is what it computed over the whole file (hex). */
export interface FilesUploadEndRequest {
  op: 'upload_end';
  id: number;
  sha256: string;
}
/** The receiver has written `bytes` of transfer `id` (counted from the transfer's start, not the offset). */
export interface FilesAckFrame {
  op: 'ack';
  id: number;
  bytes: number;
}
export interface FilesCancelRequest {
  op: 'cancel';
  id: number;
}
export interface FilesMkdirRequest {
  op: 'mkdir';
  id: number;
  dir: string;
  name: string;
}
export interface FilesRenameRequest {
  op: 'rename';
  id: number;
  dir: string;
  name: string;
  to: string;
}
/** Deletes a file, a symlink (never its target) or a folder with everything in it. */
export interface FilesDeleteRequest {
  op: 'delete';
  id: number;
  dir: string;
  name: string;
}
export type FilesRequest =
  | FilesPlacesRequest
  | FilesListRequest
  | FilesDownloadRequest
  | FilesUploadRequest
  | FilesUploadEndRequest
  | FilesAckFrame
  | FilesCancelRequest
  | FilesMkdirRequest
  | FilesRenameRequest
  | FilesDeleteRequest;

// ---- replies (agent → viewer) ----

export interface FilesPlace {
  kind: FilesPlaceKind;
  /** What the button says ("Home", "Downloads", "C:"). */
  label: string;
  path: string;
}
export interface FilesPlacesReply {
  type: 'places';
  id: number;
  os: 'windows' | 'macos' | 'linux';
  /** The device's path separator. */
  sep: '/' | '\\';
  home: string;
  places: FilesPlace[];
  /** The agent's limits, so the viewer can refuse early and say why. */
  maxUploadBytes: number;
  maxTransfers: number;
}
export interface FilesEntry {
  name: string;
  kind: FilesEntryKind;
  /** Bytes (files), 0 for others. */
  size: number;
  /** Last modification, ms since the epoch. */
  mtime: number;
  /** POSIX permission bits (`mode & 0o7777`); absent on Windows. */
  mode?: number;
  /** A dot file on POSIX, the hidden attribute on Windows where the agent can read it. */
  hidden: boolean;
  /** Symlinks: where they point (as stored), and what that is (`other` when dangling). */
  target?: string;
  targetKind?: FilesEntryKind;
}
export interface FilesListingReply {
  type: 'listing';
  id: number;
  /** The folder's real path (symlinks resolved): the `dir` later requests name. */
  path: string;
  /** Its parent's path, null at a root. */
  parent: string | null;
  entries: FilesEntry[];
  /** The last page of this listing. */
  done: boolean;
  /** On the last page: the folder held more than {@link FILES_LIMITS.maxListEntries}. */
  truncated?: boolean;
}
export interface FilesDownloadStartReply {
  type: 'download_start';
  id: number;
  /** The name to save as (a folder's ends in `.zip`, so up to maxNameChars + 4). */
  name: string;
  /** Bytes to come; null for a zip, whose size is known only at the end. */
  size: number | null;
  zip: boolean;
}
export interface FilesDownloadEndReply {
  type: 'download_end';
  id: number;
  bytes: number;
  sha256: string;
}
export interface FilesUploadReadyReply {
  type: 'upload_ready';
  id: number;
  /** Send from here (0 or a kept partial file's size). */
  offset: number;
}
/** Agent → viewer: bytes of upload `id` written (see {@link FilesAckFrame}). */
export interface FilesAckReply {
  type: 'ack';
  id: number;
  bytes: number;
}
/** An operation finished: mkdir/rename/delete, or an upload written, verified and in place. */
export interface FilesDoneReply {
  type: 'done';
  id: number;
  /** The path created, renamed to, deleted or uploaded. */
  path: string;
  /** Uploads: the bytes and the agent's SHA-256 (equal to the viewer's). */
  bytes?: number;
  sha256?: string;
}
export interface FilesErrorReply {
  type: 'error';
  id: number;
  code: FilesErrorCode;
  message: string;
}
export type FilesReply =
  | FilesPlacesReply
  | FilesListingReply
  | FilesDownloadStartReply
  | FilesDownloadEndReply
  | FilesUploadReadyReply
  | FilesAckReply
  | FilesDoneReply
  | FilesErrorReply;

// ---- parsing ----

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_BYTES = Number.MAX_SAFE_INTEGER;

function opId(r: FieldReader): number {
  return r.int('id', { min: 1, max: FILES_LIMITS.maxId });
}
function path(r: FieldReader, field: string): string {
  const value = r.string(field, { max: FILES_LIMITS.maxPathChars, text: 'raw' });
  if (value.includes('\u0000')) throw new ProtocolViolation(`files.${field} contains a NUL byte`);
  return value;
}
/** One plain name: no separator of either OS, not `.` or `..`, no NUL or other control character. */
export function isPlainFileName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= FILES_LIMITS.maxNameChars &&
    name !== '.' &&
    name !== '..' &&
    !/[\\/\u0000-\u001f]/.test(name)
  );
}
/** Windows' reserved device names, with or without an extension (`nul.txt` is the device too). */
const RESERVED_NAME = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
/**
 * A name the agent may create (upload, mkdir, rename's `to`), on every OS alike so a folder made on one
 * can be copied to any other: one plain name, and none of `: * ? " < > |` (`:` would name an NTFS
 * alternate data stream), no DEL or C1 control character, no trailing dot or space, and not a Windows
 * device name (CON, PRN, AUX, NUL, COM1–9, LPT1–9, any case, any extension). Existing entries are named
 * with {@link isPlainFileName} only, so a file with such a name can still be downloaded or deleted.
 */
export function isNewFileName(name: string): boolean {
  return (
    isPlainFileName(name) &&
    !/[:*?"<>|\u007f-\u009f]/.test(name) &&
    !/[. ]$/.test(name) &&
    !RESERVED_NAME.test(name)
  );
}
function newName(r: FieldReader, field: string): string {
  const value = name(r, field);
  if (!isNewFileName(value))
    throw new ProtocolViolation(`files.${field} must be one plain name valid on every system`);
  return value;
}
function name(r: FieldReader, field: string): string {
  const value = r.string(field, { max: FILES_LIMITS.maxNameChars, text: 'raw' });
  if (!isPlainFileName(value)) throw new ProtocolViolation(`files.${field} must be one plain name`);
  return value;
}

/**
 * Reads a viewer → agent text frame. On failure, `id` is the frame's operation id when it could be read
 * (so the error reply can name it), else 0; `unknownOp` tells an unknown operation from a bad frame.
 */
export function parseFilesRequest(
  raw: unknown,
): ParseResult<FilesRequest> | { ok: false; error: string; id: number; unknownOp: boolean } {
  let id = 0;
  let unknownOp = false;
  const result = attempt((): FilesRequest => {
    const r = readerFor(decode(raw), 'files');
    id = opId(r);
    const op = r.string('op', { max: 32 });
    if (!(FILES_OPS as readonly string[]).includes(op)) {
      unknownOp = true;
      throw new ProtocolViolation(`files.op "${op}" is not an operation of this channel`);
    }
    switch (op as FilesOp) {
      case 'places':
        return { op: 'places', id };
      case 'list':
        return { op: 'list', id, path: path(r, 'path') };
      case 'download':
        return { op: 'download', id, dir: path(r, 'dir'), name: name(r, 'name') };
      case 'upload': {
        const resumeKey = r.string('resumeKey', { max: 64, pattern: FILES_LIMITS.resumeKeyPattern });
        return {
          op: 'upload',
          id,
          dir: path(r, 'dir'),
          name: newName(r, 'name'),
          size: r.int('size', { min: 0, max: MAX_BYTES }),
          overwrite: r.boolean('overwrite'),
          resumeKey,
        };
      }
      case 'upload_end':
        return { op: 'upload_end', id, sha256: r.string('sha256', { max: 64, pattern: SHA256_HEX }) };
      case 'ack':
        return { op: 'ack', id, bytes: r.int('bytes', { min: 0, max: MAX_BYTES }) };
      case 'cancel':
        return { op: 'cancel', id };
      case 'mkdir':
        return { op: 'mkdir', id, dir: path(r, 'dir'), name: newName(r, 'name') };
      case 'rename':
        return { op: 'rename', id, dir: path(r, 'dir'), name: name(r, 'name'), to: newName(r, 'to') };
      case 'delete':
        return { op: 'delete', id, dir: path(r, 'dir'), name: name(r, 'name') };
    }
  });
  return result.ok ? result : { ...result, id, unknownOp };
}

function entry(value: unknown, where: string): FilesEntry {
  const r = readerFor(value, where);
  const e: FilesEntry = {
    name: r.string('name', { max: FILES_LIMITS.maxNameChars, text: 'raw' }),
    kind: r.oneOf('kind', FILES_ENTRY_KINDS),
    size: r.int('size', { min: 0, max: MAX_BYTES }),
    mtime: r.int('mtime', { min: 0, max: MAX_BYTES }),
    hidden: r.boolean('hidden'),
  };
  const mode = r.optionalInt('mode', { min: 0, max: 0o7777 });
  if (mode !== undefined) e.mode = mode;
  const target = r.optionalString('target', { max: FILES_LIMITS.maxPathChars, text: 'raw' });
  if (target !== undefined) e.target = target;
  const targetKind = r.optionalOneOf('targetKind', FILES_ENTRY_KINDS);
  if (targetKind !== undefined) e.targetKind = targetKind;
  return e;
}

/** Reads an agent → viewer text frame (the viewer trusts the device no more than the device trusts it). */
export function parseFilesReply(raw: unknown): ParseResult<FilesReply> {
  return attempt((): FilesReply => {
    const r = readerFor(decode(raw), 'files');
    const type = r.oneOf('type', [
      'places',
      'listing',
      'download_start',
      'download_end',
      'upload_ready',
      'ack',
      'done',
      'error',
    ] as const);
    const id = r.int('id', { min: 0, max: FILES_LIMITS.maxId });
    switch (type) {
      case 'places':
        return {
          type,
          id,
          os: r.oneOf('os', ['windows', 'macos', 'linux'] as const),
          sep: r.oneOf('sep', ['/', '\\'] as const),
          home: path(r, 'home'),
          places: r.array('places', FILES_LIMITS.maxPlaces, (v, where) => {
            const p = readerFor(v, where);
            return {
              kind: p.oneOf('kind', FILES_PLACE_KINDS),
              label: p.string('label', { max: 100 }),
              path: path(p, 'path'),
            };
          }),
          maxUploadBytes: r.int('maxUploadBytes', { min: 0, max: MAX_BYTES }),
          maxTransfers: r.int('maxTransfers', { min: 1, max: FILES_LIMITS.maxTransfers }),
        };
      case 'listing': {
        const listing: FilesListingReply = {
          type,
          id,
          path: path(r, 'path'),
          parent: r.has('parent') ? path(r, 'parent') : null,
          entries: r.array('entries', FILES_LIMITS.listPageEntries, entry),
          done: r.boolean('done'),
        };
        if (r.has('truncated')) listing.truncated = r.boolean('truncated');
        return listing;
      }
      case 'download_start':
        return {
          type,
          id,
          name: r.string('name', { max: FILES_LIMITS.maxNameChars + 4, text: 'raw' }),
          size: r.has('size') ? r.int('size', { min: 0, max: MAX_BYTES }) : null,
          zip: r.boolean('zip'),
        };
      case 'download_end':
        return {
          type,
          id,
          bytes: r.int('bytes', { min: 0, max: MAX_BYTES }),
          sha256: r.string('sha256', { max: 64, pattern: SHA256_HEX }),
        };
      case 'upload_ready':
        return { type, id, offset: r.int('offset', { min: 0, max: MAX_BYTES }) };
      case 'ack':
        return { type, id, bytes: r.int('bytes', { min: 0, max: MAX_BYTES }) };
      case 'done': {
        const done: FilesDoneReply = { type, id, path: path(r, 'path') };
        const bytes = r.optionalInt('bytes', { min: 0, max: MAX_BYTES });
        if (bytes !== undefined) done.bytes = bytes;
        const sha256 = r.optionalString('sha256', { max: 64, pattern: SHA256_HEX });
        if (sha256 !== undefined) done.sha256 = sha256;
        return done;
      }
      case 'error':
        return {
          type,
          id,
          code: r.oneOf('code', FILES_ERROR_CODES),
          message: r.string('message', { max: 500 }),
        };
    }
  });
}

/** A binary data frame: the operation id, then the bytes. */
export function encodeFilesData(id: number, data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FILES_DATA_HEADER_BYTES + data.byteLength);
  new DataView(frame.buffer).setUint32(0, id, false);
  frame.set(data, FILES_DATA_HEADER_BYTES);
  return frame;
}

/** Splits a binary data frame, or null when it is too short, names id 0 or carries too much. */
export function decodeFilesData(frame: Uint8Array): { id: number; data: Uint8Array } | null {
  if (frame.byteLength < FILES_DATA_HEADER_BYTES) return null;
  if (frame.byteLength > FILES_DATA_HEADER_BYTES + FILES_LIMITS.chunkBytes) return null;
  const id = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false);
  if (id < 1 || id > FILES_LIMITS.maxId) return null;
  return { id, data: frame.subarray(FILES_DATA_HEADER_BYTES) };
}
