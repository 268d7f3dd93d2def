import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import {
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
  mkdir,
  appendFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILES_LIMITS } from '../../../contracts/agent-protocol/files-frames';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { closed, silentLogger, socketPair } from '../test-support/socket-pair';
import { FilesViewer, sha256 } from '../test-support/files-viewer';
import { FilesChannel, partialName, type FileActivity, type FilesChannelOptions } from './files-channel';
import { filesConfig } from './files-config';
import type { FilesFs } from './files-fs';
import { PartialStore } from './partials';

const MIB = 1024 * 1024;

interface Rig {
  channel: FilesChannel;
  viewer: FilesViewer;
  activity: FileActivity[];
  partials: PartialStore;
  close: () => Promise<void>;
  viewerWs: import('ws').WebSocket;
}

let root: string;
const pairs: (() => Promise<void>)[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'files-spec-'));
});
afterEach(async () => {
  for (const close of pairs.splice(0)) await close();
  await rm(root, { recursive: true, force: true });
});

async function rig(options: Partial<FilesChannelOptions> = {}, sessionId = 'session-1'): Promise<Rig> {
  const pair = await socketPair();
  pairs.push(pair.close);
  const activity: FileActivity[] = [];
  const partials = options.partials ?? new PartialStore(silentLogger);
  const channel = new FilesChannel(
    { ws: pair.agent, ref: { sessionId, channel: 'files' }, logger: silentLogger },
    {
      os: 'linux',
      home: root,
      config: { maxUploadBytes: 64 * MIB, maxTransfers: 4 },
      partials,
      report: (a) => activity.push(a),
      ...options,
    },
  );
  return {
    channel,
    viewer: new FilesViewer(pair.viewer),
    activity,
    partials,
    close: pair.close,
    viewerWs: pair.viewer,
  };
}

/** Lists `dir` so later requests may name it. */
async function listed(viewer: FilesViewer, dir: string, id = 900): Promise<void> {
  const pages = await viewer.list(id, dir);
  if (!Array.isArray(pages)) throw new Error(`listing failed: ${pages.message}`);
}

/** A real fs whose one call fails the way the device would (root ignores permission bits). */
function failing(call: keyof FilesFs, code: string): FilesFs {
  return {
    ...fsp,
    [call]: () => Promise.reject(Object.assign(new Error(`${code}: injected`), { code })),
  };
}

describe('files channel: browsing', () => {
  it('reports the places, the OS and the limits', async () => {
    const { viewer } = await rig();
    const places = await viewer.places(1);
    expect(places).toMatchObject({
      os: 'linux',
      sep: '/',
      home: root,
      maxUploadBytes: 64 * MIB,
      maxTransfers: 4,
    });
    expect(places.places.map((p) => p.kind)).toEqual(expect.arrayContaining(['home', 'temp', 'root']));
    expect(places.places.find((p) => p.kind === 'root')?.path).toBe('/');
  });

  it('lists a folder with kinds, sizes, modes, hidden files and symlinks (dangling ones too)', async () => {
    await writeFile(join(root, 'a.txt'), 'hello');
    await writeFile(join(root, '.hidden'), '');
    await mkdir(join(root, 'sub'));
    await symlink(join(root, 'sub'), join(root, 'to-sub'));
    await symlink(join(root, 'nowhere'), join(root, 'dangling'));
    await fsp.chmod(join(root, 'a.txt'), 0o640);
    const { viewer } = await rig();
    const pages = await viewer.list(1, '~');
    if (!Array.isArray(pages)) throw new Error(pages.message);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ path: root, done: true });
    const byName = new Map(pages[0].entries.map((e) => [e.name, e]));
    expect(byName.get('a.txt')).toMatchObject({ kind: 'file', size: 5, mode: 0o640, hidden: false });
    expect(byName.get('.hidden')).toMatchObject({ kind: 'file', hidden: true });
    expect(byName.get('sub')).toMatchObject({ kind: 'dir', size: 0 });
    expect(byName.get('to-sub')).toMatchObject({
      kind: 'symlink',
      target: join(root, 'sub'),
      targetKind: 'dir',
    });
    expect(byName.get('dangling')).toMatchObject({ kind: 'symlink', targetKind: 'other' });
  });

  it('answers with the real path of a folder reached through a symlink, and its parent', async () => {
    await mkdir(join(root, 'real'));
    await symlink(join(root, 'real'), join(root, 'link'));
    const { viewer } = await rig();
    const pages = await viewer.list(1, join(root, 'link'));
    if (!Array.isArray(pages)) throw new Error(pages.message);
    expect(pages[0]).toMatchObject({ path: join(root, 'real'), parent: root });
    const top = await viewer.list(2, '/');
    if (!Array.isArray(top)) throw new Error(top.message);
    expect(top[0].parent).toBeNull();
  });

  it('lists 10,000 entries in pages of the contract size, quickly', async () => {
    const big = join(root, 'big');
    await mkdir(big);
    for (let i = 0; i < 10_000; i += 500)
      await Promise.all(Array.from({ length: 500 }, (_, j) => writeFile(join(big, `f${i + j}`), '')));
    const { viewer } = await rig();
    const started = Date.now();
    const pages = await viewer.list(1, big);
    const took = Date.now() - started;
    if (!Array.isArray(pages)) throw new Error(pages.message);
    expect(pages).toHaveLength(10_000 / FILES_LIMITS.listPageEntries);
    expect(pages.flatMap((p) => p.entries)).toHaveLength(10_000);
    expect(pages.map((p) => p.done)).toEqual([...Array(19).fill(false), true]);
    expect(took).toBeLessThan(10_000);
  });

  it('sends a page early when it would pass the byte cap (long link targets), far under the relay limit', async () => {
    const links = join(root, 'links');
    await mkdir(links);
    const target = `/${'t'.repeat(4000)}`;
    await Promise.all(
      Array.from({ length: 600 }, (_, i) => symlink(target, join(links, `l${String(i).padStart(4, '0')}`))),
    );
    const { viewer } = await rig();
    const pages = await viewer.list(1, links);
    if (!Array.isArray(pages)) throw new Error(pages.message);
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages)
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(FILES_LIMITS.listPageBytes);
    expect(pages.flatMap((p) => p.entries)).toHaveLength(600);
    expect(pages.map((p) => p.done)).toEqual([...Array<boolean>(pages.length - 1).fill(false), true]);
  });

  it('refuses relative paths, files and missing folders with their codes', async () => {
    await writeFile(join(root, 'file'), 'x');
    const { viewer } = await rig();
    expect(await viewer.list(1, 'relative/path')).toMatchObject({ code: 'bad_path' });
    expect(await viewer.list(2, join(root, 'file'))).toMatchObject({ code: 'not_a_folder' });
    expect(await viewer.list(3, join(root, 'missing'))).toMatchObject({
      code: 'not_found',
      message: `Not found: ${join(root, 'missing')}`,
    });
  });

  it('reports permission denied in words (injected: the tests run as root, which no mode bit stops)', async () => {
    const { viewer } = await rig({ fs: failing('opendir', 'EACCES') });
    expect(await viewer.list(1, root)).toMatchObject({
      type: 'error',
      code: 'permission_denied',
      message: `Permission denied: ${root}`,
    });
    // The channel goes on.
    expect((await viewer.places(2)).type).toBe('places');
  });
});

