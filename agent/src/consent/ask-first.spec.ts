import { askFirst, askFirstDetailed } from './ask-first';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';

/** A prompter the test answers by hand; it records whether its prompt was withdrawn. */
class FakePrompter implements ConsentPrompter {
  asked: ConsentQuestion | undefined;
  withdrawn = false;
  private answerWith: ((a: ConsentAnswer | 'unavailable') => void) | undefined;

  constructor(readonly name: string) {}

  ask(question: ConsentQuestion): Promise<ConsentAnswer | 'unavailable'> {
    this.asked = question;
    question.signal.addEventListener('abort', () => (this.withdrawn = true));
    return new Promise((resolve) => (this.answerWith = resolve));
  }

  answer(a: ConsentAnswer | 'unavailable'): void {
    this.answerWith?.(a);
  }
}

function question(overrides: Partial<ConsentQuestion> = {}): ConsentQuestion {
  return {
    promptId: 'p1',
    sessionId: 's1',
    channel: 'screen',
    technician: 'Alex',
    organisation: 'Acme',
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('askFirst', () => {
  afterEach(() => jest.useRealTimers());

  it('shows every prompter at once; the first answer wins and the others are withdrawn', async () => {
    const dialog = new FakePrompter('dialog');
    const terminal = new FakePrompter('terminal');
    const result = askFirstDetailed([dialog, terminal], question());
    expect(dialog.asked?.channel).toBe('screen');
    expect(terminal.asked?.channel).toBe('screen');
    terminal.answer('view_only');
    await expect(result).resolves.toEqual({ answer: 'view_only', by: 'terminal' });
    expect(dialog.withdrawn).toBe(true);
    dialog.answer('allow'); // late: changes nothing
  });

  it('an unavailable prompter drops out and the other still answers', async () => {
    const dialog = new FakePrompter('dialog');
    const terminal = new FakePrompter('terminal');
    const result = askFirst([dialog, terminal], question());
    dialog.answer('unavailable');
    expect(terminal.withdrawn).toBe(false);
    terminal.answer('allow_session');
    await expect(result).resolves.toBe('allow_session');
  });

  it('denies when every prompter is unavailable, throws or fails, and when there are none', async () => {
    const dialog = new FakePrompter('dialog');
    const throwing: ConsentPrompter = {
      name: 'broken',
      ask: () => {
        throw new Error('no');
      },
    };
    const rejecting: ConsentPrompter = { name: 'crashed', ask: () => Promise.reject(new Error('gone')) };
    const result = askFirst([dialog, throwing, rejecting], question());
    dialog.answer('unavailable');
    await expect(result).resolves.toBe('deny');
    await expect(askFirst([], question())).resolves.toBe('deny');
  });

  it("times out after the question's timeout and withdraws every prompt", async () => {
    jest.useFakeTimers();
    const dialog = new FakePrompter('dialog');
    const terminal = new FakePrompter('terminal');
    const result = askFirst([dialog, terminal], question({ timeoutMs: 24_000 }));
    jest.advanceTimersByTime(23_999);
    expect(dialog.withdrawn).toBe(false);
    jest.advanceTimersByTime(1);
    await expect(result).resolves.toBe('timeout');
    expect(dialog.withdrawn && terminal.withdrawn).toBe(true);
  });

  it("denies and withdraws everything when the question's signal aborts (session ended, kill switch)", async () => {
    const abort = new AbortController();
    const dialog = new FakePrompter('dialog');
    const terminal = new FakePrompter('terminal');
    const result = askFirst([dialog, terminal], question({ signal: abort.signal }));
    abort.abort();
    await expect(result).resolves.toBe('deny');
    expect(dialog.withdrawn && terminal.withdrawn).toBe(true);
    await expect(askFirst([new FakePrompter('x')], question({ signal: abort.signal }))).resolves.toBe('deny');
  });

  it('an answer the question did not offer (view only for a terminal) counts as no answer from that prompter', async () => {
    const broken = new FakePrompter('broken');
    const terminal = new FakePrompter('terminal');
    const result = askFirst([broken, terminal], question({ channel: 'shell' }));
    broken.answer('view_only');
    expect(terminal.withdrawn).toBe(false);
    terminal.answer('deny');
    await expect(result).resolves.toBe('deny');
  });
});
