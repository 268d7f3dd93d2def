import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { release, userInfo } from 'node:os';
import type { ChannelKind } from '../../../contracts/agent-protocol/enums';
import { invokingUserHome } from './invoking-user';
import type { PlatformAdapter, PtySupport } from './platform';
import {
  PTY_BOOTSTRAP,
  hasCommand,
  pickLoginShell,
  posixCommandShell,
  posixKillTree,
  pythonPtySpawn,
} from './posix';

/** util-linux `script` since 2.35 echoes piped input unless told `-E never`. */
function scriptSupportsEcho(): boolean {
  const help = spawnSync('script', ['--help'], { encoding: 'utf8' });
  return typeof help.stdout === 'string' && help.stdout.includes('--echo');
}

export function linuxPty(): PtySupport | undefined {
  const useScript = hasCommand('script');
  if (!useScript && !hasCommand('python3')) return undefined;
  const echoFlag = useScript && scriptSupportsEcho() ? ['-E', 'never'] : [];
  return {
    spawnSpec: () =>
      useScript
        ? { file: 'script', args: [...echoFlag, '-qefc', PTY_BOOTSTRAP, '/dev/null'] }
        : pythonPtySpawn(),
    resizeCommand: (ptyPath, rows, cols) => ({
      file: 'stty',
      args: ['-F', ptyPath, 'rows', String(rows), 'cols', String(cols)],
    }),
  };
}

export function linuxOsVersion(osRelease = (): string => readFileSync('/etc/os-release', 'utf8')): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease());
    if (match?.[1]) return `${match[1]} (kernel ${release()})`.slice(0, 100);
  } catch {
    return `Linux ${release()}`.slice(0, 100);
  }
  return `Linux ${release()}`.slice(0, 100);
}

export function createLinuxAdapter(): PlatformAdapter {
  const pty = linuxPty();
  return {
    os: 'linux',
    osVersion: () => linuxOsVersion(),
    capabilities: (): ChannelKind[] =>
      pty ? ['screen', 'shell', 'commands', 'files'] : ['screen', 'commands', 'files'],
    commandShell: posixCommandShell,
    killTree: posixKillTree,
    pty,
    loginShell: () => pickLoginShell(userInfo().shell ?? process.env.SHELL),
    invokingUserHome: () => invokingUserHome(),
  };
}
