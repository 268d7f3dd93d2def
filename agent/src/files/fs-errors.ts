import type { FilesErrorCode } from '../../../contracts/agent-protocol/files-frames';
import { hasUnsafeDisplayChars } from '../../../contracts/display-text';

/** A failed operation: the stable code and the sentence a technician reads. */
export class FilesError extends Error {
  constructor(
    readonly code: FilesErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** `value` with every character the viewer's display rule refuses (contracts/display-text.ts) as `?`. */
function displayable(value: string): string {
  return Array.from(value, (c) => (hasUnsafeDisplayChars(c) ? '?' : c)).join('');
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair. */
function bounded(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** A device path inside a sentence: displayable and bounded (the sentence travels in a 500-character field). */
export function shown(path: string): string {
  const clean = displayable(path);
  if (clean.length <= 300) return clean;
  const tail = clean.slice(-299);
  return `…${/^[\uDC00-\uDFFF]/.test(tail) ? tail.slice(1) : tail}`;
}

/** Any agent → viewer sentence as the viewer accepts it: 1–500 characters, none it would refuse to show. */
export function sentence(message: string): string {
  return bounded(displayable(message), 500) || 'The operation failed.';
}

/** Maps a Node file system error to the channel's code and a sentence naming `path`. */
export function fsError(err: unknown, path: string, doing = 'Could not access'): FilesError {
  if (err instanceof FilesError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = shown(path);
  switch (code ?? '') {
    case 'ENOENT':
      return new FilesError('not_found', `Not found: ${where}`);
    case 'EACCES':
    case 'EPERM':
      return new FilesError('permission_denied', `Permission denied: ${where}`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new FilesError('no_space', `Not enough space on the device for ${where}`);
    case 'EEXIST':
    case 'ENOTEMPTY':
      return new FilesError('exists', `Something named ${where} already exists.`);
    case 'ENOTDIR':
      return new FilesError('not_a_folder', `Not a folder: ${where}`);
    case 'ELOOP':
      return new FilesError('is_symlink', `Too many symbolic links in ${where}`);
    case 'EROFS':
      return new FilesError('permission_denied', `The device is read-only: ${where}`);
    case 'EBUSY':
      return new FilesError('io_error', `${where} is in use by another program.`);
    case 'ENAMETOOLONG':
      return new FilesError('bad_path', `The name is too long for the device: ${where}`);
    default:
      return new FilesError('io_error', `${doing} ${where}${code ? ` (${code})` : ''}.`);
  }
}
