import { homedir } from 'node:os';
import { collectUntil, closed, silentLogger, socketPair } from '../test-support/socket-pair';
import { linuxPty } from '../platform/linux';
import { posixKillTree } from '../platform/posix';
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
