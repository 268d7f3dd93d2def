import type { RemoteSessionView } from '../../contracts/api/remote-sessions';
import { csvRecord } from '../common/csv';

/** The history export's columns, in order (the header line). */
export const REMOTE_SESSION_CSV_COLUMNS = [
  'id',
  'started_at',
  'connected_at',
  'ended_at',
  'duration_sec',
  'end_reason',
  'customer_name',
  'device_id',
  'device_name',
  'device_os',
  'device_kind',
  'technician_id',
  'technician_name',
  'type',
  'protocol',
  'reason',
  'recording_enabled',
] as const;

export const REMOTE_SESSION_CSV_HEADER = csvRecord(REMOTE_SESSION_CSV_COLUMNS);

/**
 * One session as a CSV record. Device, customer and technician names and the reason are untrusted
 * text: {@link csvRecord} quotes them and defuses formulas.
 */
export function remoteSessionCsvRecord(s: RemoteSessionView): string {
  return csvRecord([
    s.id,
    s.startedAt,
    s.connectedAt,
    s.endedAt,
    String(s.durationSec),
    s.endReason,
    s.customerName,
    s.deviceId,
    s.deviceName,
    s.deviceOs,
    s.kind,
    s.technicianId,
    s.technician,
    s.type,
    s.protocol,
    s.reason,
    String(s.recordingEnabled),
  ]);
}
