import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RECORDING_MANIFEST_MAX_BYTES, RECORDING_MANIFEST_NAME } from '../recording/format';
import { S3RecordingStore, s3ErrorOf } from './recording-s3-store';
import { openRecordingStore } from './recording-settings';
import {
  FsRecordingStore,
  RecordingStoreError,
  type RecordingObjectWriter,
  type RecordingStore,
} from './recording-store';

/**
 * s3rver 3.7.1 runs in a child Node with the legacy OpenSSL provider: it mints ListObjectsV2
 * continuation tokens with DES, which Node 24's OpenSSL 3 has only there (without it, any truncated
 * listing answers 500). It prints its port once it listens.
 */
const S3RVER_MAIN = `
const S3rver = require('s3rver');
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.argv[1],
  configureBuckets: [{ name: process.argv[2] }] });
server.run().then(({ port }) => console.log(JSON.stringify({ port })));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
`;

async function startS3rver(directory: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_MAIN, directory, BUCKET], {
    cwd: join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code})`)));
  });
  return { port, child };
}

const MiB = 1024 * 1024;
const BUCKET = 'recordings-test';
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function s3Settings(endpoint: string) {
  return {
    kind: 's3' as const,
    bucket: BUCKET,
    prefix: 'qs/recordings/',
    endpoint,
    region: 'us-east-1',
    accessKeyId: ACCESS_KEY,
    secretAccessKey: SECRET_KEY,
    forcePathStyle: true,
  };
}

interface Harness {
  readonly name: string;
  start(): Promise<void>;
  store(): RecordingStore;
  unreachable(): Promise<RecordingStore>;
  /** How a writer of the unreachable store fails. */
  readonly unreachableFailure: RecordingStoreError['failure'];
  stop(): Promise<void>;
}

function fsHarness(): Harness {
  let dir = '';
  let store: FsRecordingStore;
  return {
    name: 'a folder (FsRecordingStore)',
    // ENOTDIR: the folder store's io.
    unreachableFailure: 'io',
    async start() {
      dir = mkdtempSync(join(tmpdir(), 'qs-rec-fs-'));
      store = new FsRecordingStore(join(dir, 'recordings'));
      await store.prepare();
    },
    store: () => store,
    unreachable() {
      // The root lies under a regular file: no folder can ever be made there.
      writeFileSync(join(dir, 'a-file'), 'not a folder');
      return Promise.resolve(new FsRecordingStore(join(dir, 'a-file', 'recordings')));
    },
    async stop() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function s3Harness(): Harness {
  let dir = '';
  let server: ChildProcess;
  let store: S3RecordingStore;
  return {
    name: 'S3-compatible storage (S3RecordingStore on s3rver)',
    unreachableFailure: 'unavailable',
    async start() {
      dir = mkdtempSync(join(tmpdir(), 'qs-rec-s3-'));
      const started = await startS3rver(dir);
      server = started.child;
      const { port } = started;
      // Small batches, so listings and removals go through several ListObjectsV2/DeleteObjects calls.
      store = new S3RecordingStore(s3Settings(`http://127.0.0.1:${port}`), { batchSize: 2 });
    },
    store: () => store,
    async unreachable() {
      return new S3RecordingStore(s3Settings(`http://127.0.0.1:${await closedPort()}`));
    },
    async stop() {
      await store.close();
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `data` in pieces, waiting for drain whenever the writer says so; counts the waits. */
async function writeAll(writer: RecordingObjectWriter, data: Buffer, piece = 64 * 1024): Promise<number> {
  let waits = 0;
  for (let at = 0; at < data.length; at += piece) {
    if (!writer.write(data.subarray(at, at + piece))) {
      waits++;
      await new Promise<void>((resolve) => writer.onDrain(resolve));
    }
  }
  return waits;
}

async function rejection(promise: Promise<unknown>): Promise<RecordingStoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RecordingStoreError);
  return err as RecordingStoreError;
}

async function collect(ids: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const id of ids) out.push(id);
  return out;
}

