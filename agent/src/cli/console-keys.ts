/**
 * Single keys the quick-support customer presses in the agent's console: K switches remote control off
 * and on again (the kill switch); Ctrl-C still ends the session. Raw keys are read only when standard
 * input is a terminal — never from a pipe or a service, where nobody is there to press them.
 *
 * In raw mode the terminal no longer turns Ctrl-C into SIGINT, so it is read here and handed to
 * `interrupt`. Two more kinds of key, always in raw mode (a line-mode prompt would swallow K):
 * - a pending question ({@link ConsoleKeys.capture}) takes the keys it answers with (Y / A / V / N);
 * - otherwise, other letters go to the channel keys ({@link ConsoleKeys.onChannelKey}: V, S, T…).
 * K and Ctrl-C keep their meaning whatever is pending.
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

/** A pending question's claim on some keys (lower-case letters). */
interface Capture {
  keys: ReadonlySet<string>;
  onKey: (key: string) => void;
}

const CTRL_C = '\u0003';

export class ConsoleKeys {
  private active = false;
  private readonly captures: Capture[] = [];
  private channelKey: ((key: string) => void) | undefined;

  constructor(
    private readonly input: KeyboardInput,
    private readonly handlers: ConsoleKeyHandlers,
  ) {}

  /** Whether keys can be read from `input` at all (a terminal that supports raw mode). */
  static available(input: KeyboardInput): boolean {
    return input.isTTY === true && typeof input.setRawMode === 'function';
  }

  /** Whether keys are being read right now (started, on a terminal). */
  get reading(): boolean {
    return this.active;
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

  /**
   * While a question is pending, `keys` (letters, either case) go to `onKey` instead of anywhere else;
   * K and Ctrl-C keep their meaning (a question never claims them). Questions queue: the oldest pending
   * one takes its keys. Returns the release function (idempotent).
   */
  capture(keys: readonly string[], onKey: (key: string) => void): () => void {
    const claim: Capture = {
      keys: new Set(keys.map((k) => k.toLowerCase()).filter((k) => k !== 'k' && k !== CTRL_C)),
      onKey,
    };
    this.captures.push(claim);
    return () => {
      const at = this.captures.indexOf(claim);
      if (at >= 0) this.captures.splice(at, 1);
    };
  }

  /** Letters nobody else claims (no pending question takes them) go to `handler`: the channel keys. */
  onChannelKey(handler: ((key: string) => void) | undefined): void {
    this.channelKey = handler;
  }

  private listen(): void {
    this.input.setRawMode?.(true);
    this.input.on('data', this.onData);
    this.input.resume();
    this.active = true;
  }

  private readonly onData = (chunk: Buffer | string): void => {
    for (const raw of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
      if (raw === CTRL_C) {
        this.handlers.interrupt();
        continue;
      }
      const key = raw.toLowerCase();
      if (key === 'k') {
        this.handlers.toggleKillSwitch();
        continue;
      }
      const capture = this.captures[0];
      if (capture?.keys.has(key)) capture.onKey(key);
      else if (/^[a-z]$/.test(key)) this.channelKey?.(key);
    }
  };
}
