/**
 * Microsoft Quick Assist on a Windows device, as `/api/devices/:id/remotehelp` speaks it. Text from
 * the device (`version`, `note`) is untrusted: render it as text only. Dates are ISO-8601 strings.
 */
import type { DeviceOs } from './devices';

/** `GET /api/devices/:id/remotehelp`: readiness, as the agent just reported it (`RemoteHelpStatusDto`). */
export interface RemoteHelpStatusView {
  deviceId: string;
  os: DeviceOs;
  /** Quick Assist exists on this OS (Windows only). */
  supported: boolean;
  installed: boolean;
  /** Reported by the device: untrusted text. */
  version: string | null;
  internetOk: boolean;
  interactiveSession: boolean;
  /** The device-local kill switch: start and stop are refused while it is on. */
  killSwitch: boolean;
  checkedAt: string;
}

/** `POST …/start` (`RemoteHelpStartDto`). */
export interface RemoteHelpStartedView {
  /** False when Quick Assist was already open on the customer's desktop. */
  launched: boolean;
  pid: number | null;
  /** From the device: untrusted text. */
  note: string;
  remoteSessionId: string | null;
}

/** `POST …/stop` (`RemoteHelpStopDto`). */
export interface RemoteHelpStoppedView {
  stopped: boolean;
  remoteSessionId: string | null;
}

/** `POST …/install` (`RemoteHelpInstallDto`). */
export interface RemoteHelpInstallStartedView {
  packageId: string;
  pid: number | null;
  /** From the device: untrusted text. */
  note: string;
  remoteSessionId: string | null;
}