describe.each([fsHarness(), s3Harness()])('a recording store in $name', (harness) => {
  jest.setTimeout(120_000);
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());
  const store = () => harness.store();

  it('streams several MiB into a chunk with bounded buffering, and reads back the same bytes', async () => {
    const id = randomUUID();
    const data = randomBytes(12 * MiB + 12345);
    const writer = store().create(id, '000000.rfb');
    const waits = await writeAll(writer, data);
    await writer.close();
    // More than the writer's high-water mark was written quickly, so it asked the caller to wait.
    expect(waits).toBeGreaterThan(0);
    expect(writer.bytes).toBe(data.length);
    expect(writer.failed).toBeUndefined();
    const back = await store().get(id, '000000.rfb');
    expect(back?.length).toBe(data.length);
    expect(back?.equals(data)).toBe(true);
  });

  it('asks the caller to wait once it holds about 1 MiB, and drains', async () => {
    const id = randomUUID();
    const writer = store().create(id, '000000.cast');
    const piece = randomBytes(64 * 1024);
    let held = 0;
    // Written synchronously: nothing can have reached the store yet, so all of it is held.
    while (writer.write(piece)) held += piece.length;
    held += piece.length;
    expect(held).toBeGreaterThanOrEqual(MiB);
    expect(held).toBeLessThanOrEqual(MiB + 2 * piece.length);
    await new Promise<void>((resolve) => writer.onDrain(resolve));
    await writer.close();
    expect((await store().get(id, '000000.cast'))?.length).toBe(held);
  });

  it('stores an empty chunk and a small one', async () => {
    const id = randomUUID();
    const empty = store().create(id, '000000.cast');
    await empty.close();
    const small = store().create(id, '000001.cast');
    expect(small.write(Buffer.from('{"version":2}\n'))).toBe(true);
    await small.close();
    expect((await store().get(id, '000000.cast'))?.length).toBe(0);
    expect((await store().get(id, '000001.cast'))?.toString()).toBe('{"version":2}\n');
  });

  it('never overwrites a chunk: a second writer of the same name fails with exists', async () => {
    const id = randomUUID();
    const first = store().create(id, '000000.rfb');
    first.write(Buffer.from('first'));
    await first.close();
    const second = store().create(id, '000000.rfb');
    const errors: RecordingStoreError[] = [];
    second.onError((e) => errors.push(e));
    second.write(Buffer.from('second'));
    const err = await rejection(second.close());
    expect(err.failure).toBe('exists');
    expect(errors).toEqual([err]);
    expect(second.failed).toBe(err);
    expect((await store().get(id, '000000.rfb'))?.toString()).toBe('first');
  });

  it('replaces the manifest whole with put', async () => {
    const id = randomUUID();
    await store().put(id, RECORDING_MANIFEST_NAME, Buffer.from('{"v":1}'));
    await store().put(id, RECORDING_MANIFEST_NAME, Buffer.from('{"v":2,"longer":true}'));
    expect((await store().get(id, RECORDING_MANIFEST_NAME))?.toString()).toBe('{"v":2,"longer":true}');
    expect(await store().list(id)).toEqual([RECORDING_MANIFEST_NAME]);
  });

  it('refuses to read a manifest larger than the limit', async () => {
    const id = randomUUID();
    await store().put(id, RECORDING_MANIFEST_NAME, Buffer.alloc(RECORDING_MANIFEST_MAX_BYTES + 1, 0x20));
    const err = await rejection(store().get(id, RECORDING_MANIFEST_NAME));
    expect(err.failure).toBe('io');
    expect(err.message).toMatch(/too large/);
    await store().remove(id);
  });

  it('lists a recording’s objects, and nothing for an unknown recording', async () => {
    const id = randomUUID();
    const names = ['000000.rfb', '000001.cast', '000002.cast', '000003.rfb', '000004.rfb'];
    for (const name of names) {
      const w = store().create(id, name);
      w.write(Buffer.from(name));
      await w.close();
    }
    await store().put(id, RECORDING_MANIFEST_NAME, Buffer.from('{}'));
    expect((await store().list(id)).sort()).toEqual([...names, RECORDING_MANIFEST_NAME].sort());
    expect(await store().list(randomUUID())).toEqual([]);
  });

  it('removes a recording whole, leaves the others, and removing again is done', async () => {
    const gone = randomUUID();
    const kept = randomUUID();
    for (const id of [gone, kept]) {
      for (const name of ['000000.rfb', '000001.rfb', '000002.cast']) {
        const w = store().create(id, name);
        w.write(randomBytes(1000));
        await w.close();
      }
      await store().put(id, RECORDING_MANIFEST_NAME, Buffer.from('{}'));
    }
    await store().remove(gone);
    expect(await store().list(gone)).toEqual([]);
    expect(await store().get(gone, RECORDING_MANIFEST_NAME)).toBeNull();
    expect(await collect(store().recordingIds())).not.toContain(gone);
    await store().remove(gone);
    await store().remove(randomUUID());
    expect(await store().list(kept)).toHaveLength(4);
  });

  it('names every recording present', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await store().put(id, RECORDING_MANIFEST_NAME, Buffer.from('{}'));
    const found = await collect(store().recordingIds());
    expect(found).toEqual(expect.arrayContaining(ids));
    expect(new Set(found).size).toBe(found.length);
  });

  it('answers null for an object or a recording that does not exist', async () => {
    const id = randomUUID();
    expect(await store().get(id, RECORDING_MANIFEST_NAME)).toBeNull();
    await store().put(id, RECORDING_MANIFEST_NAME, Buffer.from('{}'));
    expect(await store().get(id, '000000.rfb')).toBeNull();
  });

  it('puts and removes the open marker alone (not listed); removing it again is done; remove takes it too', async () => {
    const id = randomUUID();
    await store().put(id, RECORDING_MANIFEST_NAME, Buffer.from('{}'));
    await store().put(id, 'open', new Uint8Array(0));
    expect(await store().get(id, 'open')).toEqual(Buffer.alloc(0));
    expect(await store().list(id)).toEqual([RECORDING_MANIFEST_NAME]);
    await store().removeObject(id, 'open');
    expect(await store().get(id, 'open')).toBeNull();
    expect(await store().get(id, RECORDING_MANIFEST_NAME)).toEqual(Buffer.from('{}'));
    await expect(store().removeObject(id, 'open')).resolves.toBeUndefined();
    await store().put(id, 'open', new Uint8Array(0));
    await store().remove(id);
    expect(await store().get(id, 'open')).toBeNull();
  });

  it('drops an aborted chunk', async () => {
    const id = randomUUID();
    const writer = store().create(id, '000000.rfb');
    await writeAll(writer, randomBytes(6 * MiB));
    await writer.abort();
    expect(writer.failed).toBeUndefined();
    expect(await store().get(id, '000000.rfb')).toBeNull();
    expect(await store().list(id)).toEqual([]);
  });

  it('refuses bad names before reaching the store', async () => {
    const id = randomUUID();
    for (const [rid, name] of [
      [id, '../000000.rfb'],
      [id, '000000.rfb/x'],
      [id, 'manifest.json.tmp'],
      [id, '0.rfb'],
      ['../etc', '000000.rfb'],
      [id.toUpperCase(), '000000.rfb'],
    ]) {
      expect(() => store().create(rid, name)).toThrow(
        expect.objectContaining({ name: 'RecordingStoreError', failure: 'bad_name' }),
      );
      expect((await rejection(store().put(rid, name, Buffer.from('x')))).failure).toBe('bad_name');
      expect((await rejection(store().get(rid, name))).failure).toBe('bad_name');
    }
    for (const rid of ['', '..', 'a/b', `${id}/x`]) {
      expect((await rejection(store().list(rid))).failure).toBe('bad_name');
      expect((await rejection(store().remove(rid))).failure).toBe('bad_name');
    }
    // Refused before any request: even a store that cannot be reached answers bad_name.
    const unreachable = await harness.unreachable();
    try {
      expect((await rejection(unreachable.get(id, '../x'))).failure).toBe('bad_name');
    } finally {
      await unreachable.close();
    }
  });

  it('fails a writer once, and close rejects, when the store cannot be reached', async () => {
    const unreachable = await harness.unreachable();
    try {
      const writer = unreachable.create(randomUUID(), '000000.rfb');
      const errors: RecordingStoreError[] = [];
      writer.onError((e) => errors.push(e));
      writer.write(randomBytes(1000));
      const err = await rejection(writer.close());
      expect(err.failure).toBe(harness.unreachableFailure);
      expect(errors).toEqual([err]);
      expect(writer.failed).toBe(err);
      // Writes after the failure are ignored, and the error is not reported again.
      expect(writer.write(randomBytes(10))).toBe(true);
      await writer.abort();
      expect(errors).toHaveLength(1);
      const late: RecordingStoreError[] = [];
      writer.onError((e) => late.push(e));
      expect(late).toEqual([err]);
      expect(
        (await rejection(unreachable.put(randomUUID(), RECORDING_MANIFEST_NAME, Buffer.from('{}')))).failure,
      ).toBe(harness.unreachableFailure);
      // Listings fail too: an unreachable store is never mistaken for an empty one.
      expect((await rejection(unreachable.list(randomUUID()))).failure).toBe(harness.unreachableFailure);
      expect((await rejection(collect(unreachable.recordingIds()))).failure).toBe(harness.unreachableFailure);
    } finally {
      await unreachable.close();
    }
  });
});

