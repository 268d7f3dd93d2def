import type { FilesErrorCode } from '../../../contracts/agent-protocol/files-frames';

/** A failed operation: the stable code and the sentence a technician reads. */
export class FilesError extends Error {
  constructor(
    readonly code: FilesErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A device path inside a sentence: bounded (the sentence travels in a 500-character field). */
export function shown(path: string): string {
  const clean = path.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 300 ? `…${clean.slice(-299)}` : clean;
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