describe('files channel: bad frames and paths', () => {
  it('answers each bad frame with a stable code and stays usable', async () => {
    const { viewer } = await rig();
    viewer.send('not json');
    expect(await viewer.next(0)).toMatchObject({
      type: 'error',
      code: 'bad_frame',
      message: expect.stringMatching(/^The request could not be read/),
    });
    viewer.send({ op: 'format_disk', id: 7 });
    expect(await viewer.next(7)).toMatchObject({ type: 'error', code: 'unknown_op' });
    viewer.send({ op: 'list', id: 8, path: '/tmp/\u0000x' });
    expect(await viewer.next(8)).toMatchObject({ type: 'error', code: 'bad_path' });
    viewer.send({ op: 'mkdir', id: 9, dir: root, name: '../escape' });
    expect(await viewer.next(9)).toMatchObject({ type: 'error', code: 'bad_path' });
    viewer.send({ op: 'mkdir', id: 10, dir: root, name: '..' });
    expect(await viewer.next(10)).toMatchObject({ type: 'error', code: 'bad_path' });
    viewer.send({ op: 'mkdir', id: 11, dir: root, name: 'x' });
    expect(await viewer.next(11)).toMatchObject({ type: 'error', code: 'not_listed' });
    viewer.send({ op: 'mkdir', id: 14, dir: root, name: 'NUL.txt' });
    const windowsName = await viewer.next(14);
    expect(windowsName).toMatchObject({ type: 'error', code: 'bad_path' });
    expect(windowsName.type === 'error' && windowsName.message).toMatch(/^That name cannot be created: /);
    viewer.send({ op: 'ack', id: 12, bytes: 5 });
    expect(await viewer.next(12)).toMatchObject({ type: 'error', code: 'unknown_transfer' });
    viewer.sendData(13, Buffer.from('stray'));
    expect(await viewer.next(13)).toMatchObject({ type: 'error', code: 'unknown_transfer' });
    viewer.send({ op: 'upload_end', id: 14, sha256: 'a'.repeat(64) });
    expect(await viewer.next(14)).toMatchObject({ type: 'error', code: 'unknown_transfer' });
    viewer.ws.send(Buffer.from([0, 0]), { binary: true });
    expect(await viewer.next(0)).toMatchObject({ type: 'error', code: 'bad_frame' });
    expect((await viewer.places(15)).type).toBe('places');
    await expect(stat(join(root, '..', 'escape'))).rejects.toThrow();
  });

  it('refuses an id already in use', async () => {
    await writeFile(join(root, 'big'), randomBytes(FILES_LIMITS.windowBytes + MIB));
    const { viewer } = await rig();
    viewer.autoAck = false;
    await listed(viewer, root);
    viewer.send({ op: 'download', id: 1, dir: root, name: 'big' });
    await viewer.next(1, 'download_start');
    viewer.send({ op: 'places', id: 1 });
    expect(await viewer.next(1, 'error')).toMatchObject({ code: 'duplicate_id' });
  });

  it('refuses every operation while the gate says no, and goes on when it says yes again', async () => {
    let refusal: string | undefined = 'Remote control is switched off on this device.';
    const { viewer } = await rig({ refusal: () => Promise.resolve(refusal) });
    viewer.send({ op: 'places', id: 1 });
    expect(await viewer.next(1)).toMatchObject({
      type: 'error',
      code: 'permission_denied',
      message: refusal,
    });
    refusal = undefined;
    expect((await viewer.places(2)).type).toBe('places');
  });
});

