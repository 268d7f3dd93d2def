import { EventEmitter } from 'node:events';
import { ConsoleKeys, type KeyboardInput } from '../cli/console-keys';
import { KillSwitch } from '../core/kill-switch';
import { setConsoleLanguage } from '../i18n/console-text';
import { askFirst } from './ask-first';
import type { ConsentQuestion } from './consent-types';
import { TerminalPrompter } from './terminal-prompter';

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
  const interrupt = jest.fn();
  const keys = new ConsoleKeys(terminal, { toggleKillSwitch: () => kill.toggle(), interrupt });
  keys.start();
  const out: string[] = [];
  const prompter = new TerminalPrompter(keys, (text) => out.push(text), 'KW Group');
  return { terminal, kill, interrupt, keys, out, prompter };
}

function question(overrides: Partial<ConsentQuestion> = {}): ConsentQuestion {
  return {
    promptId: 'p1',
    sessionId: 's1',
    channel: 'screen',
    technician: 'Alex',
    organisation: 'Acme',
    reason: 'printer offline',
    timeoutMs: 24_000,
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('TerminalPrompter', () => {
  it('asks in one line naming who, from where, what, the reason, the keys and the time left', async () => {
    const { terminal, out, prompter } = setup();
    const answer = prompter.ask(question());
    expect(out).toEqual([
      '[KW Group] Alex from Acme wants to see your screen and use your mouse and keyboard. Reason they gave: "printer offline". Press Y to allow once, A to allow for this session, V for view only, N to deny (N in 24 s).\n',
    ]);
    terminal.press('V');
    await expect(answer).resolves.toBe('view_only');
    expect(out[1]).toBe('[KW Group] Allowed to view only: no mouse, keyboard or clipboard.\n');
  });

  it('asks in the customer’s language; the keys stay the same letters', async () => {
    setConsoleLanguage('de');
    try {
      const { terminal, out, prompter } = setup();
      const answer = prompter.ask(question());
      expect(out).toEqual([
        '[KW Group] Alex von Acme möchte Ihren Bildschirm sehen und Ihre Maus und Tastatur benutzen. Angegebener Grund: „printer offline“. Drücken Sie Y, um einmal zu erlauben, A, um es für diese Sitzung zu erlauben, V für nur ansehen, N zum Ablehnen (N in 24 s).\n',
      ]);
      terminal.press('n');
      await expect(answer).resolves.toBe('deny');
      expect(out[1]).toBe('[KW Group] Abgelehnt.\n');
    } finally {
      setConsoleLanguage('en');
    }
  });

  it.each([
    ['y', 'allow'],
    ['A', 'allow_session'],
    ['n', 'deny'],
  ])('key %s answers %s; V is not offered for a terminal', async (key, expected) => {
    const { terminal, out, prompter } = setup();
    const answer = prompter.ask(question({ channel: 'shell', reason: undefined }));
    expect(out[0]).toBe(
      '[KW Group] Alex from Acme wants to open a terminal on this computer. Press Y to allow once, A to allow for this session, N to deny (N in 24 s).\n',
    );
    terminal.press(`xv${key}`);
    await expect(answer).resolves.toBe(expected);
  });

  it('K keeps toggling the kill switch and Ctrl-C still ends while a question waits', async () => {
    const { terminal, kill, interrupt, prompter } = setup();
    const answer = prompter.ask(question());
    terminal.press('k');
    expect(kill.on).toBe(true);
    terminal.press('\u0003');
    expect(interrupt).toHaveBeenCalledTimes(1);
    terminal.press('n');
    await expect(answer).resolves.toBe('deny');
  });

  it('questions asked together are shown one after the other', async () => {
    const { terminal, out, prompter } = setup();
    const screen = prompter.ask(question());
    const shell = prompter.ask(question({ channel: 'shell', promptId: 'p2' }));
    expect(out).toHaveLength(1);
    terminal.press('y');
    await expect(screen).resolves.toBe('allow');
    expect(out[2]).toContain('wants to open a terminal');
    terminal.press('n');
    await expect(shell).resolves.toBe('deny');
  });

  it('withdrawn (answered in the dialog): says so, and its keys are free again', async () => {
    const { terminal, out, prompter, keys } = setup();
    const channelKeys: string[] = [];
    keys.onChannelKey((key) => channelKeys.push(key));
    const abort = new AbortController();
    const answer = prompter.ask(question({ signal: abort.signal }));
    abort.abort();
    await expect(answer).resolves.toBe('deny');
    expect(out[1]).toBe('[KW Group] The question about your screen is closed.\n');
    terminal.press('v');
    expect(channelKeys).toEqual(['v']);
  });

  it('is unavailable without a terminal reading keys; askFirst then denies', async () => {
    const { prompter } = setup(false);
    await expect(prompter.ask(question())).resolves.toBe('unavailable');
    await expect(askFirst([prompter], question())).resolves.toBe('deny');
  });

  it('prints hostile names as one bounded line without control characters', () => {
    const { out, prompter } = setup();
    void prompter.ask(
      question({
        technician: `Eve\u001b[2J\r\nFake line\u202e`,
        organisation: 'A'.repeat(500),
        reason: `x\u0007${'r'.repeat(400)}`,
      }),
    );
    const line = out[0];
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(line).toContain('Eve [2J Fake line from');
    expect(line).toContain(`${'A'.repeat(79)}…`);
    expect(line.length).toBeLessThan(600);
  });
});
