import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, type Readable } from 'node:stream';
import {
  RECORDING_CHUNK_NAME_PATTERN,
  RECORDING_MANIFEST_MAX_BYTES,
  RECORDING_MANIFEST_NAME,
  isRecordingId,
  recordingObjectKey,
} from '../recording/format';
import type { RecordingStoreSettings } from './recording-settings';
import {
  RecordingStoreError,
  type RecordingObjectWriter,
  type RecordingStore,
  type RecordingStoreFailure,
} from './recording-store';

type S3Settings = Extract<RecordingStoreSettings, { kind: 's3' }>;

/** Bytes a writer holds beyond what the upload has taken before `write` returns false. */
const WRITER_HIGH_WATER = 1024 * 1024;
/** The PassThrough's readable side: small, so the writer's bound stays ≈ WRITER_HIGH_WATER. */
const WRITER_READ_AHEAD = 64 * 1024;
/** S3's smallest part (except the last one). */
const PART_SIZE = 5 * 1024 * 1024;
/** DeleteObjects takes at most 1000 keys; ListObjectsV2 returns at most 1000 per page. */
const BATCH = 1000;

export interface S3RecordingStoreOptions {
  /** Keys per ListObjectsV2 page and per DeleteObjects call (1..1000): small in tests, so paging and
   * batching are exercised. */
  readonly batchSize?: number;
}

/**
 * Recordings in S3-compatible object storage: `s3://<bucket>/<prefix><recordingId>/<name>`.
 *
 * - A chunk streams into a multipart upload (`@aws-sdk/lib-storage`, parts of 5 MiB, one part in
 *   flight at a time). Memory per chunk being written stays ≈ one part being filled or sent (the
 *   library concatenates a part, so briefly twice that) + the writer's 1 MiB high-water mark: `write`
 *   returns false once the writer holds 1 MiB (+ 64 KiB read-ahead) the upload has not taken yet.
 * - A chunk is never overwritten: HeadObject first (refused as `exists`), and the upload carries
 *   `If-None-Match: *` (on PutObject and CompleteMultipartUpload), which AWS S3 and recent MinIO enforce
 *   atomically (412 → `exists`); servers that ignore the header (s3rver) still get the HeadObject check.
 * - The manifest is one PutObject, which S3 replaces atomically.
 * - Listings page with `StartAfter` (not continuation tokens, which some S3-compatible servers cannot
 *   mint), so they work the same on AWS, MinIO and s3rver.
 * - Checksums only when an operation requires them (`WHEN_REQUIRED`), the setting S3-compatible servers
 *   that predate the SDK's default integrity headers accept.
 */
export class S3RecordingStore implements RecordingStore {
  readonly kind = 's3';
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly batchSize: number;

