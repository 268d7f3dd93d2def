import { spawn, type ChildProcess } from 'node:child_process';
import { homedir, release, version } from 'node:os';
import type { ChannelKind } from '../../../contracts/agent-protocol/enums';
import type { ShellInvocation } from '../core/command-runner';
import type { PlatformAdapter } from './platform';

/** PowerShell runs command lines on Windows (the same shell the install script uses). */
export function windowsCommandShell(command: string): ShellInvocation {
  return {
    file: 'powershell.exe',
    args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', command],
  };
}

/** `taskkill /T /F` ends the process and every child it started. */
export function windowsKillTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
    'error',
    () => child.kill(),
  );
}

export function createWindowsAdapter(): PlatformAdapter {
  return {
    os: 'windows',
    osVersion: () => `${version()} ${release()}`.slice(0, 100),
    // No PTY without native addons on Windows: the viewer explains the shell tab is unavailable.
    capabilities: (): ChannelKind[] => ['screen', 'commands', 'files'],
    commandShell: windowsCommandShell,
    killTree: windowsKillTree,
    pty: undefined,
    loginShell: () => 'powershell.exe',
    invokingUserHome: () => process.env.USERPROFILE ?? homedir(),
  };
}
