/**
 * Single keys the quick-support customer presses in the agent's console: K switches remote control off
 * and on again (the kill switch); Ctrl-C still ends the session. Raw keys are read only when standard
 * input is a terminal — never from a pipe or a service, where nobody is there to press them.
 *
 * In raw mode the terminal no longer turns Ctrl-C into SIGINT, so it is read here and handed to
 * `onInterrupt`. A yes/no prompt needs the normal line mode: run it inside {@link ConsoleKeys.withLineMode}.
 */
export interface KeyboardInput {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface ConsoleKeyHandlers {
  toggleKillSwitch(): void;
  interrupt(): void;
}

const CTRL_C = '\u0003';

export class ConsoleKeys {
  private active = false;

  constructor(
    private readonly input: KeyboardInput,
    private readonly handlers: ConsoleKeyHandlers,
  ) {}

  /** Whether keys can be read from `input` at all (a terminal that supports raw mode). */
  static available(input: KeyboardInput): boolean {
    return input.isTTY === true && typeof input.setRawMode === 'function';
  }

  /** Starts reading keys; false (and nothing changed) when the input is not a terminal. */
  start(): boolean {
    if (this.active) return true;
    if (!ConsoleKeys.available(this.input)) return false;
    this.listen();
    return true;
  }

  /** Gives the terminal back (line mode, input paused). Safe to call more than once. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.input.off('data', this.onData);
    this.input.setRawMode?.(false);
    this.input.pause();
  }

  /** Runs `ask` with the terminal in line mode (a readline prompt), then goes back to single keys. */
  async withLineMode<T>(ask: () => Promise<T>): Promise<T> {
    const wasActive = this.active;
    this.stop();
    try {
      return await ask();
    } finally {
      if (wasActive) this.listen();
    }
  }

  private listen(): void {
    this.input.setRawMode?.(true);
    this.input.on('data', this.onData);
    this.input.resume();
    this.active = true;
  }

  private readonly onData = (chunk: Buffer | string): void => {
    for (const key of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
      if (key === 'k' || key === 'K') this.handlers.toggleKillSwitch();
      else if (key === CTRL_C) this.handlers.interrupt();
    }
  };
}
