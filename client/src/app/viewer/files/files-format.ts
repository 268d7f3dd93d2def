/*
 * How the Files tab writes sizes, speeds, times, permissions and paths, and how it sorts a listing.
 * Plain TypeScript without Angular, so the unit project tests it (test/unit/viewer-files.spec.ts).
 */
import {
  isNewFileName,
  type FilesEntry,
  type FilesEntryKind,
} from '../../../../../contracts/agent-protocol/files-frames';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** "0 B", "912 B", "1.5 KiB", "12 MiB", "3.25 GiB": three significant digits past bytes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${UNITS[unit]}`;
}

/** "12 MiB/s"; an em dash before there is a rate to show. */
export function formatSpeed(bytesPerSec: number | null): string {
  return bytesPerSec === null || !Number.isFinite(bytesPerSec) ? '—' : `${formatBytes(bytesPerSec)}/s`;
}

/** Time left in words: "less than a second", "42 s", "3 min 5 s", "1 h 02 min"; null → "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return 'less than a second';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const minutes = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h ${String(minutes).padStart(2, '0')} min`;
}

const KIND_CHAR: Record<FilesEntryKind, string> = { dir: 'd', symlink: 'l', file: '-', other: '?' };

/**
 * POSIX permissions as `ls -l` writes them after the type letter: `rwxr-xr-x`, with setuid/setgid
 * (`s`/`S`) and sticky (`t`/`T`). An empty string when the device reported none (Windows).
 */
export function formatPermissions(mode: number | undefined): string {
  if (mode === undefined) return '';
  const bit = (mask: number, char: string): string => (mode & mask ? char : '-');
  const special = (exec: number, flag: number, set: string): string => {
    if (mode & flag) return mode & exec ? set : set.toUpperCase();
    return mode & exec ? 'x' : '-';
  };
  return (
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't')
  );
}

/** `drwxr-xr-x` for a listing row (the type letter, then the permissions); '' without a mode. */
export function formatMode(kind: FilesEntryKind, mode: number | undefined): string {
  return mode === undefined ? '' : KIND_CHAR[kind] + formatPermissions(mode);
}

/** What a row's type column says. */
export function kindLabel(entry: FilesEntry): string {
  switch (entry.kind) {
    case 'dir':
      return 'Folder';
    case 'symlink':
      return entry.targetKind === 'dir'
        ? 'Link to folder'
        : entry.targetKind === 'file'
          ? 'Link to file'
          : 'Link';
    case 'other':
      return 'Other';
    case 'file': {
      const dot = entry.name.lastIndexOf('.');
      return dot > 0 && dot < entry.name.length - 1
        ? `${entry.name
            .slice(dot + 1)
            .toUpperCase()
            .slice(0, 10)} file`
        : 'File';
    }
  }
}

/** Whether a row opens as a folder (a folder, or a link to one). */
export function opensAsFolder(entry: FilesEntry): boolean {
  return entry.kind === 'dir' || (entry.kind === 'symlink' && entry.targetKind === 'dir');
}

export type FilesSortKey = 'name' | 'size' | 'mtime' | 'kind' | 'mode';
export interface FilesSort {
  key: FilesSortKey;
  direction: 'asc' | 'desc';
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * A sorted copy: folders (and links to them) first whatever the column, then by the column, then by
 * name, so equal sizes or dates keep a stable, readable order.
 */
export function sortEntries(entries: readonly FilesEntry[], sort: FilesSort): FilesEntry[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const byColumn = (a: FilesEntry, b: FilesEntry): number => {
    switch (sort.key) {
      case 'name':
        return 0;
      case 'size':
        return a.size - b.size;
      case 'mtime':
        return a.mtime - b.mtime;
      case 'kind':
        return collator.compare(kindLabel(a), kindLabel(b));
      case 'mode':
        return (a.mode ?? -1) - (b.mode ?? -1);
    }
  };
  return [...entries].sort((a, b) => {
    const folders = Number(opensAsFolder(b)) - Number(opensAsFolder(a));
    if (folders !== 0) return folders;
    const column = byColumn(a, b);
    if (column !== 0) return sign * column;
    return sign * collator.compare(a.name, b.name);
  });
}

export interface Crumb {
  /** What the crumb says ("/", "home", "C:\\"). */
  label: string;
  /** The absolute path it opens. */
  path: string;
}

/**
 * A path's breadcrumbs, root first. POSIX: "/", then each folder. Windows: the drive ("C:\\") or the
 * share ("\\\\server\\share"), then each folder.
 */
export function breadcrumbs(path: string, sep: '/' | '\\'): Crumb[] {
  if (sep === '/') {
    const parts = path.split('/').filter(Boolean);
    const crumbs: Crumb[] = [{ label: '/', path: '/' }];
    let at = '';
    for (const part of parts) {
      at += `/${part}`;
      crumbs.push({ label: part, path: at });
    }
    return crumbs;
  }
  const unc = /^\\\\[^\\]+\\[^\\]+/.exec(path);
  const drive = /^[A-Za-z]:/.exec(path);
  const root = unc ? unc[0] + '\\' : drive ? drive[0] + '\\' : '\\';
  const rest = path
    .slice(root.length - 1)
    .split('\\')
    .filter(Boolean);
  const crumbs: Crumb[] = [{ label: root, path: root }];
  let at = root;
  for (const part of rest) {
    at = at.endsWith('\\') ? at + part : `${at}\\${part}`;
    crumbs.push({ label: part, path: at });
  }
  return crumbs;
}

/** A file or folder name the agent would take, or why not, in words (null: fine). */
export function nameProblem(name: string): string | null {
  if (name.trim() === '') return 'Type a name.';
  if (name === '.' || name === '..') return 'A name cannot be "." or "..".';
  if (/[\\/]/.test(name)) return 'A name cannot contain / or \\: it names one item in this folder.';
  if (/[\u0000-\u001f]/.test(name)) return 'A name cannot contain control characters.';
  if (name.length > 255) return 'A name can be 255 characters at most.';
  if (!isNewFileName(name))
    return 'A name cannot contain : * ? " < > |, end with a dot or a space, or be a Windows device name (CON, NUL, COM1…): it must work on every system.';
  return null;
}

/**
 * The name a download is saved as in the browser: the name the technician clicked (never one the
 * device sends), with path separators, control characters and bidi controls (which can disguise an
 * extension) replaced, and no leading dots or trailing dots and spaces.
 */
export function browserSaveName(name: string): string {
  const safe = name
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  return safe === '' ? 'download' : safe;
}
