import { EventEmitter } from 'node:events';
import { ConsoleKeys, type KeyboardInput } from '../cli/console-keys';
import { setConsoleLanguage } from '../i18n/console-text';
import { ChatConsole, formatChatMessage, stripTerminalEscapes } from './chat-console';

class FakeTerminal extends EventEmitter implements KeyboardInput {
  readonly isTTY = true;
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  press(keys: string): void {
    this.emit('data', Buffer.from(keys, 'utf8'));
  }
}

/** A console as the customer sees it: what was printed, the keys, and what was sent to the portal. */
function setup(opts: { tty?: boolean } = {}) {
  const out: string[] = [];
  const terminal = new FakeTerminal();
  const interrupt = jest.fn();
  const toggleKillSwitch = jest.fn();
  const keys = new ConsoleKeys(terminal, { toggleKillSwitch, interrupt });
  if (opts.tty !== false) keys.start();
  const sent: string[] = [];
  const chat = new ChatConsole({ brand: 'Acme', write: (text) => out.push(text), keys });
  chat.attach((body) => {
    sent.push(body);
    return `cr-${sent.length}`;
  });
  return { out, printed: () => out.join(''), terminal, chat, sent, interrupt, toggleKillSwitch };
}

describe('the chat in the agent console', () => {
  it('removes every terminal escape and control sequence, keeping the text around them', () => {
    const hostile = [
      'a\u001b[2J\u001b[H', // clear the screen, home the cursor
      'b\u001b]0;evil title\u0007', // window title (BEL)
      'c\u001b]52;c;cGF5bG9hZA==\u001b\\', // clipboard write (ST)
      'd\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\', // hyperlink
      'e\u001bP+q544e\u001b\\', // DCS query
      'f\u009b31m', // 8-bit CSI
      'g\u001b7\u001b8', // save / restore cursor
      'h\u0008\u0008\u007f', // backspaces and DEL
      'i\u202eright-to-left\u202c', // bidi override
      'j\r\n', // CR LF becomes LF
      'k\u001b[', // a sequence cut off at the end
    ].join('');
    expect(stripTerminalEscapes(hostile)).toBe('abcdlinkefghiright-to-leftj\nk');
    expect(stripTerminalEscapes('plain text, ünïcödé and emoji 👋')).toBe('plain text, ünïcödé and emoji 👋');
  });

  it('prints a technician message with its author, each further line indented', () => {
    expect(formatChatMessage('Acme', 'Alex Tech', 'Hello!\nCould you open the printer settings?')).toBe(
      '[Acme] Message from Alex Tech: Hello!\n       Could you open the printer settings?\n',
    );
    expect(formatChatMessage('Acme', '\u001b[31m\u0007', 'Hi \u001b]0;x\u0007there')).toBe(
      '[Acme] Message from your technician: Hi there\n',
    );
  });

  it('shows messages and, on a terminal, lets the person answer with M, a line and Enter', () => {
    const { printed, terminal, chat, sent, toggleKillSwitch } = setup();
    chat.show({ author: 'Alex', body: 'Is the printer on?' });
    expect(printed()).toContain('[Acme] Message from Alex: Is the printer on?\n');
    expect(printed()).toContain('Press M to answer');

    terminal.press('m');
    expect(printed()).toContain('Your answer (Enter sends, Esc cancels): ');
    // While typing, K is a letter, not the kill switch; Backspace deletes; arrow keys are ignored.
    terminal.press('Yes, it kept');
    terminal.press('\u007f\u007f\u007f\u007f');
    terminal.press('\u001b[D');
    terminal.press('is on');
    terminal.press('\r');
    expect(sent).toEqual(['Yes, it is on']);
    expect(toggleKillSwitch).not.toHaveBeenCalled();

    expect(chat.delivered('cr-1')).toBe(true);
    expect(printed()).toContain('Sent to your technician.');
    // After the line, K is the kill switch again.
    terminal.press('k');
    expect(toggleKillSwitch).toHaveBeenCalledTimes(1);
  });

  it('sends nothing on Esc or an empty line, shows the portal’s refusal, and Ctrl-C still ends', () => {
    const { printed, terminal, chat, sent, interrupt } = setup();
    terminal.press('m');
    terminal.press('never mind');
    terminal.press('\u001b');
    terminal.press('m');
    terminal.press('   \r');
    expect(sent).toEqual([]);
    expect(printed().match(/Nothing sent\./g)).toHaveLength(2);

    terminal.press('mtoo fast\r');
    expect(sent).toEqual(['too fast']);
    expect(chat.refused('cr-1', 'You have sent many messages.\u001b[2J')).toBe(true);
    expect(printed()).toContain('Not sent: You have sent many messages.\n');
    expect(chat.refused('cr-1', 'again')).toBe(false);

    terminal.press('mhalf a line\u0003');
    expect(interrupt).toHaveBeenCalledTimes(1);
    expect(sent).toEqual(['too fast']);
  });

  it('only shows messages where the console reads no keys (a pipe, a service)', () => {
    const { printed, terminal, chat, sent } = setup({ tty: false });
    chat.show({ author: 'Alex', body: 'Hello' });
    terminal.press('mhi\r');
    expect(sent).toEqual([]);
    expect(printed()).toBe('[Acme] Message from Alex: Hello\n');
  });
  describe('in the customer’s language', () => {
    afterEach(() => setConsoleLanguage('en'));

    it('speaks German when the agent runs with --lang de: message, hint, prompt and answers', () => {
      setConsoleLanguage('de');
      const { printed, terminal, chat, sent } = setup();
      chat.show({ author: 'Alex', body: 'Ist der Drucker an?' });
      chat.show({ author: '', body: 'Hallo' });
      expect(printed()).toContain('[Acme] Nachricht von Alex: Ist der Drucker an?\n');
      expect(printed()).toContain('[Acme] Nachricht von Ihrem Techniker: Hallo\n');
      expect(printed()).toContain('Drücken Sie M, um zu antworten');
      terminal.press('m');
      expect(printed()).toContain('Ihre Antwort (Eingabetaste sendet, Esc bricht ab): ');
      terminal.press('ja\r');
      expect(sent).toEqual(['ja']);
      expect(chat.delivered('cr-1')).toBe(true);
      expect(printed()).toContain('  An Ihren Techniker gesendet.\n');
      terminal.press('m\u001b');
      expect(printed()).toContain('  Nichts gesendet.\n');
      terminal.press('mnoch mal\r');
      expect(chat.refused('cr-2', 'Too many messages.')).toBe(true);
      expect(printed()).toContain('  Nicht gesendet: Too many messages.\n');
      expect(printed()).not.toMatch(/Message from|Press M|Your answer|Sent to|Nothing sent|Not sent/);
    });

    it('speaks French too, and the unreachable portal in the same language', () => {
      setConsoleLanguage('fr');
      const { printed, terminal, chat } = setup();
      chat.attach(() => null);
      chat.show({ author: 'Alex', body: 'Bonjour' });
      terminal.press('mbonjour\r');
      expect(printed()).toContain('[Acme] Alex vous écrit : Bonjour\n');
      expect(printed()).toContain('Votre réponse (Entrée envoie, Échap annule) : ');
      expect(printed()).toContain('  Non envoyé : le portail d’assistance est injoignable pour le moment.');
    });
  });
});
