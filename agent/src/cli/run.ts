import { existsSync, unwatchFile, watchFile } from 'node:fs';
import { arch, hostname } from 'node:os';
import { basename, join } from 'node:path';
import { REGISTER_LIMITS, type RegisterResponse } from '../../../contracts/agent-protocol/registration';
import { PROTOCOL_VERSION } from '../../../contracts/agent-protocol/version';
import { X11VncLauncher } from '../channels/vnc-launcher';
import { ChatConsole } from '../chat/chat-console';
import { Agent } from '../core/agent';
import { FileTracker } from '../core/file-tracker';
import {
  KILL_SWITCH_MESSAGE,
  KillSwitch,
  PERSISTENT_KILL_SWITCH_MESSAGE,
  QUICK_KILL_SWITCH_MESSAGE,
} from '../core/kill-switch';
import type { AgentLogger } from '../core/logger';
import { registerDevice } from '../core/registration';
import { StatusLine } from '../core/status-line';
import type { PlatformAdapter } from '../platform/platform';
import { readCredential, readPersistentConfig } from '../service/persistent-config';
import { AGENT_VERSION } from '../version';
import { UsageError, type CliOptions } from './args';
import { ConsoleKeys } from './console-keys';
import { askOrUnavailable } from '../consent/ask-first';
import { filesConfig } from '../files/files-config';
import type { IndicatorActions } from '../consent/consent-types';
import { consentPrompters, createIndicator } from '../consent/consent-ui';

/** One line of printable text for the portal (hostnames can hold anything). */
function displayText(value: string, max: number): string {
  const clean = value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
  return (clean || 'unknown').slice(0, max);
}

export function registrationFacts(platform: PlatformAdapter, installerToken: string) {
  return {
    installerToken,
    hostname: displayText(hostname(), REGISTER_LIMITS.hostname),
    os: platform.os,
    osVersion: displayText(platform.osVersion(), REGISTER_LIMITS.osVersion),
    arch: /^[a-z0-9_]{1,16}$/.test(arch()) ? arch() : 'unknown',
    agentVersion: AGENT_VERSION,
    protocolVersion: PROTOCOL_VERSION,
  };
}

/** The install script's temporary folder, only when it is recognisably ours (it gets deleted). */
export function checkWorkDir(dir: string): string {
  if (!/^qs-agent\.[A-Za-z0-9]{6,}$/.test(basename(dir)) || !existsSync(join(dir, 'agent.js'))) {
    throw new UsageError("--work-dir must be the install script's own qs-agent.* folder holding agent.js.");
  }
  return dir;
}

export interface RunContext {
  options: CliOptions;
  platform: PlatformAdapter;
  installerToken: string | undefined;
  logger: AgentLogger;
  exit: (code: number) => void;
}

