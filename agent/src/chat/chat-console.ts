import type { ChatMessageMessage } from '../../../contracts/agent-protocol/control-messages';
import type { ConsoleKeys } from '../cli/console-keys';
import { say } from '../i18n/console-text';

/** The longest reply typed in the console (the portal's bound on a chat message). */
export const CONSOLE_REPLY_MAX = 1000;
const AUTHOR_MAX = 100;

/**
 * Terminal escape and control sequences: CSI (`ESC [` … final byte, and the 8-bit CSI U+009B), OSC
 * (`ESC ]` … BEL or ST: window titles, clipboard writes, hyperlinks), DCS / SOS / PM / APC strings
 * (`ESC P`, `ESC X`, `ESC ^`, `ESC _` … ST, and their 8-bit forms), and every other two-character
 * `ESC x` sequence. A sequence cut off at the end of the text is removed up to the end.
 */
const ESCAPE_SEQUENCES = new RegExp(
  [
    '(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]?',
    '(?:\\u001b\\]|\\u009d)[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?',
    '(?:\\u001b[PX^_]|[\\u0090\\u0098\\u009e\\u009f])[^\\u001b\\u009c]*(?:\\u001b\\\\|\\u009c)?',
    '\\u001b[\\s\\S]?',
  ].join('|'),
  'g',
);
/**
 * What is left that a terminal would act on or that hides text: C0/C1 controls but the line feed,
 * line/paragraph separators, bidirectional controls and invisible format characters.
 */
const UNSAFE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/gu;

/**
 * Text from the portal made safe to print on a terminal: escape sequences removed whole (so their
 * parameters do not leak as text), then every remaining control character; CR LF and CR become LF,
 * tabs a space. Pure, so a test can feed it anything.
 */
export function stripTerminalEscapes(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(ESCAPE_SEQUENCES, '').replace(UNSAFE, '');
}

/**
 * How a technician's message reads in the console:
 * ```
 * [Acme] Message from Alex Tech: Hello! I can see your screen now.
 *        Could you open the printer settings?
 * ```
 * in the console's language (`chat.from`).
 */
export function formatChatMessage(brand: string, author: string, body: string): string {
  const who = stripTerminalEscapes(author).replace(/\s+/g, ' ').trim().slice(0, AUTHOR_MAX);
  const from = who ? say('chat.from', { who }) : say('chat.fromAnyone');
  const prefix = `[${stripTerminalEscapes(brand).replace(/\s+/g, ' ').trim()}]`;
  const lines = stripTerminalEscapes(body)
    .split('\n')
    .map((l) => l.trimEnd());
  const indent = ' '.repeat(prefix.length + 1);
  return `${prefix} ${from} ${lines[0] ?? ''}${lines
    .slice(1)
    .map((l) => `\n${indent}${l}`)
    .join('')}\n`;
}

export interface ChatConsoleOptions {
  brand: string;
  write: (text: string) => void;
  /** The console's keys, when it reads them (a terminal): then M answers. */
  keys?: ConsoleKeys;
}

/** Sends a reply to the portal; the request id, or null when it cannot be sent now. */
export type ChatReplySender = (body: string) => string | null;

/**
 * The chat in the quick-support agent's console: prints the technician's messages (escape-free) and,
 * where the console reads keys, lets the person answer: M, a line of text, Enter. The portal's
 * answer to a reply (stored, or refused with a reason) is printed too.
 */
export class ChatConsole {
  private readonly pending = new Set<string>();
  private hinted = false;
  private reply: ChatReplySender | undefined;

  constructor(private readonly options: ChatConsoleOptions) {
    options.keys?.onMessageKey(() => this.startReply());
  }

  /** Whether the person can answer from this console. */
  get canReply(): boolean {
    return this.options.keys?.reading === true && this.reply !== undefined;
  }

  /** Where replies go (the agent, once it runs). */
  attach(reply: ChatReplySender): void {
    this.reply = reply;
  }

  show(message: Pick<ChatMessageMessage, 'author' | 'body'>): void {
    this.options.write(formatChatMessage(this.options.brand, message.author, message.body));
    if (this.canReply && !this.hinted) {
      this.hinted = true;
      this.options.write(`  ${say('chat.hint')}\n`);
    }
  }

  /** The portal stored a reply (`ack`); true when `replyTo` was one of ours. */
  delivered(replyTo: string): boolean {
    if (!this.pending.delete(replyTo)) return false;
    this.options.write(`  ${say('chat.sent')}\n`);
    return true;
  }

  /** The portal refused a reply (`error`); true when `replyTo` was one of ours. */
  refused(replyTo: string, message: string): boolean {
    if (!this.pending.delete(replyTo)) return false;
    const reason = stripTerminalEscapes(message).replace(/\s+/g, ' ').trim();
    this.options.write(`  ${say('chat.notSent', { reason })}\n`);
    return true;
  }

  close(): void {
    this.options.keys?.onMessageKey(undefined);
  }

  private startReply(): void {
    const { keys, write } = this.options;
    const reply = this.reply;
    if (!keys || !reply) return;
    const prompt = say('chat.prompt');
    const started = keys.readLine(
      {
        echo: (text) => write(text),
        done: (line) => {
          write('\n');
          const body = line?.trim() ?? '';
          if (line === null || body === '') {
            write(`  ${say('chat.nothingSent')}\n`);
            return;
          }
          const id = reply(body);
          if (id === null) write(`  ${say('chat.unreachable')}\n`);
          else this.pending.add(id);
        },
      },
      CONSOLE_REPLY_MAX,
    );
    if (started) write(prompt);
  }
}
