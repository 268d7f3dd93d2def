import type { ChannelKind } from '../../../contracts/agent-protocol/enums';
import { say } from '../i18n/console-text';
import type { ConsentAnswer, ConsentQuestion, IndicatorCapability, IndicatorState } from './consent-types';

/**
 * The words every prompt and indicator shows, built once so a dialog, the terminal and the macOS and
 * Windows scripts say the same thing. Names and the reason are untrusted (a technician chose them): they
 * are cut to one printable line of bounded length here, and each prompter then escapes for its own medium
 * (Pango markup, AppleScript or PowerShell strings). The words come from the agent's catalogue in the
 * customer's language (i18n/console-text.ts).
 */
export const NAME_MAX_CHARS = 80;
export const REASON_MAX_CHARS = 200;

/** C0/C1 controls, line and paragraph separators, and the bidi overrides/isolates that can reorder text. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One printable line: controls become spaces, runs of spaces collapse, and long text ends in `…`. */
export function cleanLine(value: string, max: number): string {
  const text = value.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export interface QuestionWords {
  technician: string;
  organisation: string;
  reason?: string;
}

/** The question's names and reason, cleaned; an empty name reads "A technician" / "your support provider". */
export function questionWords(
  question: Pick<ConsentQuestion, 'technician' | 'organisation' | 'reason'>,
): QuestionWords {
  const technician = cleanLine(question.technician, NAME_MAX_CHARS) || say('who.anyone');
  const organisation = cleanLine(question.organisation, NAME_MAX_CHARS) || say('who.defaultOrganisation');
  const reason = question.reason === undefined ? '' : cleanLine(question.reason, REASON_MAX_CHARS);
  return reason ? { technician, organisation, reason } : { technician, organisation };
}

/** Short names of a channel, for "the question about …" (in the language's grammatical case for it). */
export function channelName(channel: ChannelKind): string {
  return say(`channel.${channel}`);
}

/** `Alex from Acme wants to see your screen … Reason they gave: "…".` (no key or button hints). */
export function questionSentence(question: ConsentQuestion): string {
  const words = questionWords(question);
  const sentence = say('question.sentence', {
    technician: words.technician,
    organisation: words.organisation,
    wish: say(`wish.${question.channel}`),
  });
  return words.reason ? `${sentence} ${say('question.reason', { reason: words.reason })}` : sentence;
}

/** The answers a person can give for a channel, in the order they are offered (view-only: screen only). */
export function offeredAnswers(channel: ChannelKind): ConsentAnswer[] {
  return channel === 'screen'
    ? ['allow', 'allow_session', 'view_only', 'deny']
    : ['allow', 'allow_session', 'deny'];
}

/** What each answer is called on a button. */
export function answerLabel(answer: Exclude<ConsentAnswer, 'timeout'>): string {
  return say(`answer.${answer}`);
}

/** What the person is told after answering (or not). */
export function answerConfirmation(answer: ConsentAnswer): string {
  return say(`confirm.${answer}`);
}

/**
 * A button's caption with its Alt+letter marked by `_` (zenity's mark; the Windows dialog swaps in `&`).
 * Dialogs that print the caption back are matched against this same text.
 */
export function answerButton(answer: Exclude<ConsentAnswer, 'timeout'>): string {
  return say(`button.${answer}`);
}

/** The line under a dialog's question: deny if you did not ask for this. */
export function denyHint(): string {
  return say('question.denyHint', { deny: answerLabel('deny') });
}

/** The window title of a question. */
export function questionTitle(question: ConsentQuestion): string {
  return say('question.title', { organisation: questionWords(question).organisation });
}

/** "see your screen, control your mouse and keyboard and use a terminal". */
export function describeCapabilities(capabilities: readonly IndicatorCapability[]): string {
  const words = [...new Set(capabilities)].map((c) => say(`capability.${c}`));
  if (words.length <= 1) return words.join('');
  return say('list.last', { list: words.slice(0, -1).join(', '), last: words[words.length - 1] ?? '' });
}

/** Whole minutes since `since`: "less than a minute", "1 minute", "12 minutes", "2 h 05 min". */
export function describeElapsed(since: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  if (minutes === 0) return say('elapsed.none');
  if (minutes === 1) return say('elapsed.one');
  if (minutes < 60) return say('elapsed.minutes', { minutes });
  return say('elapsed.hours', {
    hours: Math.floor(minutes / 60),
    minutes: String(minutes % 60).padStart(2, '0'),
  });
}

/** `Alex from Acme can see your screen (for 12 minutes).`: the indicator's sentence, terminal and window alike. */
export function describeIndicatorState(state: IndicatorState, now: Date): string {
  const technician = cleanLine(state.technician, NAME_MAX_CHARS) || say('who.anyone');
  const organisation = cleanLine(state.organisation, NAME_MAX_CHARS);
  const who = organisation ? say('who.from', { technician, organisation }) : technician;
  return say('indicator.can', {
    who,
    what: describeCapabilities(state.capabilities),
    elapsed: describeElapsed(state.since, now),
  });
}
