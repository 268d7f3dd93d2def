import type { AuditEventView } from '../../contracts/api/audit';
import { csvRecord } from '../common/csv';

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
