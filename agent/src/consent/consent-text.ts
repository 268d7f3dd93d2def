import type { ChannelKind } from '../../../contracts/agent-protocol/enums';
import type { ConsentAnswer, ConsentQuestion, IndicatorCapability } from './consent-types';

/**
 * The words every prompt and indicator shows, built once so a dialog, the terminal and the macOS and
 * Windows scripts say the same thing. Names and the reason are untrusted (a technician chose them): they
 * are cut to one printable line of bounded length here, and each prompter then escapes for its own medium
 * (Pango markup, AppleScript or PowerShell strings).
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
  const technician = cleanLine(question.technician, NAME_MAX_CHARS) || 'A technician';
  const organisation = cleanLine(question.organisation, NAME_MAX_CHARS) || 'your support provider';
  const reason = question.reason === undefined ? '' : cleanLine(question.reason, REASON_MAX_CHARS);
  return reason ? { technician, organisation, reason } : { technician, organisation };
}

const WISHES: Record<ChannelKind, string> = {
  screen: 'see your screen and use your mouse and keyboard',
  shell: 'open a terminal on this computer',
  commands: 'run commands on this computer',
};

/** Short names of a channel, for titles and confirmations. */
export const CHANNEL_NAMES: Record<ChannelKind, string> = {
  screen: 'your screen',
  shell: 'a terminal',
  commands: 'commands',
};

/** `Alex from Acme wants to see your screen … Reason they gave: "…".` (no key or button hints). */
export function questionSentence(question: ConsentQuestion): string {
  const words = questionWords(question);
  const reason = words.reason ? ` Reason they gave: "${words.reason}".` : '';
  return `${words.technician} from ${words.organisation} wants to ${WISHES[question.channel]}.${reason}`;
}

/** The answers a person can give for a channel, in the order they are offered (view-only: screen only). */
export function offeredAnswers(channel: ChannelKind): ConsentAnswer[] {
  return channel === 'screen'
    ? ['allow', 'allow_session', 'view_only', 'deny']
    : ['allow', 'allow_session', 'deny'];
}

/** What each answer is called on a button. */
export const ANSWER_LABELS: Record<Exclude<ConsentAnswer, 'timeout'>, string> = {
  allow: 'Allow once',
  allow_session: 'Allow for this session',
  view_only: 'View only',
  deny: 'Deny',
};

/** What the person is told after answering (or not). */
export const ANSWER_CONFIRMATIONS: Record<ConsentAnswer, string> = {
  allow: 'Allowed this once.',
  allow_session: 'Allowed for the rest of this session.',
  view_only: 'Allowed to view only: no mouse, keyboard or clipboard.',
  deny: 'Denied.',
  timeout: 'No answer in time: denied.',
};

/** The window title of a question. */
export function questionTitle(question: ConsentQuestion): string {
  return `${questionWords(question).organisation}: remote support request`;
}

const CAPABILITY_WORDS: Record<IndicatorCapability, string> = {
  view: 'see your screen',
  control: 'control your mouse and keyboard',
  terminal: 'use a terminal',
  commands: 'run commands',
  files: 'transfer files',
};

/** "see your screen, control your mouse and keyboard and use a terminal". */
export function describeCapabilities(capabilities: readonly IndicatorCapability[]): string {
  const words = [...new Set(capabilities)].map((c) => CAPABILITY_WORDS[c]);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Whole minutes since `since`: "less than a minute", "1 minute", "12 minutes", "2 h 05 min". */
export function describeElapsed(since: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  if (minutes === 0) return 'less than a minute';
  if (minutes === 1) return '1 minute';
  if (minutes < 60) return `${minutes} minutes`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