  constructor(settings: S3Settings, options: S3RecordingStoreOptions = {}) {
    this.bucket = settings.bucket;
    this.prefix = settings.prefix;
    this.batchSize = Math.min(BATCH, Math.max(1, options.batchSize ?? BATCH));
    const host = settings.endpoint ? safeHost(settings.endpoint) : undefined;
    this.location = `s3://${settings.bucket}/${settings.prefix}${host ? ` at ${host}` : ''}`;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId !== undefined && settings.secretAccessKey !== undefined
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      // Connecting is bounded; a request that stalls (no byte either way) for two minutes fails. Every
      // recording being written holds at most one request, so the pool is larger than the SDK's 50.
      requestHandler: {
        connectionTimeout: 10_000,
        socketTimeout: 120_000,
        httpAgent: { maxSockets: 256 },
        httpsAgent: { maxSockets: 256 },
      },
    });
  }

  private key(recordingId: string, name: string): string {
    try {
      return `${this.prefix}${recordingObjectKey(recordingId, name)}`;
    } catch {
      throw new RecordingStoreError('bad_name', 'not a recording object name');
    }
  }

  private folder(recordingId: string): string {
    if (!isRecordingId(recordingId)) throw new RecordingStoreError('bad_name', 'not a recording id');
    return `${this.prefix}${recordingId}/`;
  }

  create(recordingId: string, name: string): RecordingObjectWriter {
    const key = this.key(recordingId, name);
    return new S3ObjectWriter(this.client, this.bucket, key, recordingObjectKey(recordingId, name));
  }

  async put(recordingId: string, name: string, data: Uint8Array): Promise<void> {
    const key = this.key(recordingId, name);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: data,
          ContentLength: data.length,
          ContentType: name === RECORDING_MANIFEST_NAME ? 'application/json' : 'application/octet-stream',
        }),
      );
    } catch (err) {
      throw s3ErrorOf(err, `writing ${recordingObjectKey(recordingId, name)}`);
    }
  }

  async get(recordingId: string, name: string): Promise<Buffer | null> {
    const key = this.key(recordingId, name);
    const what = recordingObjectKey(recordingId, name);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = out.Body as (Readable & { transformToByteArray(): Promise<Uint8Array> }) | undefined;
      if (!body) return Buffer.alloc(0);
      const tooLarge = (size: number) =>
        name === RECORDING_MANIFEST_NAME && size > RECORDING_MANIFEST_MAX_BYTES;
      if (tooLarge(out.ContentLength ?? 0)) {
        body.destroy();
        throw new RecordingStoreError('io', `${what} is too large`);
      }
      const bytes = await body.transformToByteArray();
      if (tooLarge(bytes.length)) throw new RecordingStoreError('io', `${what} is too large`);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw s3ErrorOf(err, `reading ${what}`);
    }
  }

  /** Every key under `prefix` (StartAfter paging; with a delimiter, the common prefixes too). */
  private async *keys(prefix: string, delimiter?: string): AsyncIterable<string> {
    let startAfter: string | undefined;
    for (;;) {
      const page: ListObjectsV2CommandOutput = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: delimiter,
          StartAfter: startAfter,
          MaxKeys: this.batchSize,
        }),
      );
      const found = [
        ...(page.Contents ?? []).map((o) => o.Key ?? ''),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
      ]
        .filter((k) => k.startsWith(prefix))
        .sort();
      for (const k of found) yield k;
      const last = found.at(-1);
      if (!page.IsTruncated || last === undefined) return;
      // After a common prefix `a/b/`, the next page starts after `a/b0` ('/' + 1 = '0'): past every key
      // under it, so the group is not listed again.
      const next = delimiter && last.endsWith(delimiter) ? `${last.slice(0, -1)}0` : last;
      if (startAfter !== undefined && next <= startAfter) return;
      startAfter = next;
    }
  }

  async list(recordingId: string): Promise<string[]> {
    const folder = this.folder(recordingId);
    const names: string[] = [];
    try {
      for await (const key of this.keys(folder)) {
        const name = key.slice(folder.length);
        if (name === RECORDING_MANIFEST_NAME || RECORDING_CHUNK_NAME_PATTERN.test(name)) names.push(name);
      }
    } catch (err) {
      throw s3ErrorOf(err, 'listing a recording');
    }
    return names;
  }

  async removeObject(recordingId: string, name: string): Promise<void> {
    const key = this.key(recordingId, name);
    try {
      await this.deleteKeys([key]);
    } catch (err) {
      throw s3ErrorOf(err, `removing ${recordingObjectKey(recordingId, name)}`);
    }
  }

  async remove(recordingId: string): Promise<void> {
    const folder = this.folder(recordingId);
    try {
      // Deleted page by page as listed: paging goes by StartAfter, so deleting what was listed does not
      // move the next page, and a recording of 100 000 chunks never sits in memory as a whole list.
      const batch: string[] = [];
      for await (const key of this.keys(folder)) {
        batch.push(key);
        if (batch.length >= this.batchSize) await this.deleteKeys(batch.splice(0));
      }
      await this.deleteKeys(batch);
    } catch (err) {
      throw s3ErrorOf(err, 'removing a recording');
    }
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const out = await this.client.send(
      new DeleteObjectsCommand({
        Bucket: this.bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
    if (failed.length === 0) return;
    const code = safeName(failed[0].Code);
    throw new RecordingStoreError(
      failureOf(code, undefined),
      `removing a recording: ${failed.length} object(s) not deleted (${code ?? 'error'})`,
    );
  }

  async *recordingIds(): AsyncIterable<string> {
    const iterator = this.keys(this.prefix, '/')[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw s3ErrorOf(err, 'listing recordings');
      }
      if (next.done) return;
      const rest = next.value.slice(this.prefix.length);
      if (!rest.endsWith('/')) continue;
      const id = rest.slice(0, -1);
      if (isRecordingId(id)) yield id;
    }
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}

/**
 * A chunk streaming into one multipart upload through a PassThrough. Before the upload starts, a
 * HeadObject refuses a name that exists; `close` ends the stream and resolves once the upload is
 * complete; `abort` destroys the stream, which makes the library abort the multipart upload.
 */
class S3ObjectWriter implements RecordingObjectWriter {
  private readonly body = new PassThrough({
    writableHighWaterMark: WRITER_HIGH_WATER,
    readableHighWaterMark: WRITER_READ_AHEAD,
  });
  private readonly drainListeners: Array<() => void> = [];
  private readonly errorListeners: Array<(err: RecordingStoreError) => void> = [];
  private readonly done: Promise<void>;
  private closed = false;
  private aborted = false;
  failed: RecordingStoreError | undefined;
  bytes = 0;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly label: string,
  ) {
    this.body.on('drain', () => this.drained());
    // Errors of the stream itself surface through the upload (it reads the stream).
    this.body.on('error', () => undefined);
    this.done = this.run().catch((err: unknown) => {
      if (!this.aborted) this.fail(err);
    });
  }

  private async run(): Promise<void> {
    const exists = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key })).then(
      () => true,
      (err: unknown) => {
        if (isNotFound(err)) return false;
        throw err;
      },
    );
    if (exists) throw new RecordingStoreError('exists', `writing ${this.label}: already exists`);
    if (this.aborted) return;
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.key,
        Body: this.body,
        ContentType: 'application/octet-stream',
        IfNoneMatch: '*',
      },
      partSize: PART_SIZE,
      queueSize: 1,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  write(data: Uint8Array): boolean {
    if (this.failed || this.closed) return true;
    this.bytes += data.length;
    return this.body.write(data);
  }

  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  onError(listener: (err: RecordingStoreError) => void): void {
    if (this.failed) listener(this.failed);
    else this.errorListeners.push(listener);
  }

  private drained(): void {
    for (const l of this.drainListeners.splice(0)) l();
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = s3ErrorOf(err, `writing ${this.label}`);
    this.body.destroy();
    for (const l of this.errorListeners.splice(0)) l(this.failed);
    this.drained();
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.body.end();
    }
    await this.done;
    if (this.failed) throw this.failed;
    if (this.aborted) throw new RecordingStoreError('io', `writing ${this.label}: aborted`);
  }

  async abort(): Promise<void> {
    this.closed = true;
    this.aborted = true;
    // Destroying the stream fails the part reader: the library then aborts the multipart upload (no
    // truncated object is ever completed) and `done` settles after that request.
    this.body.destroy(new Error('aborted'));
    await this.done;
    this.drained();
  }
}

