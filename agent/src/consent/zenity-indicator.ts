import type { ChildProcess } from 'node:child_process';
import type { AgentLogger } from '../core/logger';
import { safe } from '../core/logger';
import { describeIndicatorState } from './consent-text';
import type { Indicator, IndicatorActions, IndicatorState } from './consent-types';
import {
  collect,
  defaultSpawn,
  findExecutable,
  hasDesktop,
  noDisplay,
  zenityText,
  type SpawnFn,
} from './zenity';
import { everyInterval, type Every } from './terminal-indicator';

/** The indicator window's buttons (zenity prints the label of the one pressed, `_` included). */
export const INDICATOR_BUTTONS = {
  endNow: '_End now',
  viewOnly: '_View only',
  control: 'Allow _control',
  stopScreen: '_Stop screen',
} as const;
type ButtonLabel = (typeof INDICATOR_BUTTONS)[keyof typeof INDICATOR_BUTTONS];

export const INDICATOR_TITLE = 'Remote support is active';

/** The window's text: who, from where, what they can do and for how long. */
export function indicatorText(state: IndicatorState, now: Date): string {
  return describeIndicatorState(state, now);
}

/** The buttons that apply to what is open: End now always; the screen's mode and Stop screen with a screen. */
export function indicatorButtons(state: IndicatorState): ButtonLabel[] {
  const caps = new Set(state.capabilities);
  const buttons: ButtonLabel[] = [INDICATOR_BUTTONS.endNow];
  if (caps.has('control')) buttons.push(INDICATOR_BUTTONS.viewOnly);
  else if (caps.has('view')) buttons.push(INDICATOR_BUTTONS.control);
  if (caps.has('view') || caps.has('control')) buttons.push(INDICATOR_BUTTONS.stopScreen);
  return buttons;
}

/**
 * `zenity --progress --pulsate` arguments: a small window whose text is fed as `# text` lines on stdin
 * (plain text: the untrusted names never meet markup, and the starting `--text` is constant). The
 * actions are extra buttons; Cancel is hidden (`--no-cancel`) so no button is ambiguous.
 */
export function zenityIndicatorArgs(buttons: readonly string[]): string[] {
  return [
    '--progress',
    '--pulsate',
    `--title=${INDICATOR_TITLE}`,
    `--text=${INDICATOR_TITLE}`,
    '--width=420',
    '--no-cancel',
    ...buttons.map((b) => `--extra-button=${b}`),
  ];
}

export interface ZenityIndicatorOptions {
  env: NodeJS.ProcessEnv;
  logger: AgentLogger;
  actions: IndicatorActions;
  zenity?: string;
  spawn?: SpawnFn;
  now?: () => Date;
  every?: Every;
}

/**
 * The always-visible window on a Linux desktop (zenity), beside the terminal line. Its buttons call
 * {@link IndicatorActions}: End now ends the session; View only / Allow control switch the screen's
 * mode and Stop screen takes the screen back (the window reopens, as zenity closes on any button).
 * Closed by the customer (Escape, the window's close box): it stays closed until what the technician can
 * do changes; the terminal line remains, nothing stops silently. Crashed or failed to start: logged, and
 * the terminal line remains.
 */
export class ZenityIndicator implements Indicator {
  private readonly zenity: string | undefined;
  private readonly spawn: SpawnFn;
  private child: ChildProcess | undefined;
  private buttons = '';
  private state: IndicatorState | undefined;
  private lastText = '';
  /** The capabilities the customer closed the window on: it reopens only when they change. */
  private dismissedFor: string | undefined;
  private failed = false;
  private closed = false;
  private ticker: { cancel(): void } | undefined;

  constructor(private readonly options: ZenityIndicatorOptions) {
    this.zenity = options.zenity ?? findExecutable('zenity', options.env);
    this.spawn = options.spawn ?? defaultSpawn;
  }

  get available(): boolean {
    return this.zenity !== undefined && hasDesktop(this.options.env);
  }

  /** The window's process id while it is open (for tests and logs). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  show(state: IndicatorState): void {
    if (this.closed) return;
    if (state.capabilities.length === 0) {
      this.state = undefined;
      this.stopWindow();
      this.ticker?.cancel();
      this.ticker = undefined;
      return;
    }
    const caps = [...state.capabilities].sort().join(',');
    if (this.dismissedFor !== undefined && this.dismissedFor !== caps) this.dismissedFor = undefined;
    this.state = { ...state, capabilities: [...state.capabilities] };
    this.ticker ??= (this.options.every ?? everyInterval)(60_000, () => this.render());
    this.render();
  }

  close(): void {
    this.closed = true;
    this.state = undefined;
    this.ticker?.cancel();
    this.ticker = undefined;
    this.stopWindow();
  }

  private render(): void {
    const state = this.state;
    if (!state || this.failed || !this.available) return;
    if (this.dismissedFor === [...state.capabilities].sort().join(',')) return;
    const buttons = indicatorButtons(state);
    if (this.child && this.buttons !== buttons.join('|')) this.stopWindow();
    if (!this.child) this.startWindow(buttons);
    const text = indicatorText(state, (this.options.now ?? (() => new Date()))());
    if (text !== this.lastText) {
      this.lastText = text;
      this.child?.stdin?.write(`# ${zenityText(text)}\n`);
    }
  }

  private startWindow(buttons: ButtonLabel[]): void {
    let child: ChildProcess;
    try {
      child = this.spawn(this.zenity as string, zenityIndicatorArgs(buttons), {
        env: this.options.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (err) {
      this.fail(`could not start: ${safe(err)}`);
      return;
    }
    this.child = child;
    this.buttons = buttons.join('|');
    this.lastText = '';
    // A window that died leaves a broken pipe: the close handler below says what happened.
    child.stdin?.on('error', () => undefined);
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    child.once('error', (err) => {
      if (this.child === child) this.child = undefined;
      this.fail(`could not start: ${safe(err)}`);
    });
    child.once('close', (code, signal) => {
      if (this.child !== child) return; // replaced or stopped by us
      this.child = undefined;
      this.onWindowClosed(code, signal, stdout().trim(), stderr());
    });
  }

  private onWindowClosed(
    code: number | null,
    signal: NodeJS.Signals | null,
    label: string,
    stderr: string,
  ): void {
    const { actions, logger } = this.options;
    const state = this.state;
    if (code === 1 && label === INDICATOR_BUTTONS.endNow) {
      logger.info('the customer pressed End now in the indicator window');
      actions.endNow();
      return;
    }
    if (code === 1 && label) {
      if (label === INDICATOR_BUTTONS.viewOnly) actions.setScreenMode('view_only');
      else if (label === INDICATOR_BUTTONS.control) actions.setScreenMode('control');
      else if (label === INDICATOR_BUTTONS.stopScreen) actions.stopChannel('screen');
      else logger.warn(`indicator window printed an unknown answer: ${safe(label, 60)}`);
      this.render();
      return;
    }
    if (code === 1 && !signal && !noDisplay(stderr)) {
      logger.info('the indicator window was closed; the terminal line still shows the session');
      if (state) this.dismissedFor = [...state.capabilities].sort().join(',');
      return;
    }
    this.fail(`ended (${signal ?? `exit ${String(code)}`}): ${safe(stderr, 300)}`);
  }

  private fail(why: string): void {
    this.failed = true;
    this.options.logger.warn(`indicator window ${why}; the terminal line still shows the session`);
  }

  private stopWindow(): void {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}
