/**
 * One rule for text a person reads as a name (technician display names, customer names): no C0/C1
 * control characters (DEL included), no line or paragraph separators, no bidirectional formatting
 * (U+061C, U+200E/F, U+202A–202E, U+2066–2069) and no invisible format characters that hide or
 * reorder text (zero-width space, word joiner and invisible operators, BOM, interlinear annotation).
 * Zero-width (non-)joiners stay allowed: scripts such as Persian and emoji sequences need them.
 * Pure: imported by the portal (input validation), the agent (cleaning names it receives) and the
 * dashboard.
 */
const UNSAFE = '\\p{Cc}\\p{Bidi_Control}\\u2028\\u2029\\u200B\\u2060-\\u2064\\uFEFF\\uFFF9-\\uFFFB';
const UNSAFE_ONE = new RegExp(`[${UNSAFE}]`, 'u');
const UNSAFE_ALL = new RegExp(`[${UNSAFE}]+`, 'gu');

/** Whether `value` holds a character {@link cleanDisplayText} would remove. */
export function hasUnsafeDisplayChars(value: string): boolean {
  return UNSAFE_ONE.test(value);
}

/**
 * `value` made safe to show on one line: each run of unsafe characters becomes one space, runs of
 * spaces collapse, the ends are trimmed. For names stored before input was checked.
 */
export function cleanDisplayText(value: string): string {
  return value.replace(UNSAFE_ALL, ' ').replace(/ {2,}/g, ' ').trim();
}