/** A missing object (a missing bucket is a misconfiguration: `unavailable`, never "no such object"). */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (e?.name === 'NoSuchBucket') return false;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** An error name or code that is safe to show: an identifier, never a message, URL or header. */
function safeName(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(value) ? value : undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const REFUSING = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
  'NoSuchBucket',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
]);
const FULL = new Set(['QuotaExceeded', 'XMinioStorageFull', 'StorageFull', 'InsufficientStorage']);

function failureOf(name: string | undefined, status: number | undefined): RecordingStoreFailure {
  if (name === 'PreconditionFailed' || status === 412) return 'exists';
  if ((name && FULL.has(name)) || status === 507) return 'full';
  if (name && (NETWORK_CODES.has(name) || REFUSING.has(name))) return 'unavailable';
  if (status !== undefined && (status >= 500 || status === 401 || status === 403)) return 'unavailable';
  return 'io';
}

/** Maps an SDK or network error to a store failure whose message names no credential, URL or header. */
export function s3ErrorOf(err: unknown, what: string): RecordingStoreError {
  if (err instanceof RecordingStoreError) return err;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  // A network error keeps its code; where the SDK wrapped it (an Error from another realm, as under
  // jest) only its message names the code: that code is taken, never the message.
  const code =
    safeName(e?.code) ??
    (status === undefined ? networkCodeIn((err as Error | undefined)?.message) : undefined);
  const name = safeName(e?.name);
  const id = code && NETWORK_CODES.has(code) ? code : name && name !== 'Error' ? name : (code ?? name);
  const failure = failureOf(id, status);
  const why =
    failure === 'unavailable' && status === undefined
      ? 'the S3 store cannot be reached'
      : failure === 'unavailable'
        ? 'the S3 store refused the request'
        : failure === 'exists'
          ? 'already exists'
          : failure === 'full'
            ? 'the S3 store is full'
            : 'the S3 request failed';
  return new RecordingStoreError(
    failure,
    `${what}: ${why} (${[id, status !== undefined ? `HTTP ${status}` : undefined].filter(Boolean).join(', ') || 'error'})`,
  );
}

function networkCodeIn(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  return /\b(E[A-Z]{3,15})\b/.exec(message.slice(0, 500))?.[1];
}

function safeHost(endpoint: string): string | undefined {
  try {
    return new URL(endpoint).host;
  } catch {
    return undefined;
  }
}