describe('the S3 store’s errors and location', () => {
  const sdkError = (name: string, status: number | undefined, message = 'x') =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ['PreconditionFailed', 412, 'exists'],
    ['XMinioStorageFull', 507, 'full'],
    ['QuotaExceeded', 403, 'full'],
    ['AccessDenied', 403, 'unavailable'],
    ['SignatureDoesNotMatch', 403, 'unavailable'],
    ['NoSuchBucket', 404, 'unavailable'],
    ['ServiceUnavailable', 503, 'unavailable'],
    ['SlowDown', 503, 'unavailable'],
    ['InternalError', 500, 'unavailable'],
    ['TimeoutError', undefined, 'unavailable'],
    ['InvalidRequest', 400, 'io'],
    ['EntityTooSmall', 400, 'io'],
  ])('maps %s (HTTP %s) to %s', (name, status, failure) => {
    const err = s3ErrorOf(sdkError(name, status), 'writing a chunk');
    expect(err).toBeInstanceOf(RecordingStoreError);
    expect(err.failure).toBe(failure);
    expect(err.message).toMatch(new RegExp(`^writing a chunk: .*\\(${name}(, HTTP ${status})?\\)$`));
  });

  it('never repeats what an error says beyond its code: no URL, header or key', () => {
    const leaky = sdkError(
      'AccessDenied<script>',
      403,
      'https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Credential=AKIAEXAMPLE Authorization: AWS4',
    );
    const err = s3ErrorOf(leaky, 'reading a chunk');
    expect(err.failure).toBe('unavailable');
    expect(err.message).toBe('reading a chunk: the S3 store refused the request (HTTP 403)');
    const network = Object.assign(new Error('connect ECONNRESET 10.0.0.1:443 secret=abc'), {
      code: 'ECONNRESET',
    });
    expect(s3ErrorOf(network, 'listing recordings').message).toBe(
      'listing recordings: the S3 store cannot be reached (ECONNRESET)',
    );
  });

  it('names the bucket, prefix and endpoint host, and no credential, in its location and errors', async () => {
    const port = await closedPort();
    const store = openRecordingStore({
      ...s3Settings(`http://127.0.0.1:${port}`),
      accessKeyId: 'AKIAEXAMPLEKEYID0001',
      secretAccessKey: 'a-secret-access-key-that-must-never-show',
    });
    try {
      expect(store.kind).toBe('s3');
      expect(store.location).toBe(`s3://${BUCKET}/qs/recordings/ at 127.0.0.1:${port}`);
      const err = await rejection(store.list(randomUUID()));
      expect(err.failure).toBe('unavailable');
      expect(err.message).toMatch(/^listing a recording: the S3 store cannot be reached \(ECONNREFUSED\)$/);
      for (const text of [store.location, err.message]) {
        expect(text).not.toContain('AKIAEXAMPLEKEYID0001');
        expect(text).not.toContain('a-secret-access-key');
        expect(text).not.toMatch(/X-Amz-|Authorization|Signature/i);
      }
    } finally {
      await store.close();
    }
  });
});

describe('an S3 store whose bucket does not exist', () => {
  let dir = '';
  let server: ChildProcess;
  let store: RecordingStore;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qs-rec-s3-'));
    const started = await startS3rver(dir);
    server = started.child;
    store = openRecordingStore({
      ...s3Settings(`http://127.0.0.1:${started.port}`),
      bucket: 'no-such-bucket',
    });
  });
  afterAll(async () => {
    await store.close();
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers unavailable, never "no such object" or "no recordings"', async () => {
    const id = randomUUID();
    const read = await rejection(store.get(id, RECORDING_MANIFEST_NAME));
    expect(read.failure).toBe('unavailable');
    expect(read.message).toBe(
      `reading ${id}/manifest.json: the S3 store refused the request (NoSuchBucket, HTTP 404)`,
    );
    expect((await rejection(store.list(id))).failure).toBe('unavailable');
    expect((await rejection(collect(store.recordingIds()))).failure).toBe('unavailable');
    const writer = store.create(id, '000000.rfb');
    writer.write(Buffer.from('x'));
    expect((await rejection(writer.close())).failure).toBe('unavailable');
  });
});
