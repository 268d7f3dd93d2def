/**
 * CSV as the portal's downloads write it (the audit trail, the remote-session history): RFC 4180
 * fields, CRLF records, and cells a spreadsheet would run as formulas defused.
 */

/** A spreadsheet reads a cell starting with one of these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): a value a spreadsheet would run as a formula gets a leading apostrophe,
 * then a field holding a quote, a comma or a line break is quoted with its quotes doubled.
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One record, CRLF-terminated. */
export function csvRecord(fields: readonly (string | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
