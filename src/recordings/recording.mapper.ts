import type { RecordingView } from '../../contracts/api/recordings';
import type { RecordingRow } from './recording.queries';

const DAY_MS = 86_400_000;

/** A row as the API shows it; `now` for the length of one still recording. Never a store path. */
export function toRecordingView(row: RecordingRow, retentionDays: number, now: Date): RecordingView {
  const end = row.endedAt ?? (row.status === 'recording' ? now : row.startedAt);
  const expires =
    row.legalHold || row.status === 'recording'
      ? null
      : new Date((row.endedAt ?? row.startedAt).getTime() + retentionDays * DAY_MS).toISOString();
  return {
    id: row.id,
    sessionId: row.sessionId,
    channel: row.channel,
    mode: row.mode,
    status: row.status,
    incompleteReason: row.incompleteReason,
    failure: row.failure,
    technicianId: row.technicianId,
    technician: row.technician,
    deviceId: row.deviceId,
    deviceName: row.deviceName,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    durationSec: Math.max(0, Math.round((end.getTime() - row.startedAt.getTime()) / 1000)),
    bytes: Number(row.bytes),
    chunks: row.chunks,
    integrity: row.integrity,
    brokenAt: row.brokenAt,
    brokenReason: row.brokenReason,
    integrityCheckedAt: row.integrityCheckedAt?.toISOString() ?? null,
    legalHold: row.legalHold,
    legalHoldNote: row.legalHoldNote,
    expiresAt: expires,
  };
}
