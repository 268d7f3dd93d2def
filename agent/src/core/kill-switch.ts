/**
 * The device-local kill switch. While on, the action gate refuses every mutating action; read-only status
 * keeps answering. Quick-support: the customer presses K in the agent's console (cli/console-keys.ts);
 * persistent: the administrator's `killSwitch` in agent.json or `--kill-switch`. Listeners learn of each
 * change so the agent can close channels and report it to the portal (`agent_status`).
 */
export type KillSwitchListener = (on: boolean) => void;

/** The generic refusal, when nothing more specific is known. */
export const KILL_SWITCH_MESSAGE = 'The kill switch is on: this device refuses remote control.';
/** Quick-support: the customer switched it off with the K key. */
export const QUICK_KILL_SWITCH_MESSAGE =
  'The person at this computer switched remote control off. They can press K in the support window to allow it again.';
/** Persistent: the device's administrator switched it off (agent.json or --kill-switch). */
export const PERSISTENT_KILL_SWITCH_MESSAGE =
  'Remote control is switched off on this device by its administrator (killSwitch in the agent configuration).';

export class KillSwitch {
  private listeners: KillSwitchListener[] = [];

  /**
   * @param refusal the sentence a technician reads when the gate refuses: it says who switched remote
   * control off and how it comes back on, which differs between quick-support and persistent agents.
   */
  constructor(
    private state = false,
    readonly refusal: string = KILL_SWITCH_MESSAGE,
  ) {}

  get on(): boolean {
    return this.state;
  }

  set(on: boolean): void {
    if (on === this.state) return;
    this.state = on;
    for (const listener of [...this.listeners]) listener(on);
  }

  toggle(): void {
    this.set(!this.state);
  }

  onChange(listener: KillSwitchListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
