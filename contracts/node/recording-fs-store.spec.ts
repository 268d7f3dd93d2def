import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsRecordingStore, RecordingStoreError, storeErrorOf } from './recording-store';

const ID = '3f2b8c1e-7a4d-4e9b-9c0a-1b2c3d4e5f60';
const OTHER = '9b2e6c1d-0f3a-4d5b-8e7f-1a2b3c4d5e6f';

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const v of it) out.push(v);
  return out.sort();
}

async function writeChunk(store: FsRecordingStore, name: string, parts: Buffer[]): Promise<void> {
  const w = store.create(ID, name);
  for (const p of parts) w.write(p);
  await w.close();
}

describe('FsRecordingStore', () => {
  let dir: string;
  let store: FsRecordingStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rec-store-'));
    store = new FsRecordingStore(join(dir, 'recordings'));
    await store.prepare();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes chunks and manifests readable only by their owner (folders 0700, files 0600)', async () => {
    await writeChunk(store, '000000.rfb', [Buffer.from('abc'), Buffer.from('def')]);
    await store.put(ID, 'manifest.json', Buffer.from('{}'));
    expect((await stat(store.root)).mode & 0o777).toBe(0o700);
    expect((await stat(join(store.root, ID))).mode & 0o777).toBe(0o700);
    expect((await stat(join(store.root, ID, '000000.rfb'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(store.root, ID, 'manifest.json'))).mode & 0o777).toBe(0o600);
    expect((await store.get(ID, '000000.rfb'))?.toString()).toBe('abcdef');
  });

  it('counts bytes and never overwrites a chunk (O_EXCL)', async () => {
    const w = store.create(ID, '000000.rfb');
    w.write(Buffer.alloc(10));
    expect(w.bytes).toBe(10);
    await w.close();
    const again = store.create(ID, '000000.rfb');
    const failures: string[] = [];
    again.onError((err) => failures.push(err.failure));
    again.write(Buffer.from('overwrite'));
    await expect(again.close()).rejects.toMatchObject({ failure: 'exists' });
    expect(failures).toEqual(['exists']);
    expect(await store.get(ID, '000000.rfb')).toEqual(Buffer.alloc(10));
  });

  it('aborting a writer refused with EEXIST leaves the existing chunk in place', async () => {
    await writeChunk(store, '000000.rfb', [Buffer.from('kept')]);
    const again = store.create(ID, '000000.rfb');
    again.write(Buffer.from('other'));
    await again.abort();
    expect(again.failed?.failure).toBe('exists');
    expect(await store.get(ID, '000000.rfb')).toEqual(Buffer.from('kept'));
  });

  it('puts and removes the open marker; removing one already gone is not an error', async () => {
    await store.put(ID, 'open', new Uint8Array(0));
    expect(await store.get(ID, 'open')).toEqual(Buffer.alloc(0));
    await store.removeObject(ID, 'open');
    expect(await store.get(ID, 'open')).toBeNull();
    await expect(store.removeObject(ID, 'open')).resolves.toBeUndefined();
    await expect(store.removeObject(ID, '../x')).rejects.toMatchObject({ failure: 'bad_name' });
  });

  it('prepare writes a probe file and leaves nothing behind', async () => {
    await store.prepare();
    expect(await readdir(store.root)).toEqual([]);
  });

  it('refuses names that are not a recording object, before touching the disk', async () => {
    for (const name of ['../escape.rfb', 'x/000000.rfb', '000000.exe', '.manifest.json.tmp'])
      expect(() => store.create(ID, name)).toThrow(RecordingStoreError);
    await expect(store.put(ID, '../../etc/passwd', Buffer.from('x'))).rejects.toMatchObject({
      failure: 'bad_name',
    });
    await expect(store.get('../' + ID, 'manifest.json')).rejects.toMatchObject({ failure: 'bad_name' });
    await expect(store.list('not-an-id')).rejects.toMatchObject({ failure: 'bad_name' });
    expect(await readdir(dir)).toEqual(['recordings']);
  });

  it('does not follow a symbolic link planted in place of an object', async () => {
    await writeFile(join(dir, 'secret'), 'outside');
    await store.put(ID, 'manifest.json', Buffer.from('{}'));
    await symlink(join(dir, 'secret'), join(store.root, ID, '000000.rfb'));
    expect(await store.get(ID, '000000.rfb')).toBeNull();
  });

  it('replaces a manifest atomically: the reader sees the old or the new one, and no temporary file stays', async () => {
    await store.put(ID, 'manifest.json', Buffer.from('{"v":1}'));
    await store.put(ID, 'manifest.json', Buffer.from('{"v":2}'));
    expect((await store.get(ID, 'manifest.json'))?.toString()).toBe('{"v":2}');
    expect(await readdir(join(store.root, ID))).toEqual(['manifest.json']);
    expect(await store.get(ID, '000009.rfb')).toBeNull();
  });

  it('lists objects and recording ids, ignores strays, and removes a recording', async () => {
    await writeChunk(store, '000000.cast', [Buffer.from('x')]);
    await store.put(ID, 'manifest.json', Buffer.from('{}'));
    await store.put(OTHER, 'manifest.json', Buffer.from('{}'));
    await writeFile(join(store.root, ID, 'stray.txt'), 'x');
    await writeFile(join(store.root, 'not-a-recording'), 'x');
    expect((await store.list(ID)).sort()).toEqual(['000000.cast', 'manifest.json']);
    expect(await collect(store.recordingIds())).toEqual([ID, OTHER].sort());
    await store.remove(ID);
    await store.remove(ID);
    expect(await store.list(ID)).toEqual([]);
    expect(await collect(store.recordingIds())).toEqual([OTHER]);
  });

  it('reports an unusable root: a path under a file (ENOTDIR, which no user can write, root included)', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const broken = new FsRecordingStore(join(dir, 'a-file', 'recordings'));
    await expect(broken.prepare()).rejects.toBeInstanceOf(RecordingStoreError);
    const w = broken.create(ID, '000000.rfb');
    const failed = new Promise<RecordingStoreError>((resolve) => w.onError(resolve));
    w.write(Buffer.from('x'));
    expect((await failed).failure).toBe('io');
    await expect(w.close()).rejects.toBeInstanceOf(RecordingStoreError);
    await expect(broken.put(ID, 'manifest.json', Buffer.from('{}'))).rejects.toBeInstanceOf(
      RecordingStoreError,
    );
    await expect(new FsRecordingStore(join(dir, 'a-file')).prepare()).rejects.toMatchObject({
      message: expect.stringContaining('not a folder'),
    });
  });

  it('maps a folder made immutable (chattr +i stops root too) to read_only', async () => {
    const locked = join(dir, 'locked');
    const lockedStore = new FsRecordingStore(locked);
    await lockedStore.prepare();
    execFileSync('chattr', ['+i', locked]);
    try {
      // The probe write finds what a folder check alone does not.
      await expect(lockedStore.prepare()).rejects.toMatchObject({ failure: 'read_only' });
      const w = lockedStore.create(ID, '000000.rfb');
      w.write(Buffer.from('x'));
      await expect(w.close()).rejects.toMatchObject({ failure: 'read_only' });
      await expect(lockedStore.put(ID, 'manifest.json', Buffer.from('{}'))).rejects.toMatchObject({
        failure: 'read_only',
        message: expect.not.stringContaining(dir),
      });
    } finally {
      execFileSync('chattr', ['-i', locked]);
    }
  });

  it('maps errno codes to the reported failures', () => {
    const errno = (code: string): Error => Object.assign(new Error(code), { code });
    expect(storeErrorOf(errno('ENOSPC'), 'w').failure).toBe('full');
    expect(storeErrorOf(errno('EDQUOT'), 'w').failure).toBe('full');
    expect(storeErrorOf(errno('EROFS'), 'w').failure).toBe('read_only');
    expect(storeErrorOf(errno('EEXIST'), 'w').failure).toBe('exists');
    expect(storeErrorOf(errno('EIO'), 'w').failure).toBe('io');
  });
});
