import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsafeInstallPathError, assertRootOnlyPath, looseness } from './root-only-path';

const entry = (uid: number, mode: number, kind: 'dir' | 'file' | 'link' = 'file') => ({
  uid,
  mode,
  isDirectory: () => kind === 'dir',
  isSymbolicLink: () => kind === 'link',
});
const ROOT_ONLY = new Set([0]);

describe('looseness', () => {
  it('accepts root-owned entries that only root can write', () => {
    expect(looseness(entry(0, 0o100755), ROOT_ONLY)).toBeUndefined();
    expect(looseness(entry(0, 0o40700, 'dir'), ROOT_ONLY)).toBeUndefined();
  });

  it('refuses another owner, group write and other write', () => {
    expect(looseness(entry(65534, 0o100755), ROOT_ONLY)).toBe('owned by user id 65534, not by root');
    expect(looseness(entry(0, 0o40775, 'dir'), ROOT_ONLY)).toBe('writable by its group');
    expect(looseness(entry(0, 0o100757), ROOT_ONLY)).toBe('writable by every user');
  });

  it('accepts a root-owned sticky folder like /tmp, but not a sticky file or a sticky folder someone else owns', () => {
    expect(looseness(entry(0, 0o41777, 'dir'), ROOT_ONLY)).toBeUndefined();
    expect(looseness(entry(0, 0o101777), ROOT_ONLY)).toBe('writable by every user');
    expect(looseness(entry(1000, 0o41777, 'dir'), new Set([0, 1000]))).toBe('writable by every user');
  });

  it('leaves a symbolic link itself to the folder that holds it', () => {
    expect(looseness(entry(1000, 0o120777, 'link'), ROOT_ONLY)).toBeUndefined();
  });
});

describe('assertRootOnlyPath (on real folders)', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'qs-root-only-'));
    mkdirSync(join(scratch, 'a', 'b'), { recursive: true, mode: 0o755 });
    writeFileSync(join(scratch, 'a', 'b', 'node'), 'x', { mode: 0o755 });
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes a path only its owner can change', () => {
    expect(() => assertRootOnlyPath(join(scratch, 'a', 'b', 'node'), 'the runtime')).not.toThrow();
  });

  it('names the group-writable folder in its refusal', () => {
    chmodSync(join(scratch, 'a'), 0o775);
    expect(() => assertRootOnlyPath(join(scratch, 'a', 'b', 'node'), 'the runtime')).toThrow(
      new UnsafeInstallPathError(
        `Not installed: the service would run the runtime (${join(scratch, 'a', 'b', 'node')}) as root, but ${join(scratch, 'a')} is writable by its group. ` +
          'Every folder on that path must be owned by root and not writable by group or others (chmod go-w); fix it, then run the installer again.',
      ),
    );
  });

  it('follows symbolic links: a link into a loose folder is refused', () => {
    const loose = join(scratch, 'loose');
    mkdirSync(loose, { mode: 0o777 });
    chmodSync(loose, 0o777);
    writeFileSync(join(loose, 'node'), 'x', { mode: 0o755 });
    symlinkSync(join(loose, 'node'), join(scratch, 'a', 'link'));
    expect(() => assertRootOnlyPath(join(scratch, 'a', 'link'), 'the runtime')).toThrow(
      `but ${loose} is writable by every user`,
    );
  });
});
