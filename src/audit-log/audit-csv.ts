import type { AuditEventView } from '../../contracts/api/audit';

/** The export's columns, in order (the header line). */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actor_type',
  'actor_id',
  'actor_name',
  'action',
  'target_type',
  'target_id',
  'device_id',
  'device_name',
  'session_id',
  'details',
] as const;

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

export const AUDIT_CSV_HEADER = csvRecord(AUDIT_CSV_COLUMNS);

/** One line of the trail as a CSV record; `details` as its JSON text. */
export function auditCsvRecord(e: AuditEventView): string {
  return csvRecord([
    e.id,
    e.at,
    e.actor.type,
    e.actor.id,
    e.actor.displayName,
    e.action,
    e.target?.type ?? null,
    e.target?.id ?? null,
    e.deviceId,
    e.deviceName,
    e.sessionId,
    JSON.stringify(e.details),
  ]);
}
