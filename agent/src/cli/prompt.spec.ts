import { EventEmitter } from 'node:events';
import { KillSwitch } from '../core/kill-switch';
import { ConsoleKeys, type KeyboardInput } from './console-keys';
import { askYesNoKey } from './prompt';

class FakeTerminal extends EventEmitter implements KeyboardInput {
  constructor(readonly isTTY: boolean) {
    super();
  }
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  press(keys: string): void {
    this.emit('data', Buffer.from(keys, 'utf8'));
  }
}

function setup(isTTY = true) {
  const terminal = new FakeTerminal(isTTY);
  const kill = new KillSwitch();
  const keys = new ConsoleKeys(terminal, { toggleKillSwitch: () => kill.toggle(), interrupt: jest.fn() });
  keys.start();
  const out: string[] = [];
  return { terminal, kill, keys, out, write: (text: string) => out.push(text) };
}

describe('askYesNoKey', () => {
  afterEach(() => jest.useRealTimers());

  it('Y answers yes; K still toggles the kill switch while it waits (a line-mode prompt swallowed it)', async () => {
    const { terminal, kill, keys, out, write } = setup();
    const answer = askYesNoKey(keys, write, 'Start screen sharing?', { timeoutMs: 30_000 });
    expect(out).toEqual(['Start screen sharing? Press Y for yes, N for no (no in 30 s).\n']);
    terminal.press('k');
    expect(kill.on).toBe(true);
    terminal.press('Y');
    await expect(answer).resolves.toBe(true);
  });

  it('N, a timeout, an abort and no terminal all count as no', async () => {
    const { terminal, keys, write } = setup();
    const no = askYesNoKey(keys, write, 'Q?');
    terminal.press('n');
    await expect(no).resolves.toBe(false);
    jest.useFakeTimers();
    const late = askYesNoKey(keys, write, 'Q?', { timeoutMs: 5_000 });
    jest.advanceTimersByTime(5_000);
    await expect(late).resolves.toBe(false);
    jest.useRealTimers();
    const abort = new AbortController();
    const aborted = askYesNoKey(keys, write, 'Q?', { signal: abort.signal });
    abort.abort();
    await expect(aborted).resolves.toBe(false);
    const pipe = setup(false);
    await expect(askYesNoKey(pipe.keys, pipe.write, 'Q?')).resolves.toBe(false);
  });
});
