import { Injectable } from '@nestjs/common';

/**
 * What connected agents report about themselves that the device list shows live but the database does
 * not keep: today the device-local kill switch. The control channel writes it (hello, agent_status,
 * disconnect); device DTOs read it. Null means "not known": the agent is not connected.
 */
@Injectable()
export class DevicePresence {
  private readonly killSwitches = new Map<string, boolean>();

  killSwitch(deviceId: string): boolean | null {
    return this.killSwitches.get(deviceId) ?? null;
  }

  /** Records the switch (null: the agent went away). True when the value changed. */
  setKillSwitch(deviceId: string, on: boolean | null): boolean {
    const before = this.killSwitch(deviceId);
    if (on === null) this.killSwitches.delete(deviceId);
    else this.killSwitches.set(deviceId, on);
    return before !== on;
  }
}
