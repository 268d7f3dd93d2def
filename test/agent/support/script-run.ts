import { spawn, type ChildProcess } from 'node:child_process';

export interface ScriptRunOptions {
  /**
   * Run in a real terminal (a PTY from util-linux `script`), as a customer who pasted the command
   * would: the agent reads keys (consent prompts, K, Ctrl-C) from it. Output and errors then arrive
   * together in `stdout`, and {@link ScriptRun.type} presses keys.
   */
  terminal?: boolean;
}

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** A served install script running for real under bash, started the way the portal tells people to. */
export class ScriptRun {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly terminal: boolean;
  private readonly answers: { pattern: RegExp; keys: string; seen: number }[] = [];

  /** `bashArgs`: `['-c', <the one-line command the portal shows>]` or `[<script file>]`. */
  constructor(bashArgs: string[], env: NodeJS.ProcessEnv, cwd: string, options: ScriptRunOptions = {}) {
    this.terminal = options.terminal === true;
    // Its own process group, like a terminal's foreground job, so `interrupt()` can act like Ctrl-C.
    this.child = this.terminal
      ? spawn('script', ['-qfec', ['bash', ...bashArgs].map(shellQuote).join(' '), '/dev/null'], {
          cwd,
          env,
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true,
        })
      : spawn('bash', bashArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString('utf8');
      this.answerPrompts();
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get output(): string {
    return `--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`;
  }

  /** Presses keys in the terminal (a `terminal` run only). */
  type(keys: string): void {
    if (!this.terminal) throw new Error('type() needs a run with { terminal: true }');
    this.child.stdin!.write(keys);
  }

  /**
   * Every time `pattern` newly appears in the terminal (a prompt), presses `keys` — the person at the
   * device answering each question the same way. Counts the prompts answered so far.
   */
  answerEvery(pattern: RegExp, keys: string): { answered: () => number } {
    const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
    const entry = { pattern: new RegExp(pattern.source, flags), keys, seen: 0 };
    this.answers.push(entry);
    this.answerPrompts();
    return { answered: () => entry.seen };
  }

  private answerPrompts(): void {
    for (const entry of this.answers) {
      const count = this.stdout.match(entry.pattern)?.length ?? 0;
      for (; entry.seen < count; entry.seen++) this.child.stdin!.write(entry.keys);
    }
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout) && !pattern.test(this.stderr)) {
      if (this.child.exitCode !== null)
        throw new Error(`script exited (${this.child.exitCode}) before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ctrl-C in a terminal: SIGINT to every process of the foreground job (or the key, in a PTY). */
  interrupt(): void {
    if (this.child.pid === undefined || this.child.exitCode !== null) return;
    if (this.terminal) this.child.stdin!.write('\u0003');
    else process.kill(-this.child.pid, 'SIGINT');
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.pid === undefined || this.child.exitCode !== null) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      this.child.kill(signal);
    }
  }
}

/** Polls until `check` resolves truthy. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
