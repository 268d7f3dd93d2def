import { cleanLine, describeCapabilities, describeElapsed, NAME_MAX_CHARS } from '../consent/consent-text';
import type { IndicatorState } from '../consent/consent-types';

/**
 * The plain status line a quick-support customer reads in the terminal: who is connected, what they
 * can do, for how long, whether remote control is switched off (and, where the console reads keys, how to
 * flip it and take channels back), and how to end the session. A new line is printed only when the text
 * changes; the elapsed time counts in whole minutes, so the line changes at most once a minute.
 */
export interface StatusState {
  connection: 'connecting' | 'connected' | 'reconnecting' | 'ending';
  technician?: string;
  channels: readonly string[];
  killSwitch: boolean;
}

const CHANNEL_WORDS: Record<string, string> = {
  screen: 'your screen',
  shell: 'a terminal',
  commands: 'commands',
};

export interface StatusOptions {
  /** The console reads the K key (cli/console-keys.ts): say so. */
  killSwitchKey?: boolean;
  /** The console also reads the channel keys (V, S, T): say which apply. */
  channelKeys?: boolean;
}

/** What the indicator knows (consent/terminal-indicator.ts) and the time to count from. */
export interface StatusIndicator {
  state: IndicatorState;
  now: Date;
}

export function describeStatus(
  brand: string,
  state: StatusState,
  options: StatusOptions = {},
  indicator?: StatusIndicator,
): string {
  const prefix = `[${brand}]`;
  const end = 'Press Ctrl-C to end the session.';
  if (
    state.connection === 'connected' &&
    !state.killSwitch &&
    indicator &&
    indicator.state.capabilities.length > 0
  )
    return describeIndicator(prefix, indicator, options);
  if (options.killSwitchKey && state.connection === 'connected') return describeWithKey(prefix, state);
  switch (state.connection) {
    case 'connecting':
      return `${prefix} Connecting to the support portal… ${end}`;
    case 'reconnecting':
      return `${prefix} Connection lost; reconnecting… ${end}`;
    case 'ending':
      return `${prefix} Ending the session and removing the support agent…`;
    case 'connected': {
      const kill = state.killSwitch ? ' Remote control is switched off on this computer.' : '';
      if (state.channels.length === 0) return `${prefix} Connected. Waiting for a technician.${kill} ${end}`;
      const who = state.technician ? `Technician ${state.technician}` : 'A technician';
      const what = state.channels.map((c) => CHANNEL_WORDS[c] ?? c).join(', ');
      return `${prefix} ${who} is connected (${what}).${kill} ${end}`;
    }
  }
}

/** Connected, with the K key available: the switch's state and how to flip it are always on the line. */
function describeWithKey(prefix: string, state: StatusState): string {
  if (state.killSwitch) {
    return `${prefix} Connected. Remote control is switched OFF on this computer: press K to allow it again, Ctrl-C to end the session.`;
  }
  const keys = 'Press K to switch remote control off, Ctrl-C to end the session.';
  if (state.channels.length === 0) return `${prefix} Connected. Waiting for a technician. ${keys}`;
  const who = state.technician ? `Technician ${state.technician}` : 'A technician';
  const what = state.channels.map((c) => CHANNEL_WORDS[c] ?? c).join(', ');
  return `${prefix} ${who} is connected (${what}). ${keys}`;
}

/**
 * `[B] Alex from Acme can see your screen and use a terminal (for 12 minutes). Press V to allow control,
 * S to stop sharing the screen, T to close the terminal, K to switch remote control off, Ctrl-C to end
 * the session.`
 */
function describeIndicator(prefix: string, indicator: StatusIndicator, options: StatusOptions): string {
  const { state, now } = indicator;
  const technician = cleanLine(state.technician, NAME_MAX_CHARS) || 'A technician';
  const organisation = cleanLine(state.organisation, NAME_MAX_CHARS);
  const who = organisation ? `${technician} from ${organisation}` : technician;
  const what = `${who} can ${describeCapabilities(state.capabilities)} (for ${describeElapsed(state.since, now)}).`;
  const keys: string[] = [];
  if (options.channelKeys) keys.push(...channelKeyWords(state));
  if (options.killSwitchKey) keys.push('K to switch remote control off');
  keys.push('Ctrl-C to end the session');
  return `${prefix} ${what} Press ${keys.join(', ')}.`;
}

/** The channel keys that apply to what is open (console-keys.ts routes them; terminal-indicator.ts acts). */
export function channelKeyWords(state: IndicatorState): string[] {
  const caps = new Set(state.capabilities);
  const words: string[] = [];
  if (caps.has('control')) words.push('V for view only');
  else if (caps.has('view')) words.push('V to allow control');
  if (caps.has('view') || caps.has('control')) words.push('S to stop sharing the screen');
  if (caps.has('terminal')) words.push('T to close the terminal');
  if (caps.has('commands')) words.push('R to stop running commands');
  return words;
}

export class StatusLine {
  private last = '';
  private lastState: StatusState | undefined;
  private options: StatusOptions = {};
  private indicator: IndicatorState | undefined;

  constructor(
    private readonly brand: string,
    private readonly write: (line: string) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** From now on the line tells the customer about the K key (and reprints itself if that changes it). */
  enableKillSwitchKey(): void {
    this.options = { ...this.options, killSwitchKey: true };
    this.refresh();
  }

  /** From now on the line names the channel keys (V, S, T, R) that apply. */
  enableChannelKeys(): void {
    this.options = { ...this.options, channelKeys: true };
    this.refresh();
  }

  /** What the always-visible indicator shows (who, what they can do, since when); undefined clears it. */
  setIndicator(state: IndicatorState | undefined): void {
    this.indicator = state;
    this.refresh();
  }

  update(state: StatusState): void {
    this.lastState = state;
    this.print();
  }

  /** Reprints if the text changed (e.g. the elapsed minutes). */
  refresh(): void {
    if (this.lastState) this.print();
  }

  private print(): void {
    if (!this.lastState) return;
    const indicator = this.indicator ? { state: this.indicator, now: this.now() } : undefined;
    const text = describeStatus(this.brand, this.lastState, this.options, indicator);
    if (text === this.last) return;
    this.last = text;
    this.write(`${text}\n`);
  }
}
