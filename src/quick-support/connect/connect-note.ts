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

export const NOTE_PROBLEM_TEXT: Readonly<Record<NoteProblem | 'rate', string>> = {
  empty: 'Write a note before sending it.',
  too_long: `A note can be at most ${NOTE_MAX} characters long.`,
  invalid: 'The note could not be read. Please type it again.',
  rate: 'You have sent many notes in a short time. Please wait a few minutes.',
};

/** The flash for `?sent=1` / `?error=<problem>`; only these fixed texts, never the query text itself. */
export function flashFromQuery(sent: unknown, error: unknown): { kind: 'ok' | 'error'; text: string } | null {
  if (sent === '1') return { kind: 'ok', text: 'Your note was sent to the technician.' };
  if (typeof error === 'string' && Object.prototype.hasOwnProperty.call(NOTE_PROBLEM_TEXT, error)) {
    return { kind: 'error', text: NOTE_PROBLEM_TEXT[error as keyof typeof NOTE_PROBLEM_TEXT] };
  }
  return null;
}
