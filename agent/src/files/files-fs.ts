import * as fsp from 'node:fs/promises';

/**
 * The file system calls the files channel makes, in one object so a test can make one of them fail
 * the way the device would (the tests run as root, which no permission bit stops).
 */
export type FilesFs = Pick<
  typeof fsp,
  | 'lstat'
  | 'stat'
  | 'realpath'
  | 'opendir'
  | 'readlink'
  | 'mkdir'
  | 'rename'
  | 'rm'
  | 'open'
  | 'statfs'
  | 'unlink'
  | 'lchown'
>;

export const realFs: FilesFs = fsp;
