import { createInterface } from 'node:readline';
import type { ConsoleKeys } from './console-keys';

/**
 * Asks the person at the keyboard a yes/no question on the terminal; anything but yes, no terminal,
 * or no answer within `timeoutMs` counts as no.
 *
 * This one needs line mode: while it waits, K (kill switch) and Ctrl-C are swallowed by readline. Where
 * the console reads single keys, use {@link askYesNoKey} instead.
 */
export function askYesNo(question: string, timeoutMs = 60_000): Promise<boolean> {
  if (!process.stdin.isTTY) return Promise.resolve(false);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const timer = setTimeout(() => {
      rl.close();
      process.stdout.write('\n');
      resolve(false);
    }, timeoutMs);
    rl.question(`${question} [y/N] `, (answer) => {
      clearTimeout(timer);
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(answer));
    });
  });
}

/**
 * A yes/no question answered by a single key (Y or N) through the console's raw key reader, so K and
 * Ctrl-C keep working while it waits. No key reader, no answer within `timeoutMs`, or `signal` aborting
 * counts as no.
 */
export function askYesNoKey(
  keys: ConsoleKeys,
  write: (text: string) => void,
  question: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<boolean> {
  if (!keys.reading || options.signal?.aborted) return Promise.resolve(false);
  const seconds = Math.round((options.timeoutMs ?? 60_000) / 1000);
  write(`${question} Press Y for yes, N for no (no in ${seconds} s).\n`);
  return new Promise((resolve) => {
    const done = (answer: boolean): void => {
      clearTimeout(timer);
      release();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const onAbort = (): void => done(false);
    const release = keys.capture(['y', 'n'], (key) => done(key === 'y'));
    const timer = setTimeout(() => done(false), options.timeoutMs ?? 60_000);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One answer per agent run: the first screen channel asks, later ones reuse the answer. */
export function vncOffer(preset: boolean | undefined, ask: () => Promise<boolean>): () => Promise<boolean> {
  let answer: Promise<boolean> | undefined = preset === undefined ? undefined : Promise.resolve(preset);
  return () => (answer ??= ask());
}
