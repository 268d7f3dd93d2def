import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { hasBinary, stopChild } from '../test-support/xvfb';

/**
 * The terminal prompt on a real PTY (util-linux `script`): keys typed in the terminal, one at a time and
 * without Enter, reach the question, and K and Ctrl-C keep their meaning while it waits.
 */
const CHILD = join(__dirname, '..', 'test-support', 'terminal-prompt-child.ts');

class PtyProcess {
  private output = '';
  private waiters: Array<() => void> = [];
  readonly child: ChildProcess;

  constructor(args: string[]) {
    const command = [process.execPath, '-r', 'ts-node/register/transpile-only', CHILD, ...args]
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
      .join(' ');
    this.child = spawn('script', ['-E', 'never', '-qefc', command, '/dev/null'], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const take = (chunk: Buffer): void => {
      this.output += chunk.toString('utf8');
      for (const wake of this.waiters.splice(0)) wake();
    };
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
  }

  type(keys: string): void {
    this.child.stdin?.write(keys);
  }

  async waitFor(text: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`"${text}" never appeared; the terminal shows:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.output;
  }
}

describe('TerminalPrompter on a real PTY', () => {
  beforeAll(() => {
    if (!hasBinary('script')) throw new Error('Install util-linux (script) first.');
  });

  it('the customer presses K, then V: the kill switch flips and the answer is view only', async () => {
    const pty = new PtyProcess(['screen']);
    try {
      await pty.waitFor('KEYS');
      const shown = await pty.waitFor('N to deny');
      expect(shown).toContain(
        '[Test] Alex from Acme wants to see your screen and use your mouse and keyboard. Reason they gave: "printer". Press Y to allow once, A to allow for this session, V for view only, N to deny (N in 60 s).',
      );
      pty.type('k');
      await pty.waitFor('KILL');
      pty.type('v');
      await expect(pty.waitFor('ANSWER=view_only')).resolves.toContain('Allowed to view only');
    } finally {
      await stopChild(pty.child);
    }
  }, 60_000);

  it('Ctrl-C reaches the session while a question waits; A then allows for the session', async () => {
    const pty = new PtyProcess(['shell']);
    try {
      await pty.waitFor('N to deny');
      pty.type('\u0003');
      await pty.waitFor('INTERRUPT');
      pty.type('a');
      await pty.waitFor('ANSWER=allow_session');
    } finally {
      await stopChild(pty.child);
    }
  }, 60_000);
});
