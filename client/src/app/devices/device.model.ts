import type { DeviceKind, DeviceView } from '../../../../contracts/api/devices';

/**
 * A device with an agent, as `GET /api/devices` and the live events return it: the portal's own
 * shapes (contracts/api/devices.ts), under the dashboard's names.
 */
export type {
  DeviceKind,
  DeviceView as Device,
  DeviceListView as DeviceList,
} from '../../../../contracts/api/devices';

export const DEVICE_KIND_LABELS: Readonly<Record<DeviceKind, string>> = {
  quick: 'Quick-support',
  persistent: 'Persistent agent',
};

/** Online first, then by name: the order the launcher offers them in. */
export function compareDevices(a: DeviceView, b: DeviceView): number {
  if (a.online !== b.online) return a.online ? -1 : 1;
  return a.hostname.localeCompare(b.hostname, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id);
}
