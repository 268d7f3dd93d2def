import type { ConsentPolicy, DeviceKind, DeviceView } from '../../../../contracts/api/devices';

/**
 * A device with an agent, as `GET /api/devices` and the live events return it: the portal's own
 * shapes (contracts/api/devices.ts), under the dashboard's names.
 */
export { CONSENT_POLICIES } from '../../../../contracts/api/devices';
export type {
  ConsentPolicy,
  DeviceKind,
  DeviceView as Device,
  DeviceListView as DeviceList,
} from '../../../../contracts/api/devices';

export const DEVICE_KIND_LABELS: Readonly<Record<DeviceKind, string>> = {
  quick: 'Quick-support',
  persistent: 'Persistent agent',
};

/**
 * "Ada Lovelace · DESKTOP-4F2K9" for a quick-support device (its customer's name first, so two
 * machines with the same host name differ), else the host name. Untrusted text: interpolate only.
 */
export function deviceTitle(device: Pick<DeviceView, 'hostname' | 'kind' | 'supportSession'>): string {
  if (device.kind !== 'quick' || !device.supportSession) return device.hostname;
  return `${device.supportSession.customerName ?? 'Unnamed customer'} · ${device.hostname}`;
}

/** Online first, then by name: the order the launcher offers them in. */
export function compareDevices(a: DeviceView, b: DeviceView): number {
  if (a.online !== b.online) return a.online ? -1 : 1;
  return a.hostname.localeCompare(b.hostname, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id);
}

/** Each consent policy's name and what it means, in one line (the admin's device list). */
export const CONSENT_POLICY_TEXT: Readonly<Record<ConsentPolicy, { label: string; explain: string }>> = {
  ask: {
    label: 'Ask',
    explain:
      'The person at the device is asked before each screen, control, terminal or command channel opens.',
  },
  notify: {
    label: 'Notify only',
    explain:
      'No question; a window on the device shows who is connected, with End now. Needs "consent": "notify" in its agent.json.',
  },
  silent: {
    label: 'Silent',
    explain:
      'For unattended servers: no question, no window. Needs "consent": "silent" in the device’s own agent.json.',
  },
};
