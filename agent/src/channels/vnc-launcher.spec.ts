import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { findDisplay, x11vncArgs, announcedPort, parseXineramaHeads, terminate } from './vnc-launcher';

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

  it('shares one monitor with -clip xinerama<n>, and the whole desktop without it', () => {
    expect(x11vncArgs(':5', 5999, false, '/p', 1).slice(-2)).toEqual(['-clip', 'xinerama1']);
    expect(x11vncArgs(':5', 5999, true, '/p', 0).slice(-4)).toEqual(['-auth', 'guess', '-clip', 'xinerama0']);
    expect(x11vncArgs(':5', 5999, false, '/p')).not.toContain('-clip');
  });
});

describe('parseXineramaHeads', () => {
  const XDPYINFO = [
    'name of display:    :7',
    'XINERAMA version 1.1 opcode: 141',
    '  head #0: 1920x1080 @ 0,0',
    '  head #1: 1280x1024 @ 1920,-56',
    '',
  ].join('\n');

  it('reads the heads in their order, which is how x11vnc numbers them', () => {
    expect(parseXineramaHeads(XDPYINFO)).toEqual([
      { x: 0, y: 0, width: 1920, height: 1080 },
      { x: 1920, y: -56, width: 1280, height: 1024 },
    ]);
  });

  it('answers no monitors without Xinerama, and stops at a gap in the numbering or a bad size', () => {
    expect(parseXineramaHeads('XINERAMA extension not supported by xdpyinfo')).toEqual([]);
    expect(parseXineramaHeads('  head #1: 800x600 @ 0,0')).toEqual([]);
    expect(parseXineramaHeads('  head #0: 800x600 @ 0,0\n  head #2: 800x600 @ 800,0')).toHaveLength(1);
    expect(parseXineramaHeads('  head #0: 0x600 @ 0,0')).toEqual([]);
    expect(parseXineramaHeads('  head #0: 99999x600 @ 0,0')).toEqual([]);
  });

  it('lists at most 16 monitors', () => {
    const many = Array.from({ length: 20 }, (_, i) => `  head #${i}: 100x100 @ ${i * 100},0`).join('\n');
    expect(parseXineramaHeads(many)).toHaveLength(16);
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

describe('terminate', () => {
  /** A real child that says "ready" once its SIGTERM handler is in place (or ignores SIGTERM). */
  async function child(ignoreTerm: boolean): Promise<ChildProcess> {
    const code = `${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''} setInterval(() => {}, 1000); console.log('ready');`;
    const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
    await once(c.stdout, 'data');
    return c;
  }

  it('stops a process that honours SIGTERM with SIGTERM', async () => {
    const c = await child(false);
    const exited = once(c, 'exit');
    await terminate(c, 60_000);
    expect(await exited).toEqual([null, 'SIGTERM']);
  });

  it('kills a process that stays after SIGTERM (as a deadlocked x11vnc does) once the grace period ends', async () => {
    const c = await child(true);
    const exited = once(c, 'exit');
    await terminate(c, 200);
    expect(await exited).toEqual([null, 'SIGKILL']);
  });
});
