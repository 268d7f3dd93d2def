import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { findDisplay, x11vncArgs, announcedPort } from './vnc-launcher';

describe('findDisplay', () => {
  it('prefers DISPLAY and refuses odd values', () => {
    expect(findDisplay({ DISPLAY: ':3' }, '/nonexistent')).toBe(':3');
    expect(findDisplay({ DISPLAY: ':3; rm -rf /' }, '/nonexistent')).toBeUndefined();
    expect(findDisplay({}, '/nonexistent')).toBeUndefined();
  });
});

describe('x11vncArgs', () => {
  it('binds to loopback only, wants the session password, is not shared, and guesses the X authority only when asked', () => {
    expect(x11vncArgs(':5', 5999, false, '/run/qs-vnc-x/passwd')).toEqual([
      '-localhost',
      '-autoport',
      '5999',
      '-display',
      ':5',
      '-rfbauth',
      '/run/qs-vnc-x/passwd',
      '-forever',
      '-quiet',
      '-noxdamage',
    ]);
    expect(x11vncArgs(':5', 5999, true, '/p').slice(-2)).toEqual(['-auth', 'guess']);
  });
});

describe('announcedPort', () => {
  /** A stand-in child process with a stdout stream. */
  function fakeChild(): { child: ChildProcess; stdout: PassThrough } {
    const stdout = new PassThrough();
    const child = Object.assign(new EventEmitter(), { stdout }) as unknown as ChildProcess;
    return { child, stdout };
  }

  it('waits for the whole PORT= line, even when it arrives in pieces', async () => {
    const { child, stdout } = fakeChild();
    const port = announcedPort(child, 5_000);
    stdout.write('PORT=47');
    await new Promise((r) => setImmediate(r));
    stdout.write('102\n');
    await expect(port).resolves.toBe(47102);
  });

  it('fails when x11vnc exits before announcing a port', async () => {
    const { child } = fakeChild();
    const port = announcedPort(child, 5_000);
    child.emit('exit', 1);
    await expect(port).rejects.toThrow('x11vnc exited (1) before listening');
  });
});
