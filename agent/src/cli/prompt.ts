import { createInterface } from 'node:readline';

/**
 * Asks the person at the keyboard a yes/no question on the terminal; anything but yes, no terminal,
 * or no answer within `timeoutMs` counts as no.
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

/** One answer per agent run: the first screen channel asks, later ones reuse the answer. */
export function vncOffer(preset: boolean | undefined, ask: () => Promise<boolean>): () => Promise<boolean> {
  let answer: Promise<boolean> | undefined = preset === undefined ? undefined : Promise.resolve(preset);
  return () => (answer ??= ask());
}
