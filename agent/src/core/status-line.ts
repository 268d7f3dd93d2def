import { describeIndicatorState } from '../consent/consent-text';
import { say, type AgentKey } from '../i18n/console-text';
import type { IndicatorState } from '../consent/consent-types';

/**
 * The plain status line a quick-support customer reads in the terminal: who is connected, what they
 * can do, for how long, whether remote control is switched off (and, where the console reads keys, how to
 * flip it and take channels back), and how to end the session. A new line is printed only when the text
 * changes; the elapsed time counts in whole minutes, so the line changes at most once a minute. It speaks
 * the customer's language (i18n/console-text.ts); the keys stay the same letters in every language.
 */
export interface StatusState {
  connection: 'connecting' | 'connected' | 'reconnecting' | 'ending';
  technician?: string;
  channels: readonly string[];
  killSwitch: boolean;
}

const CHANNEL_KEYS: Record<string, AgentKey> = {
  screen: 'statusChannel.screen',
  shell: 'statusChannel.shell',
  commands: 'statusChannel.commands',
};

/** "your screen, a terminal" (an unknown channel by its own name). */
function channelWords(channels: readonly string[]): string {
  return channels
    .map((c) => {
      const key = Object.prototype.hasOwnProperty.call(CHANNEL_KEYS, c) ? CHANNEL_KEYS[c] : undefined;
      return key ? say(key) : c;
    })
    .join(', ');
}

/** `Technician Alex is connected (your screen).` */
function connectedWords(state: StatusState): string {
  const who = state.technician
    ? say('status.technicianNamed', { name: state.technician })
    : say('who.anyone');
  return say('status.connected', { who, what: channelWords(state.channels) });
}

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
  const end = say('status.end');
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
      return `${prefix} ${say('status.connecting')} ${end}`;
    case 'reconnecting':
      return `${prefix} ${say('status.reconnecting')} ${end}`;
    case 'ending':
      return `${prefix} ${say('status.ending')}`;
    case 'connected': {
      const kill = state.killSwitch ? ` ${say('status.killSwitchOn')}` : '';
      if (state.channels.length === 0) return `${prefix} ${say('status.waiting')}${kill} ${end}`;
      return `${prefix} ${connectedWords(state)}${kill} ${end}`;
    }
  }
}

/** Connected, with the K key available: the switch's state and how to flip it are always on the line. */
function describeWithKey(prefix: string, state: StatusState): string {
  if (state.killSwitch) return `${prefix} ${say('status.killSwitchOnKey')}`;
  const keys = say('status.keys');
  if (state.channels.length === 0) return `${prefix} ${say('status.waiting')} ${keys}`;
  return `${prefix} ${connectedWords(state)} ${keys}`;
}

/**
 * `[B] Alex from Acme can see your screen and use a terminal (for 12 minutes). Press V to allow control,
 * S to stop sharing the screen, T to close the terminal, K to switch remote control off, Ctrl-C to end
 * the session.`
 */
function describeIndicator(prefix: string, indicator: StatusIndicator, options: StatusOptions): string {
  const what = describeIndicatorState(indicator.state, indicator.now);
  const keys: string[] = [];
  if (options.channelKeys) keys.push(...channelKeyWords(indicator.state));
  if (options.killSwitchKey) keys.push(say('key.killSwitch'));
  keys.push(say('key.end'));
  return `${prefix} ${what} ${say('status.press', { keys: keys.join(', ') })}`;
}

/** The channel keys that apply to what is open (console-keys.ts routes them; terminal-indicator.ts acts). */
export function channelKeyWords(state: IndicatorState): string[] {
  const caps = new Set(state.capabilities);
  const words: string[] = [];
  if (caps.has('control')) words.push(say('key.viewOnly'));
  else if (caps.has('view')) words.push(say('key.allowControl'));
  if (caps.has('view') || caps.has('control')) words.push(say('key.stopScreen'));
  if (caps.has('terminal')) words.push(say('key.closeTerminal'));
  if (caps.has('commands')) words.push(say('key.stopCommands'));
  if (caps.has('files')) words.push(say('key.stopFiles'));
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
