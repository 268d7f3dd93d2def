import { offeredAnswers } from './consent-text';
import type { ConsentAnswer, ConsentPrompter, ConsentQuestion } from './consent-types';

export interface AskFirstResult {
  answer: ConsentAnswer;
  /** The prompter whose answer counted; absent for a timeout, a withdrawn question or no way to ask. */
  by?: string;
}

/**
 * Asks on every prompter at once (the dialog and the terminal together): the first real answer wins and
 * every other prompt is withdrawn. A prompter that is `unavailable` (or fails) drops out; with none left
 * the answer is `deny`, never allow. The question's `timeoutMs` gives `timeout`, and its `signal` aborting
 * (the session ended, the kill switch) gives `deny`; both withdraw every prompt still showing.
 *
 * Each prompter receives the question with its own signal, aborted the moment the question is settled.
 */
export async function askFirst(
  prompters: readonly ConsentPrompter[],
  question: ConsentQuestion,
): Promise<ConsentAnswer> {
  return (await askFirstDetailed(prompters, question)).answer;
}

/** {@link askFirst}, also saying which prompter answered (for the audit line). */
export function askFirstDetailed(
  prompters: readonly ConsentPrompter[],
  question: ConsentQuestion,
): Promise<AskFirstResult> {
  if (question.signal.aborted || prompters.length === 0) return Promise.resolve({ answer: 'deny' });
  const valid = new Set<ConsentAnswer>([...offeredAnswers(question.channel), 'timeout']);
  const withdraw = new AbortController();
  const asked: ConsentQuestion = { ...question, signal: withdraw.signal };
  return new Promise<AskFirstResult>((resolve) => {
    let pending = prompters.length;
    let settled = false;
    const settle = (result: AskFirstResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      question.signal.removeEventListener('abort', onAbort);
      withdraw.abort();
      resolve(result);
    };
    const onAbort = (): void => settle({ answer: 'deny' });
    const timer = setTimeout(() => settle({ answer: 'timeout' }), Math.max(0, question.timeoutMs));
    question.signal.addEventListener('abort', onAbort, { once: true });
    const dropOut = (): void => {
      pending -= 1;
      if (pending === 0) settle({ answer: 'deny' });
    };
    for (const prompter of prompters) {
      let answer: Promise<ConsentAnswer | 'unavailable'>;
      try {
        answer = prompter.ask(asked);
      } catch {
        // A prompter that throws cannot ask: it is the same as `unavailable`.
        dropOut();
        continue;
      }
      answer.then(
        (result) => {
          // An answer the question did not offer (view-only for a terminal) is a broken prompter.
          if (result === 'unavailable' || !valid.has(result)) dropOut();
          else settle({ answer: result, by: prompter.name });
        },
        () => dropOut(),
      );
    }
  });
}

/**
 * {@link askFirst} for the consent manager: when no prompter could ask at all (none available, every
 * one failed), the answer is `unavailable`, so the device reports why nothing opened.
 */
export async function askOrUnavailable(
  prompters: readonly ConsentPrompter[],
  question: ConsentQuestion,
): Promise<ConsentAnswer | 'unavailable'> {
  const { answer, by } = await askFirstDetailed(prompters, question);
  return answer === 'deny' && by === undefined && !question.signal.aborted ? 'unavailable' : answer;
}
