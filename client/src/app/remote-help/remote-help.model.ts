/**
 * `/api/devices/:id/remotehelp`: the portal's own shapes (contracts/api/remote-help.ts), under the
 * dashboard's names.
 */
export type {
  RemoteHelpInstallStartedView as QuickAssistInstallStarted,
  RemoteHelpStartedView as QuickAssistStarted,
  RemoteHelpStatusView as QuickAssistStatus,
  RemoteHelpStoppedView as QuickAssistStopped,
} from '../../../../contracts/api/remote-help';

/**
 * What the people do once Quick Assist is open on the customer's desktop. Written here (not taken from
 * the device) so the dashboard always shows the same, trusted wording.
 */
export const QUICK_ASSIST_STEPS: readonly string[] = [
  'On your own computer, open Quick Assist and choose “Help someone”.',
  'Sign in with your Microsoft account. Quick Assist shows you a 6-digit security code.',
  'Read the code to the customer. They type it under “Get help” and press Submit.',
  'The customer clicks Allow to share their screen. Ask for control from the Quick Assist toolbar if you need it.',
];

/** Refusal codes from the remote-help API, explained for the technician (the server's sentence follows). */
export const REFUSAL_HINTS: Readonly<Record<string, string>> = {
  kill_switch_on: 'Remote control is switched off on this device.',
  device_offline: 'The device is offline.',
  unsupported_os: 'Quick Assist exists on Windows only.',
  no_interactive_session: 'Nobody is logged in on the device.',
  quick_assist_not_installed: 'Quick Assist is not installed on the device.',
  agent_outdated: 'The agent on this device is too old for Quick Assist.',
  not_allowed: 'The device refused to run that program.',
  unavailable: 'The device did not answer.',
  audit_unavailable: 'Nothing was sent to the device: the portal could not record it in the audit trail.',
  device_access_denied: 'This device has not been granted to you.',
  not_session_owner: 'Another technician has a remote session open on this device.',
};
