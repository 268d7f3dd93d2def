import { sha256 } from '@noble/hashes/sha2.js';
import {
  encodeFilesData,
  FILES_LIMITS,
  parseFilesReply,
  type FilesEntry,
} from '../../contracts/agent-protocol/files-frames';
import {
  breadcrumbs,
  browserSaveName,
  formatBytes,
  formatDuration,
  formatMode,
  formatPermissions,
  formatSpeed,
  kindLabel,
  nameProblem,
  sortEntries,
} from '../../client/src/app/viewer/files/files-format';
import {
  FilesConnection,
  UNREADABLE_REPLY,
  unreadableReplyId,
} from '../../client/src/app/viewer/files/files-connection';
import {
  Download,
  START_RETRY_DELAYS_MS,
  Upload,
  type TransferSnapshot,
} from '../../client/src/app/viewer/files/files-transfers';
import {
  AckSchedule,
  CreditWindow,
  newResumeKey,
  OpIds,
  percent,
  ProgressMeter,
  toHex,
  type DownloadSink,
} from '../../client/src/app/viewer/files/transfer-flow';

const entry = (name: string, kind: FilesEntry['kind'], extra: Partial<FilesEntry> = {}): FilesEntry => ({
  name,
  kind,
  size: 0,
  mtime: 0,
  hidden: name.startsWith('.'),
  ...extra,
});

describe('Files tab formatting', () => {
  it('writes sizes in binary units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
    expect(formatBytes(256 * 1024 * 1024 + 1)).toBe('256 MiB');
    expect(formatBytes(3.25 * 1024 ** 3)).toBe('3.25 GiB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatSpeed(null)).toBe('—');
    expect(formatSpeed(12 * 1024 * 1024)).toBe('12 MiB/s');
  });

  it('writes time left in words', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(0.2)).toBe('less than a second');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
  });

  it('writes POSIX permissions as ls -l does, with the special bits', () => {
    expect(formatPermissions(0o755)).toBe('rwxr-xr-x');
    expect(formatPermissions(0o644)).toBe('rw-r--r--');
    expect(formatPermissions(0o4755)).toBe('rwsr-xr-x');
    expect(formatPermissions(0o2644)).toBe('rw-r-Sr--');
    expect(formatPermissions(0o1777)).toBe('rwxrwxrwt');
    expect(formatPermissions(0o1776)).toBe('rwxrwxrwT');
    expect(formatPermissions(undefined)).toBe('');
    expect(formatMode('dir', 0o755)).toBe('drwxr-xr-x');
    expect(formatMode('symlink', 0o777)).toBe('lrwxrwxrwx');
    expect(formatMode('file', undefined)).toBe('');
  });

  it('names the type of each row', () => {
    expect(kindLabel(entry('logs', 'dir'))).toBe('Folder');
    expect(kindLabel(entry('app.log', 'file'))).toBe('LOG file');
    expect(kindLabel(entry('Makefile', 'file'))).toBe('File');
    expect(kindLabel(entry('.bashrc', 'file'))).toBe('File');
    expect(kindLabel(entry('here', 'symlink', { targetKind: 'dir' }))).toBe('Link to folder');
    expect(kindLabel(entry('gone', 'symlink', { targetKind: 'other' }))).toBe('Link');
  });

  it('sorts folders first, then by the column, then by name (numbers in names by value)', () => {
    const list = [
      entry('b.txt', 'file', { size: 10, mtime: 3 }),
      entry('file10', 'file', { size: 5, mtime: 1 }),
      entry('file9', 'file', { size: 5, mtime: 2 }),
      entry('zeta', 'dir', { mtime: 9 }),
      entry('alpha', 'dir', { mtime: 1 }),
      entry('to-alpha', 'symlink', { targetKind: 'dir' }),
    ];
    const names = (key: 'name' | 'size' | 'mtime', direction: 'asc' | 'desc'): string[] =>
      sortEntries(list, { key, direction }).map((e) => e.name);
    expect(names('name', 'asc')).toEqual(['alpha', 'to-alpha', 'zeta', 'b.txt', 'file9', 'file10']);
    expect(names('name', 'desc')).toEqual(['zeta', 'to-alpha', 'alpha', 'file10', 'file9', 'b.txt']);
    expect(names('size', 'desc')).toEqual(['zeta', 'to-alpha', 'alpha', 'b.txt', 'file10', 'file9']);
    expect(names('mtime', 'asc')).toEqual(['to-alpha', 'alpha', 'zeta', 'file10', 'file9', 'b.txt']);
    // A copy: the listing as it arrived is kept.
    expect(list[0].name).toBe('b.txt');
  });

  it('sorts 10,000 entries quickly enough for a click', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => entry(`f${i}`, 'file', { size: i % 97 }));
    const started = performance.now();
    const sorted = sortEntries(many, { key: 'size', direction: 'desc' });
    expect(sorted).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('breaks POSIX and Windows paths into breadcrumbs', () => {
    expect(breadcrumbs('/', '/')).toEqual([{ label: '/', path: '/' }]);
    expect(breadcrumbs('/home/ann/logs', '/')).toEqual([
      { label: '/', path: '/' },
      { label: 'home', path: '/home' },
      { label: 'ann', path: '/home/ann' },
      { label: 'logs', path: '/home/ann/logs' },
    ]);
    expect(breadcrumbs('C:\\Users\\Ann', '\\')).toEqual([
      { label: 'C:\\', path: 'C:\\' },
      { label: 'Users', path: 'C:\\Users' },
      { label: 'Ann', path: 'C:\\Users\\Ann' },
    ]);
    expect(breadcrumbs('\\\\srv\\share\\docs', '\\').map((c) => c.path)).toEqual([
      '\\\\srv\\share\\',
      '\\\\srv\\share\\docs',
    ]);
  });

  it('refuses names that would reach outside the folder, before the device is asked', () => {
    expect(nameProblem('report.txt')).toBeNull();
    expect(nameProblem('..')).toMatch(/cannot be "\." or "\.\."/);
    expect(nameProblem('../../etc/passwd')).toMatch(/cannot contain \/ or \\/);
    expect(nameProblem('a\\b')).toMatch(/cannot contain/);
    expect(nameProblem('   ')).toBe('Type a name.');
    expect(nameProblem('x\u0000y')).toMatch(/control characters/);
    expect(nameProblem('x'.repeat(256))).toMatch(/255 characters/);
  });

  it('refuses, before the device is asked, names the device would not create on every system', () => {
    for (const name of ['notes:2026.txt', 'what?.txt', 'NUL.txt', 'com1', 'trailing.', 'trailing '])
      expect(nameProblem(name)).toMatch(/must work on every system/);
    expect(nameProblem('12-30 backup.log')).toBeNull();
  });
});

