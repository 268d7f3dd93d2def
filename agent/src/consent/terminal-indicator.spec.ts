import { EventEmitter } from 'node:events';
import { ConsoleKeys, type KeyboardInput } from '../cli/console-keys';
import { StatusLine } from '../core/status-line';
import type { IndicatorActions, IndicatorState } from './consent-types';
import { TerminalIndicator } from './terminal-indicator';

class FakeTerminal extends EventEmitter implements KeyboardInput {
  readonly isTTY = true;
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  press(keys: string): void {
    this.emit('data', Buffer.from(keys, 'utf8'));
  }
}

const SINCE = new Date('2026-12-03T09:00:00Z');

function setup() {
  const lines: string[] = [];
  let now = new Date(SINCE);
  const status = new StatusLine(
    'KW Group',
    (line) => lines.push(line),
    () => now,
  );
  const terminal = new FakeTerminal();
  const keys = new ConsoleKeys(terminal, { toggleKillSwitch: jest.fn(), interrupt: jest.fn() });
  keys.start();
  status.enableKillSwitchKey();
  const actions: jest.Mocked<IndicatorActions> = {
    endNow: jest.fn(),
    stopChannel: jest.fn(),
    setScreenMode: jest.fn(),
  };
  let tick: (() => void) | undefined;
  const cancel = jest.fn();
  const indicator = new TerminalIndicator(status, actions, {
    keys,
    every: (ms, fn) => {
      expect(ms).toBe(60_000);
      tick = fn;
      return { cancel };
    },
  });
  status.update({ connection: 'connected', technician: 'Alex', channels: ['screen'], killSwitch: false });
  return {
    lines,
    terminal,
    actions,
    indicator,
    cancel,
    tick: () => tick?.(),
    setNow: (at: Date) => (now = at),
  };
}

const STATE: IndicatorState = {
  technician: 'Alex',
  organisation: 'Acme',
  capabilities: ['view', 'control', 'terminal'],
  since: SINCE,
};

describe('TerminalIndicator', () => {
  it('names who, from where, what they can do, for how long, and the keys that apply', () => {
    const { lines, indicator } = setup();
    indicator.show(STATE);
    expect(lines.at(-1)).toBe(
      '[KW Group] Alex from Acme can see your screen, control your mouse and keyboard and use a terminal (for less than a minute). Press V for view only, S to stop sharing the screen, T to close the terminal, K to switch remote control off, Ctrl-C to end the session.\n',
    );
    indicator.show({ ...STATE, capabilities: ['view', 'commands'] });
    expect(lines.at(-1)).toBe(
      '[KW Group] Alex from Acme can see your screen and run commands (for less than a minute). Press V to allow control, S to stop sharing the screen, R to stop running commands, K to switch remote control off, Ctrl-C to end the session.\n',
    );
  });

  it('updates the elapsed time on the minute tick, printing only when the minutes change', () => {
    const { lines, indicator, tick, setNow } = setup();
    indicator.show(STATE);
    const printed = lines.length;
    setNow(new Date(SINCE.getTime() + 59_000));
    tick();
    expect(lines).toHaveLength(printed);
    setNow(new Date(SINCE.getTime() + 12 * 60_000 + 5_000));
    tick();
    expect(lines).toHaveLength(printed + 1);
    expect(lines.at(-1)).toContain('(for 12 minutes)');
    setNow(new Date(SINCE.getTime() + 125 * 60_000));
    tick();
    expect(lines.at(-1)).toContain('(for 2 h 05 min)');
  });

  it('the channel keys act on what is open, through IndicatorActions', () => {
    const { terminal, actions, indicator } = setup();
    terminal.press('v');
    expect(actions.setScreenMode).not.toHaveBeenCalled(); // nothing open yet
    indicator.show(STATE);
    terminal.press('v');
    expect(actions.setScreenMode).toHaveBeenLastCalledWith('view_only');
    indicator.show({ ...STATE, capabilities: ['view', 'terminal'] });
    terminal.press('V');
    expect(actions.setScreenMode).toHaveBeenLastCalledWith('control');
    terminal.press('s');
    expect(actions.stopChannel).toHaveBeenLastCalledWith('screen');
    terminal.press('t');
    expect(actions.stopChannel).toHaveBeenLastCalledWith('shell');
    terminal.press('r');
    expect(actions.stopChannel).toHaveBeenCalledTimes(2); // no commands open
    terminal.press('f');
    expect(actions.stopChannel).toHaveBeenCalledTimes(2); // no file transfer open
    expect(actions.endNow).not.toHaveBeenCalled();
  });

  it('names file transfer and its F key, which stops the files channel', () => {
    const { lines, terminal, actions, indicator } = setup();
    indicator.show({ ...STATE, capabilities: ['files'] });
    expect(lines.at(-1)).toBe(
      '[KW Group] Alex from Acme can transfer files (for less than a minute). Press F to stop file transfer, K to switch remote control off, Ctrl-C to end the session.\n',
    );
    terminal.press('f');
    expect(actions.stopChannel).toHaveBeenLastCalledWith('files');
  });

  it('hides with nothing open (back to the plain line) and stops its timer when closed', () => {
    const { lines, indicator, cancel, terminal, actions } = setup();
    indicator.show(STATE);
    indicator.show({ ...STATE, capabilities: [] });
    expect(cancel).toHaveBeenCalled();
    expect(lines.at(-1)).toBe(
      '[KW Group] Technician Alex is connected (your screen). Press K to switch remote control off, Ctrl-C to end the session.\n',
    );
    indicator.show(STATE);
    indicator.close();
    terminal.press('s');
    expect(actions.stopChannel).not.toHaveBeenCalled();
  });

  it('escapes hostile names: one printable, bounded line', () => {
    const { lines, indicator } = setup();
    indicator.show({ ...STATE, technician: 'Eve\u001b]0;pwned\u0007\r\n', organisation: 'B'.repeat(300) });
    const line = lines.at(-1) as string;
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(line).toContain(`Eve ]0;pwned from ${'B'.repeat(79)}… can`);
  });
});
