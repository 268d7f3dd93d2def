import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import type { ShellProfile } from '../../../contracts/agent-protocol/enums';
import { collectUntil, closed, silentLogger, socketPair } from '../test-support/socket-pair';
import { linuxPty } from '../platform/linux';
import { posixKillTree, shellFlags } from '../platform/posix';
import { openShellChannel } from './shell-channel';

const pty = linuxPty();
const describeLinux = process.platform === 'linux' && pty ? describe : describe.skip;

describeLinux('shell channel (real PTY through script)', () => {
  const open = async () => {
    const pair = await socketPair();
    const channel = openShellChannel(
      { ws: pair.agent, ref: { sessionId: 's1', channel: 'shell' }, logger: silentLogger },
      {
        pty: pty!,
        shell: '/bin/bash',
        cwd: homedir(),
        env: { PATH: process.env.PATH, HOME: homedir() },
        killTree: posixKillTree,
      },
    );
    return { ...pair, channel };
  };

  it('runs a command on a terminal in the home folder and hides the PTY marker', async () => {
    const { viewer, channel, close } = await open();
    try {
      viewer.send(Buffer.from('tty; pwd; echo "sum=$((40+2))"\n'), { binary: true });
      const out = await collectUntil(viewer, (t) => t.includes('sum=42'));
      expect(out).toMatch(/\/dev\/pts\/\d+/);
      expect(out).toContain(homedir());
      expect(out).not.toContain(']777;qs-tty;');
    } finally {
      channel.close(1000, 'done');
      await close();
    }
  });

  it('applies resize frames to the PTY (stty size reports them)', async () => {
    const { viewer, channel, close } = await open();
    try {
      await collectUntil(viewer, (t) => t.length > 0 || true, 1000).catch(() => '');
      viewer.send(JSON.stringify({ type: 'resize', cols: 132, rows: 43 }));
      await new Promise((r) => setTimeout(r, 500));
      viewer.send(Buffer.from('echo "size=$(stty size)"\n'), { binary: true });
      await expect(collectUntil(viewer, (t) => t.includes('size=43 132'))).resolves.toContain('size=43 132');
    } finally {
      channel.close(1000, 'done');
      await close();
    }
  });

  it('sends an exit frame and closes with 1000 when the shell exits', async () => {
    const { viewer, channel, close } = await open();
    try {
      const frames: string[] = [];
      viewer.on('message', (d: Buffer, isBinary: boolean) => {
        if (!isBinary) frames.push(d.toString('utf8'));
      });
      const end = closed(viewer);
      viewer.send(Buffer.from('exit 3\n'), { binary: true });
      await expect(end).resolves.toEqual({ code: 1000, reason: 'The shell ended.' });
      expect(frames.map((f) => JSON.parse(f))).toContainEqual({ type: 'exit', exitCode: 3 });
      await expect(channel.ended).resolves.toMatchObject({ code: 1000 });
    } finally {
      await close();
    }
  });
});

describe('shell flags (protocol 1.3 shellProfile)', () => {
  it.each([
    ['/bin/bash', 'login', '-l'],
    ['/usr/bin/zsh', 'login', '-l'],
    ['/bin/bash', 'plain', '--noprofile --norc'],
    ['/bin/zsh', 'plain', '-f'],
    ['/usr/bin/fish', 'plain', '--no-config'],
    ['/bin/sh', 'plain', ''],
    ['/bin/dash', 'plain', ''],
  ] as const)('%s as a %s shell starts with "%s"', (shell, profile, flags) => {
    expect(shellFlags(shell, profile)).toBe(flags);
  });
});

/**
 * A device whose profile hangs every login shell (a stale lock a profile script waits on): the login
 * shell prints nothing at all, not even a prompt, and never runs a command; the plain shell (no
 * profile, no rc file) answers. Real PTYs, real bash and sh.
 */
describeLinux('a login profile that hangs (real PTY)', () => {
  const homes: string[] = [];
  afterAll(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));
  /** A home whose profile and rc files wait on a lock that is never released (its owner is gone). */
  const hungHome = (): { home: string; lock: string } => {
    const home = mkdtempSync(join(tmpdir(), 'qs-hung-profile-'));
    homes.push(home);
    const lock = join(home, 'stale.lock');
    writeFileSync(lock, '4242\n');
    const waitOnLock = 'while [ -e "$HOME/stale.lock" ]; do sleep 0.2; done\n';
    for (const file of ['.bash_profile', '.profile', '.bashrc', '.shrc'])
      writeFileSync(join(home, file), waitOnLock);
    return { home, lock };
  };

  const open = async (shell: string, shellProfile: ShellProfile, home: string) => {
    const pair = await socketPair();
    const received: Buffer[] = [];
    pair.viewer.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) received.push(data);
    });
    const channel = openShellChannel(
      { ws: pair.agent, ref: { sessionId: 's1', channel: 'shell' }, logger: silentLogger, shellProfile },
      {
        pty: pty!,
        shell,
        cwd: home,
        // ENV is what an interactive sh reads as its rc file: a plain shell must not.
        env: { PATH: process.env.PATH, HOME: home, ENV: join(home, '.shrc') },
        killTree: posixKillTree,
      },
    );
    return { ...pair, channel, received };
  };
  const run = (viewer: WebSocket, line: string): void =>
    viewer.send(Buffer.from(`${line}\n`), { binary: true });

  it.each(['/bin/bash', '/bin/sh'])(
    '%s: the login shell stays silent until the lock goes, the plain shell answers at once',
    async (shell) => {
      const { home, lock } = hungHome();
      const login = await open(shell, 'login', home);
      const plain = await open(shell, 'plain', home);
      try {
        run(plain.viewer, 'echo "answer-$((6*7))"');
        await expect(collectUntil(plain.viewer, (t) => t.includes('answer-42'))).resolves.toContain(
          'answer-42',
        );
        run(plain.viewer, 'echo "second-$((6*7))"');
        await collectUntil(plain.viewer, (t) => t.includes('second-42'));
        // The login shell started first and, while the plain one ran two commands, printed not one
        // byte: no prompt, nothing for a viewer to show.
        expect(Buffer.concat(login.received).toString('utf8')).toBe('');

        // Typed keys are queued (the terminal echoes them); the shell runs them only once the lock goes.
        const answered = collectUntil(login.viewer, (t) => /answer-42\r?\n/.test(t.replace('$((6*7))', '')));
        run(login.viewer, 'echo "answer-$((6*7))"');
        rmSync(lock);
        await expect(answered).resolves.toMatch(/answer-42/);
      } finally {
        for (const side of [login, plain]) {
          side.channel.close(1000, 'done');
          await side.close();
        }
      }
    },
  );
});
