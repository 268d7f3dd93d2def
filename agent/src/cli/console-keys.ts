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
 *
 * One exception, asked for on purpose: M starts a reply to the technician's chat
 * ({@link ConsoleKeys.onMessageKey}, {@link ConsoleKeys.readLine}). While that line is being typed every
 * key is text (K too: a message may contain a k), Enter sends, Backspace deletes, Esc cancels (and
 * then K is the kill switch again). Ctrl-C still ends the session. A pending consent question is not
 * answered by what is typed into the line, so it times out as a Deny if nobody answers it after.
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
const ESC = '\u001b';

/** A line being typed (a chat reply): what the console echoes and where the line goes. */
export interface LineReader {
  /** Echo: characters typed, or `\b \b` for a Backspace. */
  echo(text: string): void;
  /** Enter: the line as typed; Esc or Ctrl-C: null. */
  done(line: string | null): void;
}

export class ConsoleKeys {
  private active = false;
  private readonly captures: Capture[] = [];
  private channelKey: ((key: string) => void) | undefined;
  private messageKey: (() => void) | undefined;
  private line: { reader: LineReader; text: string[]; max: number } | undefined;

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
    this.line = undefined;
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

  /** M (when no pending question claims it) goes to `handler`: start a chat reply. */
  onMessageKey(handler: (() => void) | undefined): void {
    this.messageKey = handler;
  }

  /** Whether a line is being typed. */
  get typingLine(): boolean {
    return this.line !== undefined;
  }

  /**
   * Reads one line of text (at most `max` characters) instead of keys, until Enter or Esc. False when
   * keys are not being read or a line is already being typed.
   */
  readLine(reader: LineReader, max: number): boolean {
    if (!this.active || this.line) return false;
    this.line = { reader, text: [], max };
    return true;
  }

  private listen(): void {
    this.input.setRawMode?.(true);
    this.input.on('data', this.onData);
    this.input.resume();
    this.active = true;
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.line) {
      this.lineData(text);
      return;
    }
    const chars = [...text];
    for (let i = 0; i < chars.length; i++) {
      const raw = chars[i];
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
      else if (key === 'm' && this.messageKey) {
        this.messageKey();
        // The rest of the chunk (typed fast, or pasted) is the start of the line.
        if (this.line) {
          const rest = chars.slice(i + 1).join('');
          if (rest) this.lineData(rest);
          return;
        }
      } else if (/^[a-z]$/.test(key)) this.channelKey?.(key);
    }
  };

  /** Keys while a line is typed: text, Backspace, Enter, Esc; escape sequences (arrows…) are ignored. */
  private lineData(text: string): void {
    const line = this.line;
    if (!line) return;
    if (text === ESC) return this.finishLine(null);
    if (text.startsWith(ESC)) return;
    for (const ch of text) {
      if (ch === CTRL_C) {
        this.finishLine(null);
        this.handlers.interrupt();
        return;
      }
      if (ch === '\r' || ch === '\n') return this.finishLine(line.text.join(''));
      if (ch === '\u007f' || ch === '\b') {
        if (line.text.pop() !== undefined) line.reader.echo('\b \b');
        continue;
      }
      // Other control characters are never text (the portal would strip them anyway).
      if (/[\p{Cc}]/u.test(ch) || line.text.length >= line.max) continue;
      line.text.push(ch);
      line.reader.echo(ch);
    }
  }

  private finishLine(value: string | null): void {
    const line = this.line;
    this.line = undefined;
    line?.reader.done(value);
  }
}
