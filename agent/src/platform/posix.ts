import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ShellProfile } from '../../../contracts/agent-protocol/enums';
import type { ShellInvocation } from '../core/command-runner';

/**
 * Runs inside the new PTY before the shell: sets the initial size, prints the PTY's path inside an OSC
 * sequence the agent strips (so it can resize the PTY later with `stty -F`), then replaces itself with
 * the shell. Values arrive through the environment, never spliced into the script; `QS_SHELL_FLAGS` is
 * split into words on purpose, and only ever holds one of the constant flag sets of {@link shellFlags}.
 */
export const PTY_BOOTSTRAP =
  'stty rows "$QS_ROWS" cols "$QS_COLS" 2>/dev/null; printf \'\\033]777;qs-tty;%s\\007\' "$(tty)"; exec "$QS_SHELL" $QS_SHELL_FLAGS';

/**
 * The flags that start `shell` with or without the login profile (protocol 1.3, `shellProfile`).
 * `plain` reads no profile and no rc file, for a device whose profile hangs every login shell: bash
 * `--noprofile --norc`, zsh `-f`, fish `--no-config`, any other (sh, dash, ksh) no `-l` (the caller
 * also unsets `ENV`, which an interactive POSIX shell would read). Interactive either way: stdin is
 * the PTY.
 */
export function shellFlags(shell: string, profile: ShellProfile): string {
  if (profile === 'login') return '-l';
  const name = shell.slice(shell.lastIndexOf('/') + 1);
  if (name === 'bash') return '--noprofile --norc';
  if (name === 'zsh') return '-f';
  if (name === 'fish') return '--no-config';
  return '';
}

/** Environment for the PTY bootstrap. */
export function ptyEnv(
  shell: string,
  rows: number,
  cols: number,
  profile: ShellProfile = 'login',
): Record<string, string> {
  return {
    QS_SHELL: shell,
    QS_SHELL_FLAGS: shellFlags(shell, profile),
    QS_ROWS: String(rows),
    QS_COLS: String(cols),
    TERM: 'xterm-256color',
  };
}

/** `/bin/sh -c <command>`: the POSIX platform shell for the commands channel. */
export function posixCommandShell(command: string): ShellInvocation {
  return { file: '/bin/sh', args: ['-c', command] };
}

/** The process was started detached (its own process group): end the group, then force it. */
export function posixKillTree(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      child.kill(signal);
    }
  };
  signalGroup('SIGTERM');
  const force = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) signalGroup('SIGKILL');
  }, 2000);
  force.unref();
  child.once('exit', () => clearTimeout(force));
}

export function hasCommand(name: string): boolean {
  return (
    spawnSync('/bin/sh', ['-c', 'command -v "$1" >/dev/null 2>&1', 'sh', name], { stdio: 'ignore' })
      .status === 0
  );
}

/** The user's login shell if it exists, else bash, else sh. */
export function pickLoginShell(preferred: string | undefined): string {
  for (const candidate of [preferred, '/bin/bash', '/bin/sh']) {
    if (candidate && candidate.startsWith('/') && existsSync(candidate)) return candidate;
  }
  return '/bin/sh';
}

/** python3's pty module as a PTY when `script` is missing or unusable. */
export function pythonPtySpawn(): ShellInvocation {
  return {
    file: 'python3',
    args: ['-c', 'import pty,sys; sys.exit(pty.spawn(["/bin/sh", "-c", sys.argv[1]]) >> 8)', PTY_BOOTSTRAP],
  };
}
