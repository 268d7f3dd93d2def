import type { AgentOs } from '../../../contracts/agent-protocol/enums';
import type { ConsoleKeys } from '../cli/console-keys';
import type { AgentLogger } from '../core/logger';
import type { StatusLine } from '../core/status-line';
import { nodeProcessHost, type ProcessHost } from '../remote-help/process-host';
import { windowsSystemRoot } from '../remote-help/windows-launch';
import type { ConsentPrompter, Indicator, IndicatorActions, IndicatorState } from './consent-types';
import { MacDialogPrompter } from './macos-dialog';
import { TerminalIndicator } from './terminal-indicator';
import { TerminalPrompter } from './terminal-prompter';
import { WindowsDialogPrompter } from './windows-dialog';
import { ZenityIndicator } from './zenity-indicator';
import { ZenityPrompter } from './zenity-prompter';

/**
 * The device-side consent UI for one OS, in one call each: the ways to ask (for consent/ask-first.ts)
 * and the indicator. Order matters only for readability; {@link askFirst} shows them all at once.
 */
export interface ConsentUiOptions {
  logger: AgentLogger;
  /** The console's key reader (quick-support in a terminal); absent for a service. */
  keys?: ConsoleKeys;
  /** Where the terminal prompt is printed (the agent's stdout). */
  write?: (text: string) => void;
  /** The brand on the terminal lines. */
  brand: string;
  env?: NodeJS.ProcessEnv;
  /** Windows and macOS programs run through this (remote-help's injected host). */
  host?: ProcessHost;
  /**
   * Whether the agent runs in the person's own desktop session (a quick-support agent they started).
   * A persistent agent runs as a service: on Windows its session 0 has no desktop to ask on.
   */
  interactive: boolean;
}

/** The prompters for this OS: the desktop dialog first, then the terminal (when it reads keys). */
export function consentPrompters(os: AgentOs, options: ConsentUiOptions): ConsentPrompter[] {
  const env = options.env ?? process.env;
  const host = options.host ?? nodeProcessHost();
  const prompters: ConsentPrompter[] = [];
  switch (os) {
    case 'linux':
      prompters.push(new ZenityPrompter({ env, logger: options.logger }));
      break;
    case 'macos':
      prompters.push(
        new MacDialogPrompter({ host, logger: options.logger, isRoot: process.getuid?.() === 0 }),
      );
      break;
    case 'windows':
      prompters.push(
        new WindowsDialogPrompter({
          host,
          logger: options.logger,
          systemRoot: windowsSystemRoot(env),
          interactive: options.interactive,
        }),
      );
      break;
  }
  if (options.keys) {
    const write = options.write ?? ((text: string) => void process.stdout.write(text));
    prompters.push(new TerminalPrompter(options.keys, write, options.brand));
  }
  return prompters;
}

export interface IndicatorOptions {
  logger: AgentLogger;
  actions: IndicatorActions;
  /** The terminal's status line (quick-support); absent for a service. */
  status?: StatusLine;
  keys?: ConsoleKeys;
  env?: NodeJS.ProcessEnv;
}

/**
 * The indicator for this OS: the terminal line where there is one, plus a window on a Linux desktop
 * (zenity). macOS and Windows have the terminal line only for now (docs/consent.md).
 */
export function createIndicator(os: AgentOs, options: IndicatorOptions): Indicator {
  const env = options.env ?? process.env;
  const parts: Indicator[] = [];
  if (options.status)
    parts.push(new TerminalIndicator(options.status, options.actions, { keys: options.keys }));
  if (os === 'linux') {
    const window = new ZenityIndicator({ env, logger: options.logger, actions: options.actions });
    if (window.available) parts.push(window);
  }
  return combineIndicators(parts);
}

/** Several indicators as one: each shows the same state; closing closes all. */
export function combineIndicators(parts: readonly Indicator[]): Indicator {
  return {
    show: (state: IndicatorState) => parts.forEach((p) => p.show(state)),
    close: () => parts.forEach((p) => p.close()),
  };
}
