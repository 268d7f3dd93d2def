/**
 * The plain status line a quick-support customer reads in the terminal: who is connected, what they
 * can see, whether remote control is switched off (and, where the console reads keys, how to flip it),
 * and how to end the session. A new line is printed only when the text changes.
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
}

export function describeStatus(brand: string, state: StatusState, options: StatusOptions = {}): string {
  const prefix = `[${brand}]`;
  const end = 'Press Ctrl-C to end the session.';
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

export class StatusLine {
  private last = '';
  private lastState: StatusState | undefined;
  private options: StatusOptions = {};

  constructor(
    private readonly brand: string,
    private readonly write: (line: string) => void,
  ) {}

  /** From now on the line tells the customer about the K key (and reprints itself if that changes it). */
  enableKillSwitchKey(): void {
    this.options = { ...this.options, killSwitchKey: true };
    if (this.lastState) this.update(this.lastState);
  }

  update(state: StatusState): void {
    this.lastState = state;
    const text = describeStatus(this.brand, state, this.options);
    if (text === this.last) return;
    this.last = text;
    this.write(`${text}\n`);
  }
}
