import type { ConsoleKeys } from '../cli/console-keys';
import { say } from '../i18n/console-text';
import { answerConfirmation, channelName, offeredAnswers, questionSentence } from './consent-text';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';

/** The key for each answer; K (kill switch) and Ctrl-C (end) are never taken by a question. */
const ANSWER_KEYS: Record<Exclude<ConsentAnswer, 'timeout'>, string> = {
  allow: 'y',
  allow_session: 'a',
  view_only: 'v',
  deny: 'n',
};

interface QueuedQuestion {
  question: ConsentQuestion;
  /** When it was asked: a question shown after another one says how long is really left. */
  askedAt: number;
  settle: (answer: ConsentAnswer | 'unavailable') => void;
  release: (() => void) | undefined;
}

/**
 * The question in the terminal the agent runs in. One line per question, e.g.
 * `[Brand] Alex from Acme wants to see your screen and use your mouse and keyboard. Reason they gave:
 * "printer". Press Y to allow once, A to allow for this session, V for view only, N to deny (N in 24 s).`
 *
 * Keys come through {@link ConsoleKeys} in raw mode, so K (kill switch) and Ctrl-C (end) work while a
 * question waits. Questions asked together are shown one after the other. Without a terminal reading
 * keys the prompter is `unavailable`.
 */
export class TerminalPrompter implements ConsentPrompter {
  readonly name = 'terminal';
  private readonly queue: QueuedQuestion[] = [];

  constructor(
    private readonly keys: ConsoleKeys,
    private readonly write: (text: string) => void,
    private readonly brand: string,
  ) {}

  ask(question: ConsentQuestion): Promise<ConsentAnswer | 'unavailable'> {
    if (!this.keys.reading) return Promise.resolve('unavailable');
    if (question.signal.aborted) return Promise.resolve('deny');
    return new Promise((resolve) => {
      const entry: QueuedQuestion = {
        question,
        askedAt: Date.now(),
        settle: (answer: ConsentAnswer | 'unavailable'): void => {
          question.signal.removeEventListener('abort', onAbort);
          entry.release?.();
          const at = this.queue.indexOf(entry);
          if (at < 0) return;
          this.queue.splice(at, 1);
          resolve(answer);
          if (at === 0) this.showHead();
        },
        release: undefined,
      };
      const onAbort = (): void => {
        if (this.queue[0] === entry)
          this.line(say('question.closed', { channel: channelName(question.channel) }));
        entry.settle('deny');
      };
      question.signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
      if (this.queue.length === 1) this.showHead();
    });
  }

  private showHead(): void {
    const entry = this.queue[0];
    if (!entry) return;
    const { question } = entry;
    const answers = offeredAnswers(question.channel).filter(
      (a): a is Exclude<ConsentAnswer, 'timeout'> => a !== 'timeout',
    );
    const byKey = new Map(answers.map((a) => [ANSWER_KEYS[a], a]));
    entry.release = this.keys.capture([...byKey.keys()], (key) => {
      const answer = byKey.get(key);
      if (!answer) return;
      this.line(answerConfirmation(answer));
      entry.settle(answer);
    });
    const left = question.timeoutMs - (Date.now() - entry.askedAt);
    const seconds = Math.max(1, Math.round(left / 1000));
    const keys = answers.map((a) => say(`answerKey.${a}`)).join(', ');
    this.line(`${questionSentence(question)} ${say('question.press', { keys, seconds })}`);
  }

  private line(text: string): void {
    this.write(`[${this.brand}] ${text}\n`);
  }
}
