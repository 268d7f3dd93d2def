import type { ConnectKey } from '../../../contracts/i18n/connect';
import type { ConnectText } from './connect-text';

/** Longest customer note, in characters. */
export const NOTE_MAX = 1000;
const FORBIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

export type NoteProblem = 'empty' | 'too_long' | 'invalid';

/**
 * Reads the note from a JSON or form body (the same field, `note`). Checked by hand rather than by the
 * global ValidationPipe so that the no-JavaScript form gets a page back instead of a JSON error.
 */
export function readNote(body: unknown): { note: string } | { problem: NoteProblem } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'invalid' };
  const entries = Object.keys(body);
  if (entries.some((k) => k !== 'note')) return { problem: 'invalid' };
  const raw = (body as { note?: unknown }).note;
  if (typeof raw !== 'string') return { problem: raw === undefined ? 'empty' : 'invalid' };
  const note = raw.replace(/\r\n?/g, '\n').trim();
  if (note === '') return { problem: 'empty' };
  if (note.length > NOTE_MAX) return { problem: 'too_long' };
  if (FORBIDDEN.test(note)) return { problem: 'invalid' };
  return { note };
}

/** The catalogue text for each problem (contracts/i18n/connect/). */
const NOTE_PROBLEM_KEYS: Readonly<Record<NoteProblem | 'rate', ConnectKey>> = {
  empty: 'notes.empty',
  too_long: 'notes.tooLong',
  invalid: 'notes.invalid',
  rate: 'notes.rate',
};

/** A problem in the customer's language. */
export function noteProblemText(problem: NoteProblem | 'rate', text: ConnectText): string {
  return text.t(NOTE_PROBLEM_KEYS[problem], { max: NOTE_MAX });
}

/** The flash for `?sent=1` / `?error=<problem>`; only these fixed texts, never the query text itself. */
export function flashFromQuery(
  sent: unknown,
  error: unknown,
  text: ConnectText,
): { kind: 'ok' | 'error'; text: string } | null {
  if (sent === '1') return { kind: 'ok', text: text.t('notes.sent') };
  if (typeof error === 'string' && Object.prototype.hasOwnProperty.call(NOTE_PROBLEM_KEYS, error)) {
    return { kind: 'error', text: noteProblemText(error as keyof typeof NOTE_PROBLEM_KEYS, text) };
  }
  return null;
}
