import type { DeviceKind, DeviceOs } from '../../contracts/api/devices';
import { channelStateViews } from './channel-states';
import type { RemoteSessionDto } from './dto/remote-session.dto';
import type { RemoteSession } from './entities/remote-session.entity';

/** The row plus what the list shows beside it (device and technician names). */
export interface RemoteSessionRow extends RemoteSession {
  deviceName: string;
  deviceOs: DeviceOs;
  deviceKind: DeviceKind;
  technicianName: string | null;
  customerName: string | null;
}

export function toRemoteSessionDto(row: RemoteSessionRow, now = new Date()): RemoteSessionDto {
  const end = row.endedAt ?? now;
  return {
    id: row.id,
    deviceId: row.deviceId,
    deviceName: row.deviceName,
    deviceOs: row.deviceOs,
    kind: row.deviceKind,
    customerName: row.customerName ?? null,
    technicianId: row.technicianId,
    technician: row.technicianName,
    type: row.type,
    protocol: row.protocol,
    reason: row.reason,
    recordingEnabled: row.recordingEnabled,
    status: row.status,
    channels: row.channels,
    channelStates: channelStateViews(row, now),
    startedAt: row.startedAt.toISOString(),
    connectedAt: row.connectedAt ? row.connectedAt.toISOString() : null,
    endedAt: row.endedAt ? row.endedAt.toISOString() : null,
    endReason: row.endReason,
    durationSec: Math.max(0, Math.round((end.getTime() - row.startedAt.getTime()) / 1000)),
  };
}