/** Quick-support: register, run in the foreground with a status line, remove everything at the end. */
export async function runQuick(ctx: RunContext): Promise<void> {
  const { options, platform, logger } = ctx;
  const files = new FileTracker(logger);
  if (options.workDir) files.track(checkWorkDir(options.workDir));
  const status = new StatusLine(options.brand, (line) => process.stdout.write(line));
  let device: RegisterResponse;
  try {
    if (!options.portalUrl)
      throw new UsageError('run needs --portal (quick-support) or --config (persistent).');
    if (!ctx.installerToken) throw new UsageError('QS_INSTALLER_TOKEN is not set.');
    status.update({ connection: 'connecting', channels: [], killSwitch: options.killSwitch });
    device = await registerDevice(options.portalUrl, registrationFacts(platform, ctx.installerToken), {
      logger,
    });
  } catch (err) {
    await files.removeAll();
    throw err;
  }
  const launcher = options.startVnc === false ? undefined : X11VncLauncher.detect(logger);
  // The refusal tells the technician about the K key only when the customer actually has one.
  const killSwitch = new KillSwitch(
    options.killSwitch,
    ConsoleKeys.available(process.stdin) ? QUICK_KILL_SWITCH_MESSAGE : KILL_SWITCH_MESSAGE,
  );
  // K in this console flips the kill switch; Ctrl-C (read as a key in raw mode) still ends the session.
  const keys = new ConsoleKeys(process.stdin, {
    toggleKillSwitch: () => killSwitch.toggle(),
    interrupt: () => void agent.end('user_exit'),
  });
  // What the person at the computer can do from the indicator (the keys, the window's buttons).
  const actions: IndicatorActions = {
    endNow: () => agent.endNow(),
    stopChannel: (channel) => agent.stopChannel(channel),
    setScreenMode: (mode) => agent.setScreenMode(mode),
  };
  // The technician's chat messages print here; where keys are read, M answers (protocol 1.3).
  const chat = new ChatConsole({
    brand: options.brand,
    write: (text) => process.stdout.write(text),
    keys,
  });
  const agent: Agent = new Agent({
    mode: 'quick',
    device,
    platform,
    logger,
    killSwitch,
    status,
    chat,
    // Asked on the desktop (a dialog) and in this terminal at once; the first answer counts.
    asking: {
      devicePolicy: 'ask',
      organisation: options.brand,
      prompters: () =>
        consentPrompters(platform.os, {
          logger,
          brand: options.brand,
          interactive: true,
          ...(keys.reading && { keys }),
        }),
      ask: askOrUnavailable,
      log: (line) => logger.info(line),
    },
    indicator: createIndicator(platform.os, { logger, actions, status, keys }),
    vnc: {
      host: options.vncHost,
      port: options.vncPort,
      // Allowing the screen is the consent: x11vnc starts for the session unless --no-start-vnc.
      launcher,
    },
    files,
    maxLifetimeMs: options.maxLifetimeSec > 0 ? options.maxLifetimeSec * 1000 : undefined,
    onExit: (code) => {
      keys.stop();
      ctx.exit(code);
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => void agent.end('user_exit'));
  if (keys.start()) status.enableKillSwitchKey();
  agent.start();
}

/** Persistent: the credential from the root-only file, no re-registration, the admin's kill switch watched. */
export function runPersistent(ctx: RunContext): void {
  const { options, platform, logger } = ctx;
  if (!options.configFile) throw new UsageError('persistent mode needs --config.');
  const configFile = options.configFile;
  const config = readPersistentConfig(configFile);
  const killSwitch = new KillSwitch(options.killSwitch || config.killSwitch, PERSISTENT_KILL_SWITCH_MESSAGE);
  const launcher = config.startVnc ? X11VncLauncher.detect(logger) : undefined;
  let consentPolicy = config.consent;
  const actions: IndicatorActions = {
    endNow: () => agent.endNow(),
    stopChannel: (channel) => agent.stopChannel(channel),
    setScreenMode: (mode) => agent.setScreenMode(mode),
  };
  const agent: Agent = new Agent({
    mode: 'persistent',
    device: readCredential(config.credentialFile),
    platform,
    logger,
    killSwitch,
    // A service has no terminal; it asks on a desktop when it can reach one, and otherwise a channel
    // under the `ask` policy is refused (unattended servers set `consent` in agent.json and the portal).
    asking: {
      devicePolicy: () => consentPolicy,
      organisation: config.brand,
      prompters: () => consentPrompters(platform.os, { logger, brand: config.brand, interactive: false }),
      ask: askOrUnavailable,
      log: (line) => logger.info(line),
    },
    indicator: createIndicator(platform.os, { logger, actions }),
    vnc: {
      host: config.vncHost,
      port: config.vncPort,
      launcher,
    },
    files: new FileTracker(logger),
    filesConfig: filesConfig(
      { maxUploadMb: config.filesMaxUploadMb, maxTransfers: config.filesMaxTransfers },
      process.env,
      (line) => logger.warn(`agent.json: ${line}`),
    ),
    onExit: (code) => {
      unwatchFile(configFile);
      ctx.exit(code);
    },
  });
  // The administrator flips the kill switch by editing agent.json; no restart needed.
  watchFile(configFile, { interval: 2000 }, () => {
    try {
      const current = readPersistentConfig(configFile);
      killSwitch.set(options.killSwitch || current.killSwitch);
      consentPolicy = current.consent;
    } catch (err) {
      logger.warn(`could not re-read ${configFile}: ${String(err)}`);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void agent.end('shutdown'));
  agent.start();
}
