import { ConsoleKeys } from '../cli/console-keys';
import { askFirst } from '../consent/ask-first';
import { TerminalPrompter } from '../consent/terminal-prompter';

/**
 * A process for terminal-prompter.system-spec.ts, run on a real PTY: it reads keys from its terminal as
 * the quick-support agent does, asks one question, and prints what happened (KILL, INTERRUPT, ANSWER=…).
 */
const write = (text: string): void => void process.stdout.write(text);
const keys = new ConsoleKeys(process.stdin, {
  toggleKillSwitch: () => write('KILL\n'),
  interrupt: () => write('INTERRUPT\n'),
});
write(keys.start() ? 'KEYS\n' : 'NO-TERMINAL\n');
void askFirst([new TerminalPrompter(keys, write, 'Test')], {
  promptId: 'p1',
  sessionId: 's1',
  channel: process.argv[2] === 'shell' ? 'shell' : 'screen',
  technician: 'Alex',
  organisation: 'Acme',
  reason: 'printer',
  timeoutMs: 60_000,
  signal: new AbortController().signal,
}).then((answer) => {
  write(`ANSWER=${answer}\n`);
  keys.stop();
  process.exit(0);
});
