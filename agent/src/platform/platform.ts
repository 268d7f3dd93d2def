import type { ChildProcess } from 'node:child_process';
import type { AgentOs, ChannelKind } from '../../../contracts/agent-protocol/enums';
import type { ShellInvocation } from '../core/command-runner';

/** How to start an interactive shell on a fresh PTY, and how to resize that PTY. */
export interface PtySupport {
  /** The process whose stdio is the PTY master; the shell prints the PTY path first (see tty-marker.ts). */
  spawnSpec(options: { shell: string; rows: number; cols: number }): ShellInvocation;
  resizeCommand(ptyPath: string, rows: number, cols: number): ShellInvocation;
}

/** The thin per-OS layer under the agent core. */
export interface PlatformAdapter {
  readonly os: AgentOs;
  osVersion(): string;
  /** Channels this OS supports. */
  capabilities(): ChannelKind[];
  /** The platform shell running one command line. */
  commandShell(command: string): ShellInvocation;
  killTree(child: ChildProcess): void;
  /** Undefined where no PTY is available (Windows). */
  pty: PtySupport | undefined;
  /** The login shell to run in a PTY. */
  loginShell(): string;
  /** Home folder of the person who started the agent (the sudo caller when elevated). */
  invokingUserHome(): string;
}
