import type { AuditEventDto } from './dto/audit-event.dto';
import type { AuditEventRow } from './audit-log.queries';

/** A row of the page query as the API shows it. */
export function toAuditEventDto(row: AuditEventRow): AuditEventDto {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: {
      type: row.actor_type,
      id: row.actor_id,
      displayName: row.actor_type === 'user' ? row.actor_name : null,
    },
    action: row.action,
    target: row.target_type ? { type: row.target_type, id: row.target_id } : null,
    deviceId: row.device_id,
    deviceName: row.device_name,
    sessionId: row.session_id,
    details: row.details ?? {},
  };
}
