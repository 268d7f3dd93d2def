import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentOs } from '../../../contracts/agent-protocol/enums';
import { FILES_LIMITS, type FilesPlace } from '../../../contracts/agent-protocol/files-frames';
import type { FilesFs } from './files-fs';

const USER_FOLDERS = [
  { kind: 'desktop', label: 'Desktop', xdg: 'XDG_DESKTOP_DIR' },
  { kind: 'documents', label: 'Documents', xdg: 'XDG_DOCUMENTS_DIR' },
  { kind: 'downloads', label: 'Downloads', xdg: 'XDG_DOWNLOAD_DIR' },
] as const;

/** The user's folders as ~/.config/user-dirs.dirs names them (localised desktops), when it exists. */
async function xdgFolders(home: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let text: string;
  try {
    text = await readFile(join(home, '.config', 'user-dirs.dirs'), 'utf8');
  } catch {
    return found;
  }
  for (const line of text.slice(0, 16_384).split('\n')) {
    const m = /^(XDG_[A-Z]+_DIR)="(\$HOME\/[^"]*|\/[^"]*)"$/.exec(line.trim());
    if (m) found.set(m[1], m[2].replace(/^\$HOME/, home));
  }
  return found;
}

/** Drive letters whose root answers (C: … Z:; A: and B: are floppies that can stall), without extra tools. */
async function windowsDrives(fs: FilesFs): Promise<FilesPlace[]> {
  const letters = 'CDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
  const within = <T>(p: Promise<T>, ms: number): Promise<T | undefined> =>
    Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
  const answers = await Promise.all(
    letters.map((l) =>
      within(
        fs.stat(`${l}:\\`).then(
          (s) => s.isDirectory(),
          () => false,
        ),
        1500,
      ),
    ),
  );
  return letters
    .filter((_, i) => answers[i] === true)
    .map((l) => ({ kind: 'drive' as const, label: `${l}:`, path: `${l}:\\` }));
}

/**
 * The quick places the viewer shows: home, Desktop, Documents, Downloads, the temp folder, then `/` or
 * the drive letters. Each is a real path (symlinks resolved) that exists, so a later `dir` equals it.
 */
export async function quickPlaces(os: AgentOs, home: string, fs: FilesFs): Promise<FilesPlace[]> {
  const real = async (path: string): Promise<string | undefined> => {
    try {
      const resolved = await fs.realpath(path);
      return (await fs.stat(resolved)).isDirectory() ? resolved : undefined;
    } catch {
      return undefined;
    }
  };
  const xdg = os === 'linux' ? await xdgFolders(home) : new Map<string, string>();
  const candidates: { kind: FilesPlace['kind']; label: string; path: string }[] = [
    { kind: 'home', label: 'Home', path: home },
    ...USER_FOLDERS.map((f) => ({
      kind: f.kind,
      label: f.label,
      path: xdg.get(f.xdg) ?? join(home, f.label),
    })),
    { kind: 'temp', label: 'Temp', path: tmpdir() },
  ];
  const places: FilesPlace[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const path = await real(c.path);
    if (path === undefined || seen.has(path)) continue;
    seen.add(path);
    places.push({ kind: c.kind, label: c.label, path });
  }
  if (os === 'windows') places.push(...(await windowsDrives(fs)));
  else places.push({ kind: 'root', label: '/', path: '/' });
  return places.slice(0, FILES_LIMITS.maxPlaces);
}
