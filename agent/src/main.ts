import { execFile } from 'node:child_process';
import { PROTOCOL_VERSION } from '../../contracts/agent-protocol/version';
import { USAGE, UsageError, parseArgs, type CliOptions } from './cli/args';
import { setConsoleLanguage } from './i18n/console-text';
import { registrationFacts, runPersistent, runQuick } from './cli/run';
import { createLogger, safe, type LogLevel } from './core/logger';
import { RegistrationError, registerDevice } from './core/registration';
import { detectPlatform } from './platform/detect';
import { installPersistent, uninstallPersistent, type Exec } from './service/installer';
import { UnsafeInstallPathError } from './service/root-only-path';
import { AGENT_VERSION } from './version';

/**
 * Entry point of the bundled agent (dist/agent/agent.js). The installer token arrives in the
 * environment (never on the command line, where other local users could read it) and is removed from
 * it at once so no child process (shell, commands) inherits it.
 */
const installerToken = process.env.QS_INSTALLER_TOKEN;
delete process.env.QS_INSTALLER_TOKEN;

const execReal: Exec = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, (err) => (err ? reject(new Error(`${file} failed: ${err.message}`)) : resolve()));
  });

function logLevel(options: CliOptions): LogLevel {
  const fromEnv = process.env.QS_LOG_LEVEL;
  if (options.logLevel) return options.logLevel;
  if (
    fromEnv === 'debug' ||
    fromEnv === 'info' ||
    fromEnv === 'warn' ||
    fromEnv === 'error' ||
    fromEnv === 'silent'
  )
    return fromEnv;
  return options.mode === 'quick' && options.command === 'run' ? 'warn' : 'info';
}

async function main(argv: string[]): Promise<void> {
  const options = parseArgs(argv, process.env);
  // Before anything is printed: every prompt and status line speaks the customer's language.
  setConsoleLanguage(options.language);
  const logger = createLogger(logLevel(options));
  const exit = (code: number): void => {
    process.exitCode = code;
    setImmediate(() => process.exit(code));
  };
  switch (options.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    case 'version':
      process.stdout.write(`agent ${AGENT_VERSION}, protocol ${PROTOCOL_VERSION}\n`);
      return;
    case 'run': {
      const platform = detectPlatform();
      if (options.mode === 'persistent') runPersistent({ options, platform, installerToken, logger, exit });
      else await runQuick({ options, platform, installerToken, logger, exit });
      return;
    }
    case 'install': {
      const platform = detectPlatform();
      const portalUrl = options.portalUrl;
      if (!portalUrl) throw new UsageError('install needs --portal.');
      if (!installerToken) throw new UsageError('QS_INSTALLER_TOKEN is not set.');
      const layout = await installPersistent(options, {
        os: platform.os,
        exec: execReal,
        logger,
        register: () => registerDevice(portalUrl, registrationFacts(platform, installerToken), { logger }),
        nodeExecPath: process.execPath,
        agentSource: process.argv[1],
      });
      process.stdout.write(
        `The ${options.brand} agent is installed. To remove it: sudo ${layout.uninstallScript}\n`,
      );
      return;
    }
    case 'uninstall':
      await uninstallPersistent(options, { os: detectPlatform().os, exec: execReal, logger });
      process.stdout.write('The remote support agent and its files were removed.\n');
      return;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`${err.message}\n${USAGE}\n`);
  else if (err instanceof RegistrationError || err instanceof UnsafeInstallPathError)
    process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`The agent stopped: ${safe(err, 300)}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
