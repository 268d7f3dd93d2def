/**
 * Devices with an agent, as `/api/devices` and the live event stream send them. Every string here was
 * reported by an agent and is untrusted: render it as text only. Dates are ISO-8601 strings.
 */
import type { ConsentPolicy } from '../agent-protocol/enums';
import { INSTALLER_OSES, type InstallerOs } from '../installer-template';
import type { UserRole } from './users';

/** A quick-support agent bound to one support session, or a persistent agent. */
export const DEVICE_KINDS = ['quick', 'persistent'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** The operating systems the portal has agents for: the install scripts' list. */
export const DEVICE_OSES: readonly DeviceOs[] = INSTALLER_OSES;
export type DeviceOs = InstallerOs;

/**
 * Whether the person at a device is asked before a technician's channel opens; an admin sets it per
 * device (`PATCH /api/devices/:id/consent-policy`):
 * - `ask` (the default, and always the policy of a quick-support device): the person at the device
 *   is asked per channel (screen, input, terminal, commands, files) and can say no.
 * - `notify`: no prompt; the always-visible indicator shows who is connected, what they can do, and
 *   End now. Takes effect only when the device's agent.json also says `"consent": "notify"` (or
 *   `"silent"`).
 * - `silent`: unattended servers, nobody at the screen. Takes effect only when the device's own
 *   administrator also set `"consent": "silent"` in the agent's agent.json, so the portal alone cannot
 *   turn consent off.
 * The agent has the last word: it never asks less than its own agent.json allows.
 */
export { CONSENT_POLICIES, type ConsentPolicy } from '../agent-protocol/enums';

/** `PATCH /api/devices/:id/consent-policy` (admins; persistent devices only). */
export interface SetConsentPolicyRequest {
  policy: ConsentPolicy;
}

/** The quick-support session a device belongs to, in short. */
export interface DeviceSupportSessionView {
  id: string;
  customerName: string | null;
  createdAt: string;
}

/** A device (`DeviceDto`). */
export interface DeviceView {
  id: string;
  kind: DeviceKind;
  /** Reported by the agent (untrusted). */
  hostname: string;
  os: DeviceOs;
  /** Reported by the agent (untrusted). */
  osVersion: string;
  arch: string;
  agentVersion: string;
  /** The agent's control channel is connected. */
  online: boolean;
  lastSeenAt: string | null;
  supportSessionId: string | null;
  /**
   * A quick-support device's session, so two devices with the same host name cannot be confused: the
   * customer's name (null when unnamed) and when the session was created. Null for a persistent
   * device (and in a `device.registered` event).
   */
  supportSession: DeviceSupportSessionView | null;
  /**
   * The device-local kill switch as the connected agent reports it (true: remote control refused);
   * null while the agent is not connected, and in a `device.registered` event (not reported yet).
   */
  killSwitch: boolean | null;
  /** Set by an admin; always `ask` for a quick-support device. See {@link CONSENT_POLICIES}. */
  consentPolicy: ConsentPolicy;
  createdAt: string;
}

export interface DeviceListView {
  items: DeviceView[];
}

/** Bounds on the list's query (`ListDevicesQueryDto`). */
export const DEVICE_LIST_LIMITS = {
  limitMax: 200,
} as const;

/** `GET /api/devices` query: devices the signed-in technician may reach, online first. */
export interface ListDevicesQuery {
  /** Only devices whose agent is (or is not) connected. */
  online?: boolean;
  kind?: DeviceKind;
  limit?: number;
}

/** A technician granted a persistent device (`DeviceGrantDto`, `/api/devices/:id/grants`, admins only). */
export interface DeviceGrantView {
  deviceId: string;
  userId: string;
  email: string;
  displayName: string;
  role: UserRole;
  grantedAt: string;
  /** The admin who granted it; null when that account was removed. */
  grantedBy: string | null;
}

export interface DeviceGrantListView {
  items: DeviceGrantView[];
}

/** Events on `GET /api/quick-support/events` whose data is a {@link DeviceView}. */
export const DEVICE_EVENT_TYPES = ['device.registered', 'device.updated'] as const;
export type DeviceEventType = (typeof DEVICE_EVENT_TYPES)[number];
