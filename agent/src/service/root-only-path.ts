import { existsSync, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A file the root service would run or read lies on a path someone other than root could change. */
export class UnsafeInstallPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeInstallPathError';
  }
}

const STICKY = 0o1000;

/** The accounts trusted to own what root runs: root, and the installing account itself (packaging into a prefix). */
function trustedOwners(): Set<number> {
  const own = typeof process.getuid === 'function' ? process.getuid() : 0;
  return new Set([0, own]);
}

/**
 * Why someone other than root could change what `stats` names, or undefined when nobody can. A
 * symbolic link's own mode means nothing (the folder holding it is checked). A root-owned folder with
 * the sticky bit (like /tmp) is safe: others may add entries there but cannot rename or remove ours.
 */
export function looseness(
  stats: Pick<Stats, 'uid' | 'mode' | 'isDirectory' | 'isSymbolicLink'>,
  owners = trustedOwners(),
): string | undefined {
  if (stats.isSymbolicLink()) return undefined;
  if (!owners.has(stats.uid)) return `owned by user id ${stats.uid}, not by root`;
  if ((stats.mode & 0o022) === 0) return undefined;
  if (stats.isDirectory() && (stats.mode & STICKY) !== 0 && stats.uid === 0) return undefined;
  return (stats.mode & 0o002) !== 0 ? 'writable by every user' : 'writable by its group';
}

/** Every path from / down to `path` itself. */
function fromRoot(path: string): string[] {
  const out: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    out.unshift(p);
    if (dirname(p) === p) return out;
  }
}

/**
 * Refuses (throws UnsafeInstallPathError) unless `path` and every folder above it, both as written
 * and after resolving symbolic links, is owned by root and not writable by group or others: root
 * will run or read it at every start, so anyone who could swap it would become root.
 */
export function assertRootOnlyPath(path: string, what: string, shown = path): void {
  const checks: Array<[string, Stats]> = [
    ...fromRoot(path).map((p): [string, Stats] => [p, lstatSync(p)]),
    ...fromRoot(realpathSync(path)).map((p): [string, Stats] => [p, statSync(p)]),
  ];
  for (const [p, stats] of checks) {
    const why = looseness(stats);
    if (why) {
      throw new UnsafeInstallPathError(
        `Not installed: the service would run ${what} (${shown}) as root, but ${p} is ${why}. ` +
          'Every folder on that path must be owned by root and not writable by group or others (chmod go-w); fix it, then run the installer again.',
      );
    }
  }
}

/** The same check on the deepest part of `path` that exists already (before anything is written there). */
export function assertRootOnlyAncestors(path: string, what: string): void {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  assertRootOnlyPath(p, what, path);
}
