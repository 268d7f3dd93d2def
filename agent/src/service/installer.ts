import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, cp, lstat, mkdir, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, isAbsolute, win32 } from 'node:path';
import type { AgentOs } from '../../../contracts/agent-protocol/enums';
import type { RegisterResponse } from '../../../contracts/agent-protocol/registration';
import type { CliOptions } from '../cli/args';
import { safe, type AgentLogger } from '../core/logger';
import { LAUNCHD_LABEL, SERVICE_NAME, WINDOWS_TASK_NAME, installLayout, type InstallLayout } from './layout';
import { writePrivateFile, type PersistentConfig } from './persistent-config';
import { assertRootOnlyAncestors, assertRootOnlyPath } from './root-only-path';
import {
  assertServicePath,
  launchdPlist,
  systemdUnit,
  windowsLockDownCommand,
  windowsProgramLockDownCommand,
  windowsTaskCommands,
  type ServiceSpec,
} from './service-files';

export type Exec = (file: string, args: string[]) => Promise<void>;

export interface InstallDeps {
  os: AgentOs;
  exec: Exec;
  logger: AgentLogger;
  /** Registers with the installer token (mode persistent). */
  register: () => Promise<RegisterResponse>;
  /** The Node binary running this agent, and the agent bundle being run. */
  nodeExecPath: string;
  agentSource: string;
  /** Talk to systemd/launchd/Task Scheduler; default: only for the real root and without --no-start. */
  manageService?: boolean;
}

/** Whether install/uninstall talk to the real service manager: only for the real root and without --no-start. */
const activates = (options: CliOptions): boolean => options.prefix === '/' && !options.noStart;

