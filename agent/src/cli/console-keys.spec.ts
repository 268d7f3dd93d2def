import { EventEmitter } from 'node:events';
import { KillSwitch } from '../core/kill-switch';
import { ConsoleKeys, type KeyboardInput } from './console-keys';

/** A terminal stand-in: records raw mode and whether input flows. */
class FakeTerminal extends EventEmitter implements KeyboardInput {
  raw = false;
  flowing = false;
  constructor(readonly isTTY: boolean) {
    super();
  }
  setRawMode(mode: boolean): void {
    this.raw = mode;
  }
  resume(): void {
    this.flowing = true;
  }
  pause(): void {
    this.flowing = false;
  }
  press(keys: string): void {
    this.emit('data', Buffer.from(keys, 'utf8'));
  }
}

function setup(isTTY = true) {
  const terminal = new FakeTerminal(isTTY);
  const kill = new KillSwitch();
  const interrupt = jest.fn();
  const keys = new ConsoleKeys(terminal, { toggleKillSwitch: () => kill.toggle(), interrupt });
  return { terminal, kill, interrupt, keys };
}

describe('ConsoleKeys', () => {
  it('K toggles the kill switch, in either case; other keys do nothing', () => {
    const { terminal, kill, keys } = setup();
    expect(keys.start()).toBe(true);
    expect(terminal.raw && terminal.flowing).toBe(true);
    terminal.press('k');
    expect(kill.on).toBe(true);
    terminal.press('K');
    expect(kill.on).toBe(false);
    terminal.press('xyz\r');
    expect(kill.on).toBe(false);
  });

  it('still ends the session on Ctrl-C, which raw mode no longer turns into SIGINT', () => {
    const { terminal, interrupt, keys } = setup();
    keys.start();
    terminal.press('\u0003');
    expect(interrupt).toHaveBeenCalledTimes(1);
  });

  it('reads nothing when input is not a terminal (a pipe, a service)', () => {
    const { terminal, kill, keys } = setup(false);
    expect(keys.start()).toBe(false);
    terminal.press('k');
    expect(kill.on).toBe(false);
    expect(terminal.raw).toBe(false);
  });

  it('gives the terminal back when stopped', () => {
    const { terminal, kill, keys } = setup();
    keys.start();
    keys.stop();
    keys.stop();
    expect(terminal.raw || terminal.flowing).toBe(false);
    terminal.press('k');
    expect(kill.on).toBe(false);
  });

  it('a pending question takes its keys; K and Ctrl-C keep their meaning; the rest go to the channel keys', () => {
    const { terminal, kill, interrupt, keys } = setup();
    keys.start();
    const answered: string[] = [];
    const channel: string[] = [];
    keys.onChannelKey((key) => channel.push(key));
    const release = keys.capture(['y', 'A', 'n', 'k'], (key) => answered.push(key));
    terminal.press('YaKs\u0003n');
    expect(answered).toEqual(['y', 'a', 'n']);
    expect(kill.on).toBe(true);
    expect(interrupt).toHaveBeenCalledTimes(1);
    expect(channel).toEqual(['s']);
    release();
    release();
    terminal.press('yv1');
    expect(answered).toEqual(['y', 'a', 'n']);
    expect(channel).toEqual(['s', 'y', 'v']);
  });

  it('questions queue: the oldest pending one answers first', () => {
    const { terminal, keys } = setup();
    keys.start();
    const first: string[] = [];
    const second: string[] = [];
    const releaseFirst = keys.capture(['y', 'n'], (key) => first.push(key));
    keys.capture(['y', 'n'], (key) => second.push(key));
    terminal.press('y');
    releaseFirst();
    terminal.press('n');
    expect(first).toEqual(['y']);
    expect(second).toEqual(['n']);
  });
});
