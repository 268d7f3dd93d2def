import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * What the zenity dialogs share: finding the program, whether a desktop is there to show it on, and the
 * text rules of zenity 3.44 (Debian 12), checked by running it on Xvfb:
 * - `--text` of a question is shown without markup with `--no-markup`, but zenity passes it through
 *   `g_strcompress`, so a backslash must be doubled; the `# text` lines of `--progress` are set as plain
 *   text after the same `g_strcompress`.
 * - a button label's `_` marks its mnemonic (Alt+letter); an `--extra-button` prints its label, `_`
 *   included, on stdout and exits 1; Cancel, Escape and closing the window exit 1 with nothing printed;
 *   `--timeout` exits 5; no display also exits 1, with "cannot open display" on stderr.
 */
export type SpawnFn = (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export const defaultSpawn: SpawnFn = (file, args, options) => spawn(file, [...args], options);

/** The executable `name` on PATH, or undefined. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory: try the next one
    }
  }
  return undefined;
}

/** Whether a graphical session is there to show a window on. */
export function hasDesktop(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Text for zenity: its `g_strcompress` would eat single backslashes. (Control characters are already gone.) */
export function zenityText(text: string): string {
  return text.replace(/\\/g, '\\\\');
}

/** zenity could not reach a display (it exits 1, like Cancel, so stderr tells them apart). */
export function noDisplay(stderr: string): boolean {
  return /cannot open display/i.test(stderr);
}

/** A bounded collector for a child's output (a dialog prints a label, never megabytes). */
export function collect(stream: NodeJS.ReadableStream | null, max = 4096): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    if (text.length < max) text += chunk.slice(0, max - text.length);
  });
  return () => text;
}
