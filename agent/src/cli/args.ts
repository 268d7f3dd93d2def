import { AGENT_MODES, type AgentMode } from '../../../contracts/agent-protocol/enums';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../../../contracts/i18n/language';
import { VALUE_PATTERNS } from '../../../contracts/installer-template';
import type { LogLevel } from '../core/logger';

export const COMMANDS = ['run', 'install', 'uninstall', 'version', 'help'] as const;
export type CliCommand = (typeof COMMANDS)[number];

export interface CliOptions {
  command: CliCommand;
  portalUrl?: string;
  mode: AgentMode;
  brand: string;
  /** The language it speaks to the person at the computer (the install script passes the page's). */
  language: Language;
  /** The install script's temporary folder (quick-support): deleted when the agent ends. */
  workDir?: string;
  /** Persistent agents: the config file written by `install`. */
  configFile?: string;
  /** Install root (default `/`); tests install into a scratch folder. */
  prefix: string;
  vncHost: string;
  vncPort: number;
  /** true: start x11vnc without asking; false: never; undefined: ask the customer (quick-support, TTY). */
  startVnc?: boolean;
  killSwitch: boolean;
  maxLifetimeSec: number;
  logLevel?: LogLevel;
  /** install: write the files but do not enable or start the service. */
  noStart: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: agent.js <command> [options]
  run        run the agent (quick-support: --portal and QS_INSTALLER_TOKEN; persistent: --config)
  install    register with QS_INSTALLER_TOKEN and install as a service (--portal, --prefix, --no-start)
  uninstall  remove the service and every file install wrote (--prefix)
  version    print the agent and protocol versions
Options: --mode quick|persistent  --brand NAME  --lang ${LANGUAGES.join('|')}  --work-dir DIR  --config FILE  --prefix DIR
         --vnc-host HOST  --vnc-port PORT  --start-vnc | --no-start-vnc  --kill-switch
         --max-lifetime-sec N  --log-level debug|info|warn|error|silent`;

const DEFAULT_MAX_LIFETIME_SEC = 8 * 3600;
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const HOST_PATTERN = /^[A-Za-z0-9.:-]{1,253}$/;

/**
 * Reads the command line. QS_VNC_HOST / QS_VNC_PORT in the environment set the VNC defaults (a
 * customer can start the script with them when their VNC server listens elsewhere).
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliOptions {
  const [command = 'help', ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new UsageError(`Unknown command "${command.slice(0, 40)}".`);
  const options: CliOptions = {
    command: command as CliCommand,
    mode: 'quick',
    brand: 'Remote support',
    language: DEFAULT_LANGUAGE,
    prefix: '/',
    vncHost: env.QS_VNC_HOST ? checked('QS_VNC_HOST', env.QS_VNC_HOST, HOST_PATTERN) : '127.0.0.1',
    vncPort: env.QS_VNC_PORT ? integer('QS_VNC_PORT', env.QS_VNC_PORT, 1, 65535) : 5900,
    killSwitch: false,
    maxLifetimeSec: DEFAULT_MAX_LIFETIME_SEC,
    noStart: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--portal':
        options.portalUrl = checked(flag, value(), VALUE_PATTERNS.portalUrl);
        break;
      case '--mode':
        options.mode = oneOf(flag, value(), AGENT_MODES);
        break;
      case '--brand':
        options.brand = checked(flag, value(), VALUE_PATTERNS.brandName);
        break;
      case '--lang':
        options.language = oneOf(flag, value(), LANGUAGES);
        break;
      case '--work-dir':
        options.workDir = absolute(flag, value());
        break;
      case '--config':
        options.configFile = absolute(flag, value());
        break;
      case '--prefix':
        options.prefix = absolute(flag, value());
        break;
      case '--vnc-host':
        options.vncHost = checked(flag, value(), HOST_PATTERN);
        break;
      case '--vnc-port':
        options.vncPort = integer(flag, value(), 1, 65535);
        break;
      case '--start-vnc':
        options.startVnc = true;
        break;
      case '--no-start-vnc':
        options.startVnc = false;
        break;
      case '--kill-switch':
        options.killSwitch = true;
        break;
      case '--max-lifetime-sec':
        options.maxLifetimeSec = integer(flag, value(), 0, 7 * 86400);
        break;
      case '--log-level':
        options.logLevel = oneOf(flag, value(), LOG_LEVELS);
        break;
      case '--no-start':
        options.noStart = true;
        break;
      default:
        throw new UsageError(`Unknown option "${flag.slice(0, 40)}".`);
    }
  }
  return options;
}

function checked(flag: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new UsageError(`${flag} has an invalid value.`);
  return value;
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}.`);
  return value as T;
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${flag} must be a number from ${min} to ${max}.`);
  return n;
}

function absolute(flag: string, value: string): string {
  const isAbsolute = value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value);
  if (!isAbsolute || value.length > 1024 || /[\u0000-\u001f"%$`]/.test(value))
    throw new UsageError(`${flag} must be an absolute path.`);
  return value;
}
