import { OsName } from '../shared/os';

export type DeviceKind = 'quick' | 'persistent';

/** A device with an agent, as `GET /api/devices` and the live events return it (src/devices/dto). */
export interface Device {
  id: string;
  kind: DeviceKind;
  /** Reported by the agent (untrusted). */
  hostname: string;
  os: OsName;
  /** Reported by the agent (untrusted). */
  osVersion: string;
  arch: string;
  agentVersion: string;
  /** The agent's control channel is connected. */
  online: boolean;
  lastSeenAt: string | null;
  supportSessionId: string | null;
  /** The device-local kill switch (true: remote control refused); null while offline. Absent in events. */
  killSwitch?: boolean | null;
  createdAt: string;
}

export interface DeviceList {
  items: Device[];
}

export const DEVICE_KIND_LABELS: Readonly<Record<DeviceKind, string>> = {
  quick: 'Quick-support',
  persistent: 'Persistent agent',
};

/** Online first, then by name: the order the launcher offers them in. */
export function compareDevices(a: Device, b: Device): number {
  if (a.online !== b.online) return a.online ? -1 : 1;
  return a.hostname.localeCompare(b.hostname, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id);
}