const inside = (child: string, parent: string): boolean => {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/**
 * Installs the agent as a service: copies the bundle and a Node runtime (the one the script
 * downloaded, or a copy of the root-only one running this) into the program folder, checks that only
 * root can change what the service runs, and only then registers (one-shot token), so a refused
 * install leaves the token unused and no device without an agent. Then it writes the config and the
 * root-only credential, the service definition and an uninstall script, and enables and starts the
 * service. Whatever fails before registration is done removes the program folder again.
 */
export async function installPersistent(options: CliOptions, deps: InstallDeps): Promise<InstallLayout> {
  const layout = installLayout(deps.os, options.prefix);
  if (!options.portalUrl) throw new Error('install needs --portal');
  if (existsSync(layout.credentialFile))
    throw new Error(`the agent is already installed here; run ${layout.uninstallScript} first`);
  const posix = deps.os !== 'windows';
  if (posix) {
    assertRootOnlyAncestors(layout.appDir, 'the agent');
    assertRootOnlyAncestors(layout.configDir, 'with the configuration');
  }
  let nodePath: string;
  let device: RegisterResponse;
  try {
    await mkdir(layout.appDir, { recursive: true });
    await chmod(layout.appDir, 0o755); // mkdir's mode is reduced by the umask (077 in the scripts)
    await cp(deps.agentSource, layout.agentFile);
    nodePath = await placeRuntime(layout, deps, options.workDir);
    if (posix) {
      await ownAndSeal(layout.agentFile);
      assertRootOnlyPath(nodePath, 'the Node.js runtime');
      assertRootOnlyPath(layout.agentFile, 'the agent');
    }
    device = await deps.register();
  } catch (err) {
    await rm(layout.appDir, { recursive: true, force: true });
    throw err;
  }
  const config: PersistentConfig = {
    portalUrl: options.portalUrl,
    brand: options.brand,
    credentialFile: layout.credentialFile,
    vncHost: options.vncHost,
    vncPort: options.vncPort,
    startVnc: options.startVnc === true,
    killSwitch: options.killSwitch,
    // The administrator of the device turns asking off here (and in the portal) for unattended servers.
    consent: 'ask',
  };
  await writePrivateFile(layout.configFile, `${JSON.stringify(config, null, 2)}\n`);
  await writePrivateFile(layout.credentialFile, `${JSON.stringify(device)}\n`);
  const spec: ServiceSpec = {
    brand: options.brand,
    nodePath,
    agentFile: layout.agentFile,
    configFile: layout.configFile,
  };
  await writeUninstallScript(deps.os, layout, nodePath);
  if (layout.serviceFile) {
    await mkdir(dirname(layout.serviceFile), { recursive: true });
    await writeFile(layout.serviceFile, deps.os === 'macos' ? launchdPlist(spec) : systemdUnit(spec), {
      mode: 0o644,
    });
  }
  if (deps.manageService ?? activates(options)) await activate(deps, layout, spec);
  deps.logger.info(`installed the agent as device ${device.deviceId}`);
  return layout;
}

/**
 * The service's Node runtime, always inside the program folder: the runtime the install script
 * downloaded into its temporary folder, kept whole, or else a copy of the running Node binary. Never
 * the `node` the script found on PATH itself, which may live in (and be swapped from) a user's
 * folder. The source must be one only root can change (the script only runs such a node, or its own
 * checksummed download): copying a binary someone else controls would seal their choice in as root's.
 */
async function placeRuntime(
  layout: InstallLayout,
  deps: InstallDeps,
  workDir: string | undefined,
): Promise<string> {
  const windows = deps.os === 'windows';
  const source = await realpath(deps.nodeExecPath);
  if (!windows) assertRootOnlyPath(source, 'a copy of the Node.js runtime running this installer');
  const target = windows ? win32.join(layout.nodeDir, 'node.exe') : join(layout.nodeDir, 'bin', 'node');
  // Both paths resolved (macOS: /tmp is /private/tmp), so the downloaded runtime is recognised.
  const work = workDir && existsSync(workDir) ? await realpath(workDir) : undefined;
  if (windows) assertWindowsRuntimeSource(source, work);
  if (work && inside(source, work)) {
    const runtimeRoot = windows ? dirname(source) : dirname(dirname(source));
    await cp(runtimeRoot, layout.nodeDir, { recursive: true });
  } else {
    await mkdir(windows ? layout.nodeDir : dirname(target), { recursive: true });
    await copyFile(source, target);
  }
  if (!windows) await ownAndSeal(layout.nodeDir);
  return assertServicePath(target);
}

/**
 * Windows has no root-only check of its own here (ACLs, not modes): the service's runtime is copied only
 * from the script's checksummed download, inside its work folder that only SYSTEM and Administrators
 * can write (windows.ps1 `New-QsWorkDir`), never from a `node.exe` found elsewhere.
 */
export function assertWindowsRuntimeSource(source: string, workDir: string | undefined): void {
  if (workDir && inside(source, workDir)) return;
  throw new Error(
    `on Windows the service runs only the Node.js runtime the install script downloaded into its locked work folder, not ${source}`,
  );
}

/**
 * Makes a copied file or folder the installing account's (root's) and writable by it alone. A copy
 * already belongs to the account that made it, but keeps the source's mode bits (a group- or
 * world-writable file stays so), and folders made on the way get whatever the umask leaves; the
 * explicit chown also covers a tree unpacked by an older script that kept the tarball's owner.
 */
async function ownAndSeal(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  await chown(path, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
  await chmod(path, info.mode & 0o755);
  if (info.isDirectory()) for (const entry of await readdir(path)) await ownAndSeal(join(path, entry));
}

async function writeUninstallScript(os: AgentOs, layout: InstallLayout, nodePath: string): Promise<void> {
  const [node, agent, prefix] = [nodePath, layout.agentFile, layout.prefix].map(assertServicePath);
  if (os === 'windows') {
    await writeFile(
      layout.uninstallScript,
      `@echo off\r\n"${node}" "${agent}" uninstall --prefix "${prefix}"\r\n`,
    );
    return;
  }
  await writeFile(
    layout.uninstallScript,
    `#!/bin/sh\n# Removes the remote support agent and every file it installed.\nexec "${node}" "${agent}" uninstall --prefix "${prefix}" "$@"\n`,
  );
  await chmod(layout.uninstallScript, 0o700);
}

async function activate(deps: InstallDeps, layout: InstallLayout, spec: ServiceSpec): Promise<void> {
  switch (deps.os) {
    case 'linux':
      await deps.exec('systemctl', ['daemon-reload']);
      await deps.exec('systemctl', ['enable', '--now', `${SERVICE_NAME}.service`]);
      return;
    case 'macos':
      await deps.exec('launchctl', ['bootstrap', 'system', layout.serviceFile ?? '']);
      return;
    case 'windows': {
      for (const [lockFile, lockArgs] of [
        windowsProgramLockDownCommand(layout.appDir),
        windowsLockDownCommand(layout.configDir),
      ]) {
        await deps.exec(lockFile, lockArgs);
      }
      for (const [file, args] of windowsTaskCommands(spec)) await deps.exec(file, args);
      return;
    }
  }
}

/** Stops and removes the service, then deletes every file install wrote. */
export async function uninstallPersistent(
  options: CliOptions,
  deps: Pick<InstallDeps, 'os' | 'exec' | 'logger' | 'manageService'>,
): Promise<InstallLayout> {
  const layout = installLayout(deps.os, options.prefix);
  const manage = deps.manageService ?? activates(options);
  if (manage) await deactivate(deps);
  for (const path of [layout.serviceFile, layout.configDir, layout.appDir]) {
    if (path) await rm(path, { recursive: true, force: true });
  }
  if (manage && deps.os === 'linux') await tolerate(deps, 'systemctl', ['daemon-reload']);
  deps.logger.info('the agent and its files were removed');
  return layout;
}

async function deactivate(deps: Pick<InstallDeps, 'os' | 'exec' | 'logger'>): Promise<void> {
  switch (deps.os) {
    case 'linux':
      await tolerate(deps, 'systemctl', ['disable', '--now', `${SERVICE_NAME}.service`]);
      return;
    case 'macos':
      await tolerate(deps, 'launchctl', ['bootout', `system/${LAUNCHD_LABEL}`]);
      return;
    case 'windows':
      await tolerate(deps, 'schtasks.exe', ['/End', '/TN', WINDOWS_TASK_NAME]);
      await tolerate(deps, 'schtasks.exe', ['/Delete', '/TN', WINDOWS_TASK_NAME, '/F']);
      return;
  }
}

/** Uninstall goes on when the service is already stopped or gone. */
async function tolerate(
  deps: Pick<InstallDeps, 'exec' | 'logger'>,
  file: string,
  args: string[],
): Promise<void> {
  try {
    await deps.exec(file, args);
  } catch (err) {
    deps.logger.warn(`${file} ${args.join(' ')} failed: ${safe(err)}`);
  }
}