describe('files channel: mkdir, rename, delete', () => {
  it('creates, renames and deletes, reporting each to the portal', async () => {
    const { viewer, activity } = await rig();
    await listed(viewer, root);
    viewer.send({ op: 'mkdir', id: 1, dir: root, name: 'new' });
    expect(await viewer.next(1)).toEqual({ type: 'done', id: 1, path: join(root, 'new') });
    viewer.send({ op: 'mkdir', id: 2, dir: root, name: 'new' });
    expect(await viewer.next(2)).toMatchObject({ type: 'error', code: 'exists' });
    await writeFile(join(root, 'taken'), '');
    viewer.send({ op: 'rename', id: 3, dir: root, name: 'new', to: 'taken' });
    expect(await viewer.next(3)).toMatchObject({ type: 'error', code: 'exists' });
    viewer.send({ op: 'rename', id: 4, dir: root, name: 'new', to: 'renamed' });
    expect(await viewer.next(4)).toEqual({ type: 'done', id: 4, path: join(root, 'renamed') });
    viewer.send({ op: 'rename', id: 5, dir: root, name: 'ghost', to: 'x' });
    expect(await viewer.next(5)).toMatchObject({ type: 'error', code: 'not_found' });
    await writeFile(join(root, 'renamed', 'inside'), 'x');
    viewer.send({ op: 'delete', id: 6, dir: root, name: 'renamed' });
    expect(await viewer.next(6)).toEqual({ type: 'done', id: 6, path: join(root, 'renamed') });
    await expect(stat(join(root, 'renamed'))).rejects.toThrow();
    expect(activity).toEqual([
      { action: 'mkdir', path: join(root, 'new'), result: 'ok' },
      { action: 'mkdir', path: join(root, 'new'), result: 'failed', error: 'exists' },
      {
        action: 'rename',
        path: join(root, 'new'),
        to: join(root, 'taken'),
        result: 'failed',
        error: 'exists',
      },
      { action: 'rename', path: join(root, 'new'), to: join(root, 'renamed'), result: 'ok' },
      {
        action: 'rename',
        path: join(root, 'ghost'),
        to: join(root, 'x'),
        result: 'failed',
        error: 'not_found',
      },
      { action: 'delete', path: join(root, 'renamed'), result: 'ok' },
    ]);
  });

  it('deletes a symlink, never what it points to', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'files-outside-'));
    try {
      await writeFile(join(outside, 'keep'), 'precious');
      await symlink(outside, join(root, 'link'));
      const { viewer } = await rig();
      await listed(viewer, root);
      viewer.send({ op: 'delete', id: 1, dir: root, name: 'link' });
      expect(await viewer.next(1)).toMatchObject({ type: 'done' });
      expect(await readFile(join(outside, 'keep'), 'utf8')).toBe('precious');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('reports permission denied on mkdir in words (injected)', async () => {
    const { viewer } = await rig({ fs: failing('mkdir', 'EACCES') });
    await listed(viewer, root);
    viewer.send({ op: 'mkdir', id: 1, dir: root, name: 'x' });
    expect(await viewer.next(1)).toMatchObject({
      code: 'permission_denied',
      message: `Permission denied: ${join(root, 'x')}`,
    });
  });
});

