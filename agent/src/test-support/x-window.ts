import { execFile } from 'node:child_process';

/** xdotool on a test display: find a window by its exact title and press keys in it, as a person would. */
function xdotool(display: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('xdotool', args, { env: { ...process.env, DISPLAY: display }, timeout: 10_000 }, (err, stdout) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout }),
    );
  });
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The id of the (first) visible window titled exactly `title`, waiting up to `timeoutMs` for it to map. */
export async function waitForWindow(display: string, title: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await xdotool(display, ['search', '--onlyvisible', '--name', `^${escapeRegExp(title)}$`]);
    const id = found.stdout.trim().split('\n')[0];
    if (found.code === 0 && id) return id;
    if (Date.now() > deadline) throw new Error(`no window titled "${title}" appeared`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether a window titled `title` is mapped right now. */
export async function windowShown(display: string, title: string): Promise<boolean> {
  const found = await xdotool(display, ['search', '--onlyvisible', '--name', `^${escapeRegExp(title)}$`]);
  return found.code === 0 && found.stdout.trim() !== '';
}

/** Focuses the window and presses `keys` (xdotool key names, e.g. `alt+v`). */
export async function pressKeys(display: string, windowId: string, ...keys: string[]): Promise<void> {
  const focus = await xdotool(display, ['windowfocus', '--sync', windowId]);
  if (focus.code !== 0) throw new Error(`could not focus window ${windowId}`);
  const press = await xdotool(display, ['key', '--clearmodifiers', ...keys]);
  if (press.code !== 0) throw new Error(`xdotool key ${keys.join(' ')} failed`);
}
