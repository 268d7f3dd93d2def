import type { ConsentContext } from '../../../contracts/agent-protocol/control-messages';
import type { ScreenMode } from '../../../contracts/agent-protocol/enums';
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
  /** What the portal says the prompt should tell the person at the device (protocol 1.2). */
  consent?: ConsentContext;
  /**
   * A command sent inside a `commands` channel the person at the device already allowed: the channel's
   * consent covers it (the kill switch is still checked).
   */
  coveredByChannel?: boolean;
}

export type GateDecision =
  | { allowed: true; mode?: ScreenMode }
  | { allowed: false; code: 'kill_switch' | 'consent_denied'; message: string };

/** What a consent hook answers: yes or no, or a verdict with its own sentence and the screen's mode. */
export type ConsentVerdict = { allowed: true; mode?: ScreenMode } | { allowed: false; message: string };

/**
 * Decides whether the person at the device agrees (consent/consent-manager.ts asks them). Without
 * one the gate only applies the kill switch (tests, and embedders that ask in their own way).
 */
export type ConsentHook = (
  request: ActionRequest,
) => boolean | ConsentVerdict | Promise<boolean | ConsentVerdict>;

export const CONSENT_DENIED_MESSAGE = 'The person at the device did not allow this action.';

export class ActionGate {
  constructor(
    private readonly killSwitch: KillSwitch,
    private readonly consent: ConsentHook = () => true,
  ) {}

  async check(request: ActionRequest): Promise<GateDecision> {
    if (this.killSwitch.on) return { allowed: false, code: 'kill_switch', message: this.killSwitch.refusal };
    const answer = await this.consent(request);
    const verdict: ConsentVerdict =
      typeof answer === 'boolean'
        ? answer
          ? { allowed: true }
          : { allowed: false, message: CONSENT_DENIED_MESSAGE }
        : answer;
    if (!verdict.allowed) return { allowed: false, code: 'consent_denied', message: verdict.message };
    // The switch may have been turned on while consent was being asked.
    if (this.killSwitch.on) return { allowed: false, code: 'kill_switch', message: this.killSwitch.refusal };
    return verdict.mode ? { allowed: true, mode: verdict.mode } : { allowed: true };
  }
}