describe('files channel: downloads', () => {
  it('sends a file with its size, SHA-256 and an audit record', async () => {
    const content = randomBytes(3 * MIB + 123);
    await writeFile(join(root, 'data.bin'), content);
    const { viewer, activity } = await rig();
    await listed(viewer, root);
    viewer.send({ op: 'download', id: 1, dir: root, name: 'data.bin' });
    expect(await viewer.next(1, 'download_start')).toEqual({
      type: 'download_start',
      id: 1,
      name: 'data.bin',
      size: content.length,
      zip: false,
    });
    const end = await viewer.next(1, 'download_end');
    const got = Buffer.concat(viewer.data.get(1)!);
    expect(got.equals(content)).toBe(true);
    expect(end).toEqual({ type: 'download_end', id: 1, bytes: content.length, sha256: sha256(content) });
    expect(activity).toEqual([
      {
        action: 'download',
        path: join(root, 'data.bin'),
        bytes: content.length,
        sha256: sha256(content),
        result: 'ok',
      },
    ]);
  });

  it('never has more than the window unacknowledged, and goes on at each ack', async () => {
    const content = randomBytes(FILES_LIMITS.windowBytes * 2 + 5);
    await writeFile(join(root, 'big'), content);
    const { viewer } = await rig();
    viewer.autoAck = false;
    await listed(viewer, root);
    viewer.send({ op: 'download', id: 1, dir: root, name: 'big' });
    await viewer.receivedAtLeast(1, FILES_LIMITS.windowBytes);
    // A request sent now is answered after anything the agent was about to send without an ack.
    await viewer.places(2);
    expect(viewer.received.get(1)).toBe(FILES_LIMITS.windowBytes);
    viewer.autoAck = true;
    viewer.ack(1);
    const end = await viewer.next(1, 'download_end');
    expect(end.sha256).toBe(sha256(content));
    expect(viewer.maxInFlight).toBeLessThanOrEqual(FILES_LIMITS.windowBytes);
  });

  it('reports a file that changed while it was being read', async () => {
    await writeFile(join(root, 'log'), randomBytes(FILES_LIMITS.windowBytes + MIB));
    const { viewer, activity } = await rig();
    viewer.autoAck = false;
    await listed(viewer, root);
    viewer.send({ op: 'download', id: 1, dir: root, name: 'log' });
    await viewer.receivedAtLeast(1, FILES_LIMITS.windowBytes);
    await appendFile(join(root, 'log'), 'more lines');
    viewer.autoAck = true;
    viewer.ack(1);
    expect(await viewer.outcome(1, 'download_end')).toMatchObject({
      type: 'error',
      code: 'changed_while_reading',
    });
    expect(activity[0]).toMatchObject({
      action: 'download',
      result: 'failed',
      error: 'changed_while_reading',
    });
  });

  it('ends a download whose ack names more than was sent, so both sides agree it failed', async () => {
    await writeFile(join(root, 'big'), randomBytes(FILES_LIMITS.windowBytes + MIB));
    const { viewer, activity } = await rig();
    viewer.autoAck = false;
    await listed(viewer, root);
    viewer.send({ op: 'download', id: 1, dir: root, name: 'big' });
    await viewer.next(1, 'download_start');
    viewer.send({ op: 'ack', id: 1, bytes: FILES_LIMITS.windowBytes + MIB });
    expect(await viewer.next(1, 'error')).toMatchObject({ code: 'bad_frame' });
    expect(activity[0]).toMatchObject({ action: 'download', result: 'failed', error: 'bad_frame' });
    expect((await viewer.places(2)).type).toBe('places');
  });

  it('cancels a download and takes the next request', async () => {
    await writeFile(join(root, 'big'), randomBytes(FILES_LIMITS.windowBytes + MIB));
    const { viewer, activity } = await rig();
    viewer.autoAck = false;
    await listed(viewer, root);
    viewer.send({ op: 'download', id: 1, dir: root, name: 'big' });
    await viewer.next(1, 'download_start');
    viewer.send({ op: 'cancel', id: 1 });
    expect(await viewer.next(1, 'error')).toMatchObject({ code: 'cancelled' });
    expect(activity[0]).toMatchObject({ action: 'download', result: 'cancelled' });
    expect((await viewer.places(2)).type).toBe('places');
  });

  it('refuses more transfers than the limit', async () => {
    await writeFile(join(root, 'big'), randomBytes(FILES_LIMITS.windowBytes + MIB));
    const { viewer } = await rig({ config: { maxUploadBytes: MIB, maxTransfers: 1 } });
    viewer.autoAck = false;
    await listed(viewer, root);
    viewer.send({ op: 'download', id: 1, dir: root, name: 'big' });
    await viewer.next(1, 'download_start');
    viewer.send({ op: 'download', id: 2, dir: root, name: 'big' });
    expect(await viewer.next(2)).toMatchObject({ type: 'error', code: 'too_many_transfers' });
  });

  it('counts uploads still being set up against the limit', async () => {
    const { viewer } = await rig({ config: { maxUploadBytes: MIB, maxTransfers: 1 } });
    await listed(viewer, root);
    const upload = (id: number, name: string) =>
      viewer.send({
        op: 'upload',
        id,
        dir: root,
        name,
        size: 10,
        overwrite: false,
        resumeKey: `key-concurrent-0000${id}`,
      });
    upload(1, 'a');
    upload(2, 'b');
    const answers = [await viewer.outcome(1, 'upload_ready'), await viewer.outcome(2, 'upload_ready')];
    expect(answers.map((a) => (a.type === 'error' ? a.code : a.type)).sort()).toEqual([
      'too_many_transfers',
      'upload_ready',
    ]);
  });

  it('refuses a folder with more entries than a zip may hold, as too_large with a sentence', async () => {
    const tree = join(root, 'tree');
    await mkdir(join(tree, 'inner'), { recursive: true });
    for (let i = 0; i < 6; i++) await writeFile(join(tree, 'inner', `f${i}`), 'x');
    const { viewer, activity } = await rig({ maxZipEntries: 5 });
    await listed(viewer, root);
    viewer.send({ op: 'download', id: 1, dir: root, name: 'tree' });
    const error = await viewer.next(1, 'error');
    expect(error).toMatchObject({ code: 'too_large' });
    expect(error.message).toMatch(
      /holds more than 5 files and folders; download smaller folders inside it\.$/,
    );
    expect(activity[0]).toMatchObject({ action: 'download', result: 'failed', error: 'too_large' });
  });

  it('sends a folder as a zip built on the fly, links stored as links and never followed out', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'files-outside-'));
    try {
      await writeFile(join(outside, 'secret'), 'outside the folder');
      const folder = join(root, 'project');
      await mkdir(join(folder, 'src', 'deep'), { recursive: true });
      await mkdir(join(folder, 'empty'));
      await writeFile(join(folder, 'readme.md'), '# hi');
      const big = randomBytes(2 * MIB);
      await writeFile(join(folder, 'src', 'deep', 'big.bin'), big);
      await symlink(join(outside, 'secret'), join(folder, 'src', 'leak'));
      await symlink(outside, join(folder, 'dirlink'));
      const { viewer, activity } = await rig();
      await listed(viewer, root);
      const { end, bytes } = await viewer.download(1, root, 'project');
      if (end.type !== 'download_end') throw new Error(end.message);
      expect(end.sha256).toBe(sha256(bytes));
      const zipPath = join(root, 'out.zip');
      await writeFile(zipPath, bytes);
      const script = [
        'import json, stat, sys, zipfile',
        'z = zipfile.ZipFile(sys.argv[1])',
        'out = {}',
        'for i in z.infolist():',
        '    mode = i.external_attr >> 16',
        '    kind = "link" if stat.S_ISLNK(mode) else "dir" if i.is_dir() else "file"',
        '    data = z.read(i)',
        '    out[i.filename] = [kind, len(data), data.decode() if len(data) < 100 else None]',
        'print(json.dumps(out))',
      ].join('\n');
      const listing = JSON.parse(
        execFileSync('python3', ['-c', script, zipPath], { encoding: 'utf8' }),
      ) as Record<string, [string, number, string | null]>;
      expect(listing).toEqual({
        'project/dirlink': ['link', outside.length, outside],
        'project/empty/': ['dir', 0, ''],
        'project/readme.md': ['file', 4, '# hi'],
        'project/src/': ['dir', 0, ''],
        'project/src/deep/': ['dir', 0, ''],
        'project/src/deep/big.bin': ['file', big.length, null],
        'project/src/leak': ['link', join(outside, 'secret').length, join(outside, 'secret')],
      });
      expect(execFileSync('unzip', ['-tq', zipPath], { encoding: 'utf8' })).toMatch(/No errors/);
      expect(activity[0]).toMatchObject({ action: 'download', zip: true, result: 'ok', bytes: bytes.length });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('files channel: uploads', () => {
  it('writes to a temporary name, verifies the SHA-256 and renames into place', async () => {
    const content = randomBytes(5 * MIB + 7);
    const { viewer, activity } = await rig();
    await listed(viewer, root);
    const { ready, end } = await viewer.upload(1, root, 'setup.exe', content);
    expect(ready).toEqual({ type: 'upload_ready', id: 1, offset: 0 });
    expect(end).toEqual({
      type: 'done',
      id: 1,
      path: join(root, 'setup.exe'),
      bytes: content.length,
      sha256: sha256(content),
    });
    expect((await readFile(join(root, 'setup.exe'))).equals(content)).toBe(true);
    expect((await stat(join(root, 'setup.exe'))).mode & 0o777).toBe(0o666 & ~process.umask());
    expect(await readdir(root)).toEqual(['setup.exe']);
    expect(activity).toEqual([
      {
        action: 'upload',
        path: join(root, 'setup.exe'),
        bytes: content.length,
        sha256: sha256(content),
        result: 'ok',
      },
    ]);
  });

  it('uploads an empty file', async () => {
    const { viewer } = await rig();
    await listed(viewer, root);
    const { end } = await viewer.upload(1, root, 'empty', Buffer.alloc(0));
    expect(end).toMatchObject({ type: 'done', bytes: 0 });
    expect((await stat(join(root, 'empty'))).size).toBe(0);
  });

  it('keeps the temporary file owner-only while it is written', async () => {
    const { viewer } = await rig();
    await listed(viewer, root);
    await viewer.upload(1, root, 'x.bin', randomBytes(MIB * 2), {
      stopAfter: MIB,
      resumeKey: 'key-owner-only-0001',
    });
    await viewer.next(1, 'ack');
    const temp = join(root, partialName('x.bin', 'key-owner-only-0001'));
    expect((await stat(temp)).mode & 0o777).toBe(0o600);
  });

  it('refuses too large, existing, symlinked and unlisted targets before a byte is sent', async () => {
    await writeFile(join(root, 'there'), 'old');
    await symlink('/etc/passwd', join(root, 'link'));
    await mkdir(join(root, 'folder'));
    const { viewer } = await rig({ config: { maxUploadBytes: MIB, maxTransfers: 4 } });
    await listed(viewer, root);
    expect((await viewer.upload(1, root, 'huge', Buffer.alloc(MIB + 1))).ready).toMatchObject({
      code: 'too_large',
    });
    expect((await viewer.upload(2, root, 'there', Buffer.from('new'))).ready).toMatchObject({
      code: 'exists',
    });
    expect((await viewer.upload(3, root, 'link', Buffer.from('x'), { overwrite: true })).ready).toMatchObject(
      {
        code: 'is_symlink',
      },
    );
    expect(
      (await viewer.upload(4, root, 'folder', Buffer.from('x'), { overwrite: true })).ready,
    ).toMatchObject({
      code: 'exists',
    });
    expect((await viewer.upload(5, '/etc', 'x', Buffer.from('x'))).ready).toMatchObject({
      code: 'not_listed',
    });
    expect(
      (await viewer.upload(6, root, 'there', Buffer.from('new'), { overwrite: true })).end,
    ).toMatchObject({
      type: 'done',
    });
    expect(await readFile(join(root, 'there'), 'utf8')).toBe('new');
    expect((await readdir(root)).sort()).toEqual(['folder', 'link', 'there']);
  });

  it('checks free space before the upload starts (statfs injected)', async () => {
    const fs: FilesFs = {
      ...fsp,
      statfs: (() => Promise.resolve({ bavail: 10, bsize: 4096 })) as unknown as FilesFs['statfs'],
    };
    const { viewer } = await rig({ fs });
    await listed(viewer, root);
    const { ready } = await viewer.upload(1, root, 'big', Buffer.alloc(MIB));
    expect(ready).toMatchObject({ code: 'no_space' });
    expect(ready.type === 'error' && ready.message).toMatch(/^Not enough space on the device/);
    expect(await readdir(root)).toEqual([]);
  });

  it('discards an upload whose checksum differs, or that brings more or fewer bytes', async () => {
    const { viewer, activity } = await rig();
    await listed(viewer, root);
    const content = randomBytes(MIB);
    const bad = await viewer.upload(1, root, 'a', content, { sha256: 'f'.repeat(64) });
    expect(bad.end).toMatchObject({ type: 'error', code: 'checksum_mismatch' });
    // Fewer bytes than announced, then upload_end.
    viewer.send({
      op: 'upload',
      id: 2,
      dir: root,
      name: 'b',
      size: 10,
      overwrite: false,
      resumeKey: 'key-short-000000001',
    });
    await viewer.next(2, 'upload_ready');
    viewer.sendData(2, Buffer.from('12345'));
    viewer.send({ op: 'upload_end', id: 2, sha256: sha256(Buffer.from('12345')) });
    expect(await viewer.outcome(2, 'done')).toMatchObject({ code: 'size_mismatch' });
    // More bytes than announced.
    viewer.send({
      op: 'upload',
      id: 3,
      dir: root,
      name: 'c',
      size: 4,
      overwrite: false,
      resumeKey: 'key-long-0000000001',
    });
    await viewer.next(3, 'upload_ready');
    viewer.sendData(3, Buffer.from('123456'));
    expect(await viewer.outcome(3, 'done')).toMatchObject({ code: 'size_mismatch' });
    expect(await readdir(root)).toEqual([]);
    expect(activity.map((a) => [a.action, a.result, a.error])).toEqual([
      ['upload', 'failed', 'checksum_mismatch'],
      ['upload', 'failed', 'size_mismatch'],
      ['upload', 'failed', 'size_mismatch'],
    ]);
  });

  it('refuses a sender that goes past the window without an ack', async () => {
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    // Writes wait: the agent cannot have acknowledged anything when the 33rd chunk arrives.
    const fs: FilesFs = {
      ...fsp,
      open: async (...args: Parameters<typeof fsp.open>) => {
        const fd = await fsp.open(...args);
        for (const method of ['write', 'writev'] as const) {
          const original = (fd[method] as (...a: unknown[]) => Promise<unknown>).bind(fd);
          (fd as unknown as Record<string, unknown>)[method] = async (...a: unknown[]) => {
            await stuck;
            return original(...a);
          };
        }
        return fd;
      },
    };
    const { viewer } = await rig({ fs });
    await listed(viewer, root);
    const size = FILES_LIMITS.windowBytes + FILES_LIMITS.chunkBytes;
    viewer.send({
      op: 'upload',
      id: 1,
      dir: root,
      name: 'w',
      size,
      overwrite: false,
      resumeKey: 'key-window-00000001',
    });
    await viewer.next(1, 'upload_ready');
    const chunk = Buffer.alloc(FILES_LIMITS.chunkBytes);
    for (let sent = 0; sent < size; sent += chunk.length) viewer.sendData(1, chunk);
    const error = viewer.outcome(1, 'done');
    // Answered after every data frame before it was taken in (frames are read in order).
    await viewer.places(2);
    release();
    expect(await error).toMatchObject({ code: 'window_exceeded' });
    expect(await readdir(root)).toEqual([]);
  });

  it('reports a device that runs out of space mid-upload, and removes the temporary file', async () => {
    const fs: FilesFs = {
      ...fsp,
      open: async (...args: Parameters<typeof fsp.open>) => {
        const fd = await fsp.open(...args);
        const full = () =>
          Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
        Object.assign(fd, { write: full, writev: full });
        return fd;
      },
    };
    const { viewer } = await rig({ fs });
    await listed(viewer, root);
    const { end } = await viewer.upload(1, root, 'full', randomBytes(MIB));
    expect(end).toMatchObject({
      code: 'no_space',
      message: `Not enough space on the device for ${join(root, 'full')}`,
    });
    expect(await readdir(root)).toEqual([]);
  });

  it('cancels an upload half-way and leaves nothing behind', async () => {
    const { viewer, activity, partials } = await rig();
    await listed(viewer, root);
    await viewer.upload(1, root, 'half', randomBytes(4 * MIB), { stopAfter: 2 * MIB });
    viewer.send({ op: 'cancel', id: 1 });
    expect(await viewer.next(1, 'error')).toMatchObject({ code: 'cancelled' });
    expect(await readdir(root)).toEqual([]);
    expect(partials.size).toBe(0);
    expect(activity[0]).toMatchObject({ action: 'upload', result: 'cancelled' });
    expect((await viewer.places(2)).type).toBe('places');
  });

  it('resumes after the relay socket dropped, on a new channel of the same session, from the kept size', async () => {
    const content = randomBytes(6 * MIB + 11);
    const partials = new PartialStore(silentLogger);
    const first = await rig({ partials });
    await listed(first.viewer, root);
    const key = 'resume-key-abcdef0123';
    await first.viewer.upload(1, root, 'video.mp4', content, { resumeKey: key, stopAfter: 3 * MIB });
    const ack = await first.viewer.next(1, 'ack');
    // The viewer's connection drops without a close handshake (the relay sees a lost socket).
    first.viewerWs.terminate();
    await first.channel.settled();
    const temp = join(root, partialName('video.mp4', key));
    const kept = (await stat(temp)).size;
    expect(kept).toBeGreaterThanOrEqual(ack.bytes);
    expect(partials.size).toBe(1);
    // A new files channel of the same session: list the folder again, then the same upload.
    const second = await rig({ partials });
    await listed(second.viewer, root);
    const { ready, end } = await second.viewer.upload(1, root, 'video.mp4', content, { resumeKey: key });
    expect(ready).toEqual({ type: 'upload_ready', id: 1, offset: kept });
    expect(end).toMatchObject({ type: 'done', sha256: sha256(content), bytes: content.length });
    expect((await readFile(join(root, 'video.mp4'))).equals(content)).toBe(true);
    expect(await readdir(root)).toEqual(['video.mp4']);
    expect(partials.size).toBe(0);
  });

  it('starts over when a resume names another size, and deletes kept partials when the session ends', async () => {
    const partials = new PartialStore(silentLogger);
    const first = await rig({ partials });
    await listed(first.viewer, root);
    const key = 'resume-key-session-end';
    await first.viewer.upload(1, root, 'a.bin', randomBytes(2 * MIB), { resumeKey: key, stopAfter: MIB });
    await first.viewer.next(1, 'ack');
    first.viewerWs.terminate();
    await first.channel.settled();
    const second = await rig({ partials });
    await listed(second.viewer, root);
    const other = await second.viewer.upload(1, root, 'a.bin', randomBytes(3 * MIB), {
      resumeKey: key,
      stopAfter: MIB,
    });
    expect(other.ready).toMatchObject({ type: 'upload_ready', offset: 0 });
    await second.viewer.next(1, 'ack');
    second.viewerWs.terminate();
    await second.channel.settled();
    expect(await readdir(root)).toEqual([partialName('a.bin', key)]);
    await partials.discardSession('session-1');
    expect(await readdir(root)).toEqual([]);
  });

  it('deletes the partial when the channel is ended on purpose (technician, device, kill switch)', async () => {
    const { viewer, channel, activity, partials } = await rig();
    await listed(viewer, root);
    await viewer.upload(1, root, 'x', randomBytes(2 * MIB), { stopAfter: MIB });
    await viewer.next(1, 'ack');
    const gone = closed(viewer.ws);
    channel.close(RelayCloseCode.EndedOnDevice, 'The person at the device stopped file transfer.');
    expect((await gone).code).toBe(RelayCloseCode.EndedOnDevice);
    await channel.settled();
    expect(await readdir(root)).toEqual([]);
    expect(partials.size).toBe(0);
    expect(activity[0]).toMatchObject({ action: 'upload', result: 'cancelled' });
  });
});

/** A real fs whose `statfs` waits until released: a transfer held in its set-up. */
function heldStatfs(): { fs: FilesFs; reached: Promise<void>; release: () => void } {
  let release!: () => void;
  let reach!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const fs: FilesFs = {
    ...fsp,
    statfs: (async (...args: Parameters<typeof fsp.statfs>) => {
      reach();
      await gate;
      return fsp.statfs(...args);
    }) as FilesFs['statfs'],
  };
  return { fs, reached, release };
}

describe('files channel: a local user racing the root agent', () => {
  it("sets a finished upload's mode and owner on the open file, never by its path", async () => {
    const byPath: string[] = [];
    const fs = new Proxy(fsp, {
      get: (target, key: string) => {
        const value = (target as unknown as Record<string, unknown>)[key];
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          byPath.push(key);
          return (value as (...a: unknown[]) => unknown)(...args);
        };
      },
    }) as unknown as FilesFs;
    const { viewer } = await rig({ fs });
    await listed(viewer, root);
    const { end } = await viewer.upload(1, root, 'f.txt', Buffer.from('content'));
    expect(end).toMatchObject({ type: 'done' });
    expect(byPath.filter((call) => /chmod|chown/.test(call))).toEqual([]);
    expect((await stat(join(root, 'f.txt'))).mode & 0o777).toBe(0o666 & ~process.umask());
  });

  it('refuses a symlink planted at the temporary name, leaving what it points to alone', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'files-outside-'));
    try {
      const secret = join(outside, 'secret');
      await writeFile(secret, 'secret');
      const key = 'key-planted-link-0001';
      await symlink(secret, join(root, partialName('p.txt', key)));
      // The stale-name removal is skipped, as if the link appeared just after it.
      const fs: FilesFs = { ...fsp, rm: () => Promise.resolve() };
      const { viewer } = await rig({ fs });
      await listed(viewer, root);
      const { ready } = await viewer.upload(1, root, 'p.txt', Buffer.from('evil'), { resumeKey: key });
      expect(ready).toMatchObject({ type: 'error', code: 'exists' });
      expect(await readFile(secret, 'utf8')).toBe('secret');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('refuses to resume into a kept part replaced by a hard link to another file', async () => {
    const partials = new PartialStore(silentLogger);
    const first = await rig({ partials });
    await listed(first.viewer, root);
    const key = 'resume-key-hardlink-01';
    await first.viewer.upload(1, root, 'h.bin', randomBytes(2 * MIB), { resumeKey: key, stopAfter: MIB });
    await first.viewer.next(1, 'ack');
    first.viewerWs.terminate();
    await first.channel.settled();
    const temp = join(root, partialName('h.bin', key));
    // Another user's file (same disk), linked in at the kept name.
    const victim = join(root, 'victim');
    await writeFile(victim, 'precious');
    await rm(temp);
    await fsp.link(victim, temp);
    const second = await rig({ partials });
    await listed(second.viewer, root);
    const { ready } = await second.viewer.upload(1, root, 'h.bin', randomBytes(2 * MIB), {
      resumeKey: key,
    });
    expect(ready).toMatchObject({ type: 'error', code: 'bad_offset' });
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(partials.size).toBe(0);
  });
});

describe('files channel: closed by the portal to reconnect', () => {
  it('keeps a running upload for its resume when the portal closes the channel only to open it again', async () => {
    const { viewer, channel, partials } = await rig();
    await listed(viewer, root);
    await viewer.upload(1, root, 'r.bin', randomBytes(2 * MIB), {
      stopAfter: MIB,
      resumeKey: 'key-reconnect-000001',
    });
    await viewer.next(1, 'ack');
    channel.close(RelayCloseCode.EndedByTechnician, 'reconnecting');
    await channel.settled();
    expect(await readdir(root)).toEqual([partialName('r.bin', 'key-reconnect-000001')]);
    expect(partials.size).toBe(1);
  });
});

describe('files channel: listed folders are pinned', () => {
  it('refuses changes in a folder swapped for a symlink or another folder since it was listed', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'files-outside-'));
    try {
      const sub = join(root, 'sub');
      await mkdir(sub);
      const { viewer } = await rig();
      await listed(viewer, sub);
      // A local user moves the listed folder away and puts a symlink to elsewhere at its path.
      await fsp.rename(sub, join(root, 'moved'));
      await symlink(outside, sub);
      viewer.send({ op: 'mkdir', id: 1, dir: sub, name: 'x' });
      const swapped = await viewer.next(1, 'error');
      expect(swapped).toMatchObject({ code: 'not_listed' });
      expect(swapped.message).toMatch(/changed since it was listed; list it again\.$/);
      expect((await viewer.upload(2, sub, 'y', Buffer.from('y'))).ready).toMatchObject({
        code: 'not_listed',
      });
      expect(await readdir(outside)).toEqual([]);
      // Another folder at the same path (no symlink): refused too, until listed again.
      await rm(sub);
      await mkdir(sub);
      await listed(viewer, join(root, 'moved'), 901);
      await mkdir(join(root, 'other'));
      await fsp.rm(join(root, 'moved'), { recursive: true });
      await fsp.rename(join(root, 'other'), join(root, 'moved'));
      viewer.send({ op: 'mkdir', id: 3, dir: join(root, 'moved'), name: 'x' });
      expect(await viewer.next(3, 'error')).toMatchObject({ code: 'not_listed' });
      await listed(viewer, join(root, 'moved'), 902);
      viewer.send({ op: 'mkdir', id: 4, dir: join(root, 'moved'), name: 'x' });
      expect(await viewer.next(4, 'done')).toMatchObject({ path: join(root, 'moved', 'x') });
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('files channel: transfers ended while being set up', () => {
  it('a cancel during the set-up answers cancelled, leaves no file and frees the slot', async () => {
    const held = heldStatfs();
    const { viewer, partials } = await rig({
      fs: held.fs,
      config: { maxUploadBytes: 64 * MIB, maxTransfers: 1 },
    });
    await listed(viewer, root);
    viewer.send({
      op: 'upload',
      id: 1,
      dir: root,
      name: 'c.bin',
      size: 10,
      overwrite: false,
      resumeKey: 'key-setup-cancel-0001',
    });
    await held.reached;
    viewer.send({ op: 'cancel', id: 1 });
    // Answered after the cancel was taken in (frames are read in order).
    await viewer.places(2);
    held.release();
    expect(await viewer.outcome(1, 'upload_ready')).toMatchObject({ type: 'error', code: 'cancelled' });
    expect(await readdir(root)).toEqual([]);
    expect(partials.size).toBe(0);
    const again = await viewer.upload(3, root, 'd.bin', Buffer.from('0123456789'));
    expect(again.end).toMatchObject({ type: 'done' });
  });

  it('a channel closing during the set-up opens no file and registers nothing', async () => {
    const held = heldStatfs();
    const opened: string[] = [];
    const fs: FilesFs = {
      ...held.fs,
      open: (...args: Parameters<typeof fsp.open>) => {
        opened.push(String(args[0]));
        return fsp.open(...args);
      },
    };
    const { viewer, channel, partials, viewerWs } = await rig({ fs });
    await listed(viewer, root);
    viewer.send({
      op: 'upload',
      id: 1,
      dir: root,
      name: 'z.bin',
      size: 10,
      overwrite: false,
      resumeKey: 'key-setup-closed-0001',
    });
    await held.reached;
    viewerWs.terminate();
    await channel.ended;
    held.release();
    await channel.settled();
    // The set-up's next steps would follow within a few file system round trips: give it many.
    for (let i = 0; i < 100 && opened.length === 0; i++) await fsp.stat(root);
    expect(opened).toEqual([]);
    expect(await readdir(root)).toEqual([]);
    expect(partials.size).toBe(0);
  });
});

describe('files config', () => {
  it('reads agent.json over the environment, with defaults and bounds', () => {
    expect(filesConfig({}, {})).toEqual({ maxUploadBytes: 2048 * MIB, maxTransfers: 4 });
    expect(filesConfig({}, { FILES_MAX_UPLOAD_MB: '10', FILES_MAX_TRANSFERS: '2' })).toEqual({
      maxUploadBytes: 10 * MIB,
      maxTransfers: 2,
    });
    expect(filesConfig({ maxUploadMb: 5 }, { FILES_MAX_UPLOAD_MB: '10' }).maxUploadBytes).toBe(5 * MIB);
    const warnings: string[] = [];
    expect(
      filesConfig({}, { FILES_MAX_UPLOAD_MB: 'lots', FILES_MAX_TRANSFERS: '9' }, (w) => warnings.push(w)),
    ).toEqual({
      maxUploadBytes: 2048 * MIB,
      maxTransfers: 4,
    });
    expect(warnings).toHaveLength(2);
  });

  it('names temporary files within 255 bytes', () => {
    expect(partialName('a.txt', 'k'.repeat(16))).toBe(`.a.txt.${'k'.repeat(16)}.qspart`);
    expect(Buffer.byteLength(partialName('é'.repeat(200), 'k'.repeat(64)))).toBeLessThanOrEqual(255);
  });
});
