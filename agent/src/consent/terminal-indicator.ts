import type { ConsoleKeys } from '../cli/console-keys';
import type { StatusLine } from '../core/status-line';
import type { Indicator, IndicatorActions, IndicatorState } from './consent-types';

/** How the minute tick is scheduled (tests drive it by hand). */
export type Every = (ms: number, tick: () => void) => { cancel(): void };

export const everyInterval: Every = (ms, tick) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return { cancel: () => clearInterval(timer) };
};

/**
 * The indicator on the terminal's status line (core/status-line.ts): who, from where, what they can do,
 * for how long, and the keys. The line is re-checked once a minute (it only prints when the minutes
 * changed). With a console reading keys, the channel keys act through {@link IndicatorActions}:
 * V switches the screen between control and view-only, S stops sharing the screen, T closes the terminal,
 * R stops running commands (K and Ctrl-C stay with the kill switch and ending the session).
 */
export class TerminalIndicator implements Indicator {
  private state: IndicatorState | undefined;
  private ticker: { cancel(): void } | undefined;

  constructor(
    private readonly status: StatusLine,
    private readonly actions: IndicatorActions,
    private readonly options: { keys?: ConsoleKeys; every?: Every } = {},
  ) {
    options.keys?.onChannelKey((key) => this.key(key));
  }

  show(state: IndicatorState): void {
    if (state.capabilities.length === 0) {
      this.hide();
      return;
    }
    this.state = { ...state, capabilities: [...state.capabilities] };
    if (this.options.keys?.reading) this.status.enableChannelKeys();
    this.status.setIndicator(this.state);
    this.ticker ??= (this.options.every ?? everyInterval)(60_000, () => this.status.refresh());
  }

  close(): void {
    this.hide();
    this.options.keys?.onChannelKey(undefined);
  }

  /** A channel key pressed in the console; keys for channels that are not open do nothing. */
  key(key: string): void {
    const caps = new Set(this.state?.capabilities ?? []);
    const screen = caps.has('view') || caps.has('control');
    if (key === 'v' && screen) this.actions.setScreenMode(caps.has('control') ? 'view_only' : 'control');
    else if (key === 's' && screen) this.actions.stopChannel('screen');
    else if (key === 't' && caps.has('terminal')) this.actions.stopChannel('shell');
    else if (key === 'r' && caps.has('commands')) this.actions.stopChannel('commands');
    else if (key === 'f' && caps.has('files')) this.actions.stopChannel('files');
  }

  private hide(): void {
    this.ticker?.cancel();
    this.ticker = undefined;
    this.state = undefined;
    this.status.setIndicator(undefined);
  }
}