describe('Files tab transfer bookkeeping', () => {
  it('keeps at most a window of bytes beyond the last ack', () => {
    const w = new CreditWindow(0, 1000);
    expect(w.canSend(1000)).toBe(true);
    w.sentChunk(600);
    expect(w.credit).toBe(400);
    expect(w.canSend(500)).toBe(false);
    expect(w.ack(500)).toBe(true);
    expect(w.credit).toBe(900);
    // Backwards or beyond what was sent: not plausible, ignored.
    expect(w.ack(400)).toBe(false);
    expect(w.ack(700)).toBe(false);
    expect(w.acked).toBe(500);
  });

  it('counts a resumed upload from its offset, as the contract’s acks do', () => {
    const w = new CreditWindow(5_000_000);
    expect(w.credit).toBe(FILES_LIMITS.windowBytes);
    w.sentChunk(FILES_LIMITS.chunkBytes);
    expect(w.ack(5_000_000 + FILES_LIMITS.chunkBytes)).toBe(true);
  });

  it('acks every ackEveryBytes and at the end', () => {
    const acks = new AckSchedule(1000);
    expect(acks.due(400)).toBeNull();
    expect(acks.due(999)).toBeNull();
    expect(acks.due(1200)).toBe(1200);
    expect(acks.due(2100)).toBeNull();
    expect(acks.due(2250, true)).toBe(2250);
    expect(acks.due(2250, true)).toBeNull();
    expect(new AckSchedule().due(FILES_LIMITS.ackEveryBytes)).toBe(FILES_LIMITS.ackEveryBytes);
  });

  it('an ack schedule and a window together never stall a sender', () => {
    // The receiver acks at least every ackEveryBytes, which is below the window: the sender always
    // gets credit back before it runs dry.
    expect(FILES_LIMITS.ackEveryBytes).toBeLessThan(FILES_LIMITS.windowBytes);
    const w = new CreditWindow();
    const acks = new AckSchedule();
    let written = 0;
    for (let round = 0; round < 200; round++) {
      expect(w.canSend(FILES_LIMITS.chunkBytes)).toBe(true);
      w.sentChunk(FILES_LIMITS.chunkBytes);
      written += FILES_LIMITS.chunkBytes;
      const due = acks.due(written);
      if (due !== null) w.ack(due);
    }
  });

  it('measures speed over the last seconds and the time left from it', () => {
    const meter = new ProgressMeter(4000, 500);
    meter.record(0, 0);
    expect(meter.speed()).toBeNull();
    meter.record(1000, 10 * 1024 * 1024);
    expect(meter.speed()).toBe(10 * 1024 * 1024);
    expect(meter.secondsLeft(50 * 1024 * 1024)).toBe(4);
    expect(meter.secondsLeft(null)).toBeNull();
    // A stall shows once the old samples age out.
    for (let t = 2000; t <= 9000; t += 1000) meter.record(t, 10 * 1024 * 1024);
    expect(meter.speed()).toBe(0);
    expect(meter.secondsLeft(50 * 1024 * 1024)).toBeNull();
  });

  it('reports whole percents, unknown for a zip of unknown size', () => {
    expect(percent(0, 100)).toBe(0);
    expect(percent(999, 1000)).toBe(99);
    expect(percent(5, 0)).toBe(100);
    expect(percent(5, null)).toBeNull();
  });

  it('makes resume keys the agent accepts, and ids that stay positive', () => {
    const key = newResumeKey((b) => crypto.getRandomValues(b));
    expect(key).toMatch(FILES_LIMITS.resumeKeyPattern);
    expect(newResumeKey((b) => b.fill(255))).toMatch(FILES_LIMITS.resumeKeyPattern);
    const ids = new OpIds();
    expect([ids.next(), ids.next()]).toEqual([1, 2]);
  });

  it('hashes in pieces to the same SHA-256 as in one go (the resumed upload hashes its prefix first)', () => {
    const data = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31 + 7) & 255);
    const whole = toHex(sha256(data));
    const pieces = sha256.create();
    for (let at = 0; at < data.length; at += 256 * 1024) pieces.update(data.subarray(at, at + 256 * 1024));
    expect(toHex(pieces.digest())).toBe(whole);
    expect(whole).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** A socket the connection can use: open, recording what it sends, receiving what the test says. */
class FakeSocket extends EventTarget {
  readonly readyState = 1;
  readonly bufferedAmount = 0;
  readonly sent: string[] = [];
  send(data: string | Uint8Array): void {
    if (typeof data === 'string') this.sent.push(data);
  }
  receive(text: string): void {
    this.dispatchEvent(new MessageEvent('message', { data: text }));
  }
}

const connectionOver = (socket: FakeSocket): FilesConnection =>
  new FilesConnection(socket as unknown as WebSocket);

describe('Files connection: replies the viewer cannot read', () => {
  it('reads the id of an unreadable reply only from a JSON object with a valid integer id', () => {
    expect(unreadableReplyId('{"type":"error","id":7,"code":"bad_path","message":"a\\u202eb"}')).toBe(7);
    expect(unreadableReplyId('{"id":7.5}')).toBeNull();
    expect(unreadableReplyId('{"id":0}')).toBeNull();
    expect(unreadableReplyId(`{"id":${2 ** 31}}`)).toBeNull();
    expect(unreadableReplyId('{"id":"7"}')).toBeNull();
    expect(unreadableReplyId('[7]')).toBeNull();
    expect(unreadableReplyId('not json')).toBeNull();
  });

  it('fails the operation a reply was for, with a sentence, instead of waiting forever', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const socket = new FakeSocket();
    const conn = connectionOver(socket);
    const asked = conn.ask({ op: 'mkdir', dir: '/tmp', name: 'x' });
    const { id } = JSON.parse(socket.sent[0]) as { id: number };
    // An error sentence with a bidi override: the reply parser refuses it.
    socket.receive(JSON.stringify({ type: 'error', id, code: 'exists', message: 'evil\u202etxt.exe' }));
    await expect(asked).rejects.toMatchObject({ code: 'bad_frame', message: UNREADABLE_REPLY });

    const listing = conn.list('/tmp', () => undefined);
    socket.receive(JSON.stringify({ type: 'listing', id: listing.id, entries: 'nonsense' }));
    await expect(listing.done).rejects.toMatchObject({ code: 'bad_frame' });
    jest.restoreAllMocks();
  });
});

describe('Files upload cancelled while disconnected', () => {
  const cancelledUpload = (): { upload: Upload; messages: string[] } => {
    const messages: string[] = [];
    const upload = new Upload(
      new File(['hello'], 'a.txt'),
      '/tmp',
      (s) => messages.push(s.message),
      () => Promise.resolve(false),
      () => undefined,
    );
    upload.discardPending = true;
    return { upload, messages };
  };

  it('says nothing was kept only when the device confirms the part is gone', () => {
    const socket = new FakeSocket();
    const conn = connectionOver(socket);
    const { upload, messages } = cancelledUpload();
    upload.discardKept(conn);
    const { id, op, resumeKey } = JSON.parse(socket.sent[0]) as { id: number; op: string; resumeKey: string };
    expect({ op, resumeKey }).toEqual({ op: 'upload', resumeKey: upload.resumeKey });
    socket.receive(JSON.stringify({ type: 'upload_ready', id, offset: 3 }));
    expect(JSON.parse(socket.sent[1])).toEqual({ op: 'cancel', id });
    expect(messages).toEqual([]);
    socket.receive(
      JSON.stringify({ type: 'error', id, code: 'cancelled', message: 'The upload was cancelled.' }),
    );
    expect(messages.at(-1)).toBe('Cancelled. Nothing was kept on the device.');
  });

  it('says the device keeps the part until the session ends when it refuses', () => {
    const socket = new FakeSocket();
    const conn = connectionOver(socket);
    const { upload, messages } = cancelledUpload();
    upload.discardKept(conn);
    const { id } = JSON.parse(socket.sent[0]) as { id: number };
    socket.receive(
      JSON.stringify({ type: 'error', id, code: 'not_listed', message: 'List the folder first.' }),
    );
    expect(messages.at(-1)).toBe('Cancelled. The device keeps the part it received until the session ends.');
    expect(socket.sent).toHaveLength(1);
  });
});

describe('Files download save name', () => {
  it('keeps names a browser saves as they are and neutralises the rest', () => {
    expect(browserSaveName('report 2026.pdf')).toBe('report 2026.pdf');
    expect(browserSaveName('logs.zip')).toBe('logs.zip');
    expect(browserSaveName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(browserSaveName('a\\b:c')).toBe('a_b_c');
    expect(browserSaveName('invoice\u202etxt.exe')).toBe('invoice_txt.exe');
    expect(browserSaveName('bell\u0007\u0085.txt')).toBe('bell__.txt');
    expect(browserSaveName('.bashrc')).toBe('bashrc');
    expect(browserSaveName('name. ')).toBe('name');
    expect(browserSaveName('...')).toBe('download');
  });

  it('saves as the name the technician clicked, whatever name the device announces', async () => {
    const socket = new FakeSocket();
    const conn = connectionOver(socket);
    const opened: string[] = [];
    const written: Uint8Array[] = [];
    const sink: DownloadSink = {
      kind: 'browser',
      write: (chunk) => {
        written.push(chunk);
        return Promise.resolve();
      },
      finish: () => Promise.resolve(),
      abort: () => Promise.resolve(),
    };
    const states: TransferSnapshot[] = [];
    const download = new Download(
      '/var/log',
      'log.txt',
      'log.txt',
      (saveAs) => {
        opened.push(saveAs);
        return Promise.resolve(sink);
      },
      (s) => states.push(s),
    );
    download.start(conn);
    const { id } = JSON.parse(socket.sent[0]) as { id: number };
    socket.receive(JSON.stringify({ type: 'download_start', id, name: 'setup.exe', size: 2, zip: false }));
    socket.dispatchEvent(
      new MessageEvent('message', { data: encodeFilesData(id, new Uint8Array([1, 2])).buffer }),
    );
    const sum = toHex(sha256(new Uint8Array([1, 2])));
    socket.receive(JSON.stringify({ type: 'download_end', id, bytes: 2, sha256: sum }));
    await waitFor(
      () => states.at(-1)?.status === 'verified',
      () => JSON.stringify(states.at(-1)),
    );
    expect(opened).toEqual(['log.txt']);
    expect(states.map((s) => s.name)).not.toContain('setup.exe');
  });
});

async function waitFor(test: () => boolean, what: () => string = () => ''): Promise<void> {
  for (let i = 0; i < 800 && !test(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!test()) throw new Error(`Still waiting: ${what()}`);
}

describe('Files: what a device that breaks the contract cannot do to the viewer', () => {
  it('fails a download whose sender ignores the window, and tells the device to cancel', async () => {
    const socket = new FakeSocket();
    const conn = connectionOver(socket);
    // A slow disk: nothing is written (so nothing acked) while the device keeps sending.
    const sink: DownloadSink = {
      kind: 'browser',
      write: () => new Promise<void>(() => undefined),
      finish: () => Promise.resolve(),
      abort: () => Promise.resolve(),
    };
    const states: TransferSnapshot[] = [];
    const download = new Download(
      '/tmp',
      'big',
      'big',
      () => Promise.resolve(sink),
      (s) => states.push(s),
    );
    download.start(conn);
    const { id } = JSON.parse(socket.sent[0]) as { id: number };
    socket.receive(JSON.stringify({ type: 'download_start', id, name: 'big', size: null, zip: false }));
    const chunk = encodeFilesData(id, new Uint8Array(FILES_LIMITS.chunkBytes)).buffer;
    const withinWindow = FILES_LIMITS.windowBytes / FILES_LIMITS.chunkBytes + 1;
    for (let i = 0; i < withinWindow; i++) socket.dispatchEvent(new MessageEvent('message', { data: chunk }));
    expect(states.at(-1)?.status).toBe('running');
    socket.dispatchEvent(new MessageEvent('message', { data: chunk }));
    await waitFor(() => states.at(-1)?.status === 'failed');
    expect(states.at(-1)?.message).toContain('(window_exceeded)');
    expect(socket.sent.map((s) => JSON.parse(s) as unknown)).toContainEqual({ op: 'cancel', id });
  });

  it('stops a listing at maxListEntries and marks it truncated', async () => {
    const socket = new FakeSocket();
    const conn = connectionOver(socket);
    let shown = 0;
    const listing = conn.list('/big', (page) => (shown += page.entries.length));
    const entries = Array.from({ length: FILES_LIMITS.listPageEntries }, (_, i) => ({
      name: `f${i}`,
      kind: 'file',
      size: 1,
      mtime: 0,
      hidden: false,
    }));
    const page = JSON.stringify({
      type: 'listing',
      id: listing.id,
      path: '/big',
      parent: '/',
      entries,
      done: false,
    });
    const pages = FILES_LIMITS.maxListEntries / FILES_LIMITS.listPageEntries + 3;
    for (let i = 0; i < pages; i++) socket.receive(page);
    const last = await listing.done;
    expect(shown).toBe(FILES_LIMITS.maxListEntries);
    expect(last).toMatchObject({ done: true, truncated: true });
  });
});

describe('Files upload resumed right after a reconnect', () => {
  it('tries again a few times while the device still runs it for the old connection, then fails', async () => {
    const socket = new FakeSocket();
    const conn = connectionOver(socket);
    const states: TransferSnapshot[] = [];
    const upload = new Upload(
      new File(['hello'], 'a.txt'),
      '/tmp',
      (s) => states.push(s),
      () => Promise.resolve(false),
      () => undefined,
    );
    upload.start(conn);
    const busy = 'This upload is already running on another connection.';
    for (let tries = 1; tries <= START_RETRY_DELAYS_MS.length + 1; tries++) {
      await waitFor(
        () => socket.sent.length === tries,
        () => `${socket.sent.length} frames`,
      );
      const { id, resumeKey } = JSON.parse(socket.sent[tries - 1]) as { id: number; resumeKey: string };
      expect(resumeKey).toBe(upload.resumeKey);
      expect(upload.status).toBe('starting');
      socket.receive(JSON.stringify({ type: 'error', id, code: 'bad_offset', message: busy }));
    }
    await waitFor(() => upload.status === 'failed');
    expect(states.at(-1)?.message).toBe(`${busy} (bad_offset)`);
    expect(socket.sent).toHaveLength(START_RETRY_DELAYS_MS.length + 1);
  });
});

describe('Files contract: download_start names', () => {
  it('takes the zip of a folder whose name is as long as names get', () => {
    const start = (name: string): boolean =>
      parseFilesReply(JSON.stringify({ type: 'download_start', id: 1, name, size: null, zip: true })).ok;
    expect(start(`${'n'.repeat(FILES_LIMITS.maxNameChars)}.zip`)).toBe(true);
    expect(start(`${'n'.repeat(FILES_LIMITS.maxNameChars + 1)}.zip`)).toBe(false);
  });
});
