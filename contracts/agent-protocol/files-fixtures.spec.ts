import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROTOCOL_FIXTURES } from '../../test/support/protocol-fixtures';
import { FILES_OPS, isNewFileName, parseFilesReply, parseFilesRequest } from './files-frames';

/**
 * docs/fixtures/files/: a body for every frame of the files channel (docs/protocol.md § Files), kept in
 * their own folder because they are channel frames, not control messages (whose fixtures are found by
 * `type`). Requests (`files_request_*`) go through the agent's parser, replies through the viewer's.
 */
const DIR = join(PROTOCOL_FIXTURES, 'files');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const load = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Record<string, unknown>;
const REPLY_TYPES = [
  'places',
  'listing',
  'download_start',
  'download_end',
  'upload_ready',
  'ack',
  'done',
  'error',
];

describe('files channel fixtures', () => {
  it('has a fixture for every operation and every reply', () => {
    const ops = new Set(files.filter((f) => f.startsWith('files_request_')).map((f) => load(f).op));
    const types = new Set(files.filter((f) => f.startsWith('files_reply_')).map((f) => load(f).type));
    for (const op of FILES_OPS) expect(ops).toContain(op);
    for (const type of REPLY_TYPES) expect(types).toContain(type);
  });

  it.each(files)('%s is named by side and parses to itself', (file) => {
    expect(file).toMatch(/^files_(request|reply)_[a-z_]+\.json$/);
    const body = load(file);
    const parse = file.startsWith('files_request_') ? parseFilesRequest : parseFilesReply;
    expect(parse(JSON.stringify(body))).toEqual({ ok: true, value: body });
  });

  /** Fields a frame may omit (or send as null); every other field is required. */
  const OPTIONAL: Record<string, string[]> = {
    listing: ['parent', 'truncated'],
    download_start: ['size'],
    done: ['bytes', 'sha256'],
  };
  const ENTRY_OPTIONAL = ['mode', 'target', 'targetKind'];

  it.each(files)('%s is refused when any required field is missing', (file) => {
    const body = load(file);
    const parse = file.startsWith('files_request_') ? parseFilesRequest : parseFilesReply;
    const optional = OPTIONAL[(body.type ?? body.op) as string] ?? [];
    for (const key of Object.keys(body).filter((k) => !optional.includes(k))) {
      const copy = { ...body };
      delete copy[key];
      expect({ key, ok: parse(copy).ok }).toEqual({ key, ok: false });
    }
    if (body.type === 'listing') {
      const entries = body.entries as Record<string, unknown>[];
      for (const key of Object.keys(entries[0]).filter((k) => !ENTRY_OPTIONAL.includes(k))) {
        const entry = { ...entries[0] };
        delete entry[key];
        expect({ key, ok: parse({ ...body, entries: [entry] }).ok }).toEqual({ key, ok: false });
      }
    }
  });

  it('refuses a path with a NUL byte and a name that is not one plain name', () => {
    const upload = load('files_request_upload.json');
    for (const name of ['..', '.', 'a/b', 'a\\b', 'x\u0000y', '']) {
      const result = parseFilesRequest(JSON.stringify({ ...upload, name }));
      expect(result.ok).toBe(false);
    }
    expect(parseFilesRequest(JSON.stringify({ ...upload, dir: '/home/\u0000' })).ok).toBe(false);
  });

  it('creates only names valid on every system, and still names existing entries that are not', () => {
    const upload = load('files_request_upload.json');
    const refused = [
      'a:b',
      'a*',
      'a?',
      'a"b',
      'a<b',
      'a>b',
      'a|b',
      'x\u007f',
      'x\u0085',
      'x\u009f',
      'dot.',
      'space ',
      'CON',
      'con',
      'nul.txt',
      'Com1',
      'LPT9.log',
      'aux.tar.gz',
    ];
    for (const name of refused) {
      expect({ name, ok: parseFilesRequest(JSON.stringify({ ...upload, name })).ok }).toEqual({
        name,
        ok: false,
      });
      expect({ name, ok: isNewFileName(name) }).toEqual({ name, ok: false });
      const mkdir = { op: 'mkdir', id: 2, dir: '/home/a', name };
      expect(parseFilesRequest(JSON.stringify(mkdir)).ok).toBe(false);
      const rename = { op: 'rename', id: 3, dir: '/home/a', name: 'ok', to: name };
      expect(parseFilesRequest(JSON.stringify(rename)).ok).toBe(false);
      // An existing file with such a name can still be fetched or removed.
      expect(parseFilesRequest(JSON.stringify({ op: 'delete', id: 4, dir: '/home/a', name })).ok).toBe(true);
      expect(parseFilesRequest(JSON.stringify({ op: 'download', id: 5, dir: '/home/a', name })).ok).toBe(
        true,
      );
    }
    for (const name of ['console', 'COM10', 'nul_file', 'a.b', '.hidden', 'résumé 2.pdf', 'CON-notes'])
      expect({ name, ok: isNewFileName(name) }).toEqual({ name, ok: true });
  });
});
