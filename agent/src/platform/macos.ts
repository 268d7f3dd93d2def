import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
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

/** BSD `script` takes the command as arguments; `stty -f` names the device on macOS. */
export function macosPty(): PtySupport | undefined {
  const useScript = hasCommand('script');
  if (!useScript && !hasCommand('python3')) return undefined;
  return {
    spawnSpec: () =>
      useScript
        ? { file: 'script', args: ['-q', '/dev/null', '/bin/sh', '-c', PTY_BOOTSTRAP] }
        : pythonPtySpawn(),
    resizeCommand: (ptyPath, rows, cols) => ({
      file: 'stty',
      args: ['-f', ptyPath, 'rows', String(rows), 'cols', String(cols)],
    }),
  };
}

export function createMacosAdapter(): PlatformAdapter {
  const pty = macosPty();
  return {
    os: 'macos',
    osVersion: () => {
      const out = spawnSync('sw_vers', ['-productVersion'], { encoding: 'utf8' });
      return `macOS ${typeof out.stdout === 'string' ? out.stdout.trim() : ''}`.trim().slice(0, 100);
    },
    capabilities: (): ChannelKind[] =>
      pty ? ['screen', 'shell', 'commands', 'files'] : ['screen', 'commands', 'files'],
    commandShell: posixCommandShell,
    killTree: posixKillTree,
    pty,
    loginShell: () => pickLoginShell(userInfo().shell ?? '/bin/zsh'),
    invokingUserHome: () => invokingUserHome(),
  };
}
