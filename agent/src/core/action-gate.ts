import type { KillSwitch } from './kill-switch';

export { KILL_SWITCH_MESSAGE } from './kill-switch';

/**
 * The one gate every mutating action passes (screen control, shell, commands, files, and remote help:
 * opening or ending an allow-listed program, installing an allow-listed package), so the kill switch and
 * customer consent can refuse in one place. Read-only requests (get_status, remotehelp_status) never
 * come here.
 */
export const MUTATING_ACTIONS = [
  'screen',
  'shell',
  'commands',
  'run_command',
  'files',
  'launch',
  'end_app',
  'install',
] as const;
export type MutatingAction = (typeof MUTATING_ACTIONS)[number];

export interface ActionRequest {
  action: MutatingAction;
  /** Remote session the action belongs to, when there is one. */
  sessionId?: string;
  /** Who asked, for a consent prompt (technician display name). */
  requestedBy?: string;
}

export type GateDecision =
  { allowed: true } | { allowed: false; code: 'kill_switch' | 'consent_denied'; message: string };

/** Decides whether the person at the device agrees; the default (quick-support: they ran the agent) is yes. */
export type ConsentHook = (request: ActionRequest) => boolean | Promise<boolean>;

export const CONSENT_DENIED_MESSAGE = 'The person at the device did not allow this action.';

export class ActionGate {
  constructor(
    private readonly killSwitch: KillSwitch,
    private readonly consent: ConsentHook = () => true,
  ) {}

  async check(request: ActionRequest): Promise<GateDecision> {
    if (this.killSwitch.on) return { allowed: false, code: 'kill_switch', message: this.killSwitch.refusal };
    if (!(await this.consent(request)))
      return { allowed: false, code: 'consent_denied', message: CONSENT_DENIED_MESSAGE };
    // The switch may have been turned on while consent was being asked.
    if (this.killSwitch.on) return { allowed: false, code: 'kill_switch', message: this.killSwitch.refusal };
    return { allowed: true };
  }
}
