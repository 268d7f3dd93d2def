import { tmpdir } from 'node:os';
import { parseAgentMessage } from '../../../contracts/agent-protocol/control-message-parser';
import type {
  AgentToPortalMessage,
  CommandExitMessage,
} from '../../../contracts/agent-protocol/control-messages';
import { silentLogger } from '../test-support/socket-pair';
import { posixCommandShell, posixKillTree } from '../platform/posix';
import { CommandRunner } from './command-runner';

const describePosix = process.platform === 'win32' ? describe.skip : describe;

function run(
  runner: CommandRunner,
  command: string,
  extra: { timeoutSec?: number; maxOutputBytes?: number } = {},
  commandId = 'c1',
) {
  const messages: AgentToPortalMessage[] = [];
  let exited!: (m: CommandExitMessage) => void;
  const done = new Promise<CommandExitMessage>((resolve) => (exited = resolve));
  const started = runner.start({ type: 'run_command', id: 'r1', commandId, command, ...extra }, (m) => {
    messages.push(m);
    if (m.type === 'command_exit') exited(m);
  });
  const text = (stream: 'stdout' | 'stderr'): string =>
    messages.map((m) => (m.type === 'command_output' && m.stream === stream ? m.data : '')).join('');
  return { started, done, messages, text };
}

describePosix('CommandRunner (real processes)', () => {
  const runner = new CommandRunner({
    shell: posixCommandShell,
    killTree: posixKillTree,
    cwd: tmpdir(),
    logger: silentLogger,
  });

  it('streams stdout and stderr and reports the exit code, every message valid for the portal', async () => {
    const r = run(runner, 'echo out; echo err >&2; printf "ü\\n"; exit 3');
    expect(r.started).toEqual({ ok: true });
    await expect(r.done).resolves.toMatchObject({
      exitCode: 3,
      signal: null,
      timedOut: false,
      cancelled: false,
      truncated: false,
    });
    expect(r.text('stdout')).toBe('out\nü\n');
    expect(r.text('stderr')).toBe('err\n');
    for (const m of r.messages) expect(parseAgentMessage(JSON.stringify(m))).toEqual({ ok: true, value: m });
    const seqs = r.messages.flatMap((m) => (m.type === 'command_output' ? [m.seq] : []));
    expect(seqs).toEqual(seqs.map((_s, i) => i));
    expect(r.messages.at(-1)?.type).toBe('command_exit');
  });

  it('kills the whole process tree at the timeout', async () => {
    const r = run(runner, 'sleep 30 & sleep 30; echo never', { timeoutSec: 1 });
    const exit = await r.done;
    expect(exit).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    expect(exit.durationMs).toBeLessThan(5000);
    expect(r.text('stdout')).toBe('');
  });

  it('caps the output and says so', async () => {
    const r = run(runner, 'head -c 100000 /dev/zero | tr "\\0" x', { maxOutputBytes: 1000 });
    await expect(r.done).resolves.toMatchObject({ truncated: true, exitCode: 0 });
    expect(r.text('stdout')).toBe('x'.repeat(1000));
  });

  it('splits large output into protocol-sized chunks', async () => {
    const r = run(runner, 'head -c 40000 /dev/zero | tr "\\0" y');
    await r.done;
    const chunks = r.messages.filter((m) => m.type === 'command_output');
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(r.text('stdout')).toHaveLength(40000);
  });

  it('cancels a running command; refuses duplicates and unknown ids', async () => {
    const r = run(runner, 'sleep 30', {}, 'long');
    expect(run(runner, 'true', {}, 'long').started).toMatchObject({ ok: false, code: 'duplicate' });
    expect(runner.count).toBe(1);
    expect(runner.cancel('long')).toBe(true);
    await expect(r.done).resolves.toMatchObject({ cancelled: true });
    expect(runner.cancel('long')).toBe(false);
    expect(runner.count).toBe(0);
  });

  it('refuses more than the concurrency limit', async () => {
    const small = new CommandRunner({
      shell: posixCommandShell,
      killTree: posixKillTree,
      cwd: tmpdir(),
      logger: silentLogger,
      maxConcurrent: 1,
    });
    const first = run(small, 'sleep 5', {}, 'a');
    expect(run(small, 'true', {}, 'b').started).toMatchObject({ ok: false, code: 'limit_reached' });
    small.cancelAll();
    await first.done;
  });
});
