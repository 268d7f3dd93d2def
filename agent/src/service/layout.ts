import { join, win32 } from 'node:path';
import type { AgentOs } from '../../../contracts/agent-protocol/enums';

export const SERVICE_NAME = 'quicksupport-agent';
export const LAUNCHD_LABEL = 'com.quicksupport.agent';
export const WINDOWS_TASK_NAME = 'QuickSupportAgent';

/** Where a persistent install puts each file, under an install root (`/` on a real system). */
export interface InstallLayout {
  prefix: string;
  /** The program folder: agent.js, the service's Node runtime, the uninstall script. */
  appDir: string;
  agentFile: string;
  /** The service's own Node runtime: the one the install script downloaded, or a copy of the running node binary. */
  nodeDir: string;
  uninstallScript: string;
  /** Root/SYSTEM-only folder with the config and the device credential. */
  configDir: string;
  configFile: string;
  credentialFile: string;
  /** The systemd unit or launchd plist (absent on Windows: a scheduled task is registered instead). */
  serviceFile?: string;
}

export function installLayout(
  os: AgentOs,
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): InstallLayout {
  if (os === 'windows') {
    const programFiles = env.ProgramFiles ?? 'C:\\Program Files';
    const programData = env.ProgramData ?? 'C:\\ProgramData';
    const under = (p: string): string =>
      prefix === '/' ? p : win32.join(prefix, p.replace(/^[A-Za-z]:/, ''));
    const appDir = under(win32.join(programFiles, 'QuickSupportAgent'));
    const configDir = under(win32.join(programData, 'QuickSupportAgent'));
    return {
      prefix,
      appDir,
      agentFile: win32.join(appDir, 'agent.js'),
      nodeDir: win32.join(appDir, 'node'),
      uninstallScript: win32.join(appDir, 'uninstall.cmd'),
      configDir,
      configFile: win32.join(configDir, 'agent.json'),
      credentialFile: win32.join(configDir, 'credential.json'),
    };
  }
  const appDir = join(
    prefix,
    os === 'macos' ? '/usr/local/lib/quicksupport-agent' : '/opt/quicksupport-agent',
  );
  const configDir = join(
    prefix,
    os === 'macos' ? '/Library/Application Support/QuickSupportAgent' : '/etc/quicksupport-agent',
  );
  return {
    prefix,
    appDir,
    agentFile: join(appDir, 'agent.js'),
    nodeDir: join(appDir, 'node'),
    uninstallScript: join(appDir, 'uninstall'),
    configDir,
    configFile: join(configDir, 'agent.json'),
    credentialFile: join(configDir, 'credential.json'),
    serviceFile:
      os === 'macos'
        ? join(prefix, `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist`)
        : join(prefix, `/etc/systemd/system/${SERVICE_NAME}.service`),
  };
}
