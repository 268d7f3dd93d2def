import { ActionGate, CONSENT_DENIED_MESSAGE, KILL_SWITCH_MESSAGE, MUTATING_ACTIONS } from './action-gate';
import { KillSwitch, PERSISTENT_KILL_SWITCH_MESSAGE, QUICK_KILL_SWITCH_MESSAGE } from './kill-switch';

describe('ActionGate', () => {
  it.each(MUTATING_ACTIONS)(
    'refuses %s while the kill switch is on, and allows it when off',
    async (action) => {
      const kill = new KillSwitch(true);
      const gate = new ActionGate(kill);
      await expect(gate.check({ action })).resolves.toEqual({
        allowed: false,
        code: 'kill_switch',
        message: KILL_SWITCH_MESSAGE,
      });
      kill.set(false);
      await expect(gate.check({ action })).resolves.toEqual({ allowed: true });
    },
  );

  it('asks the consent hook with the request and refuses on no', async () => {
    const consent = jest.fn().mockResolvedValueOnce(false).mockResolvedValueOnce(true);
    const gate = new ActionGate(new KillSwitch(), consent);
    await expect(gate.check({ action: 'shell', sessionId: 's1', requestedBy: 'Alex' })).resolves.toEqual({
      allowed: false,
      code: 'consent_denied',
      message: CONSENT_DENIED_MESSAGE,
    });
    await expect(gate.check({ action: 'screen' })).resolves.toEqual({ allowed: true });
    expect(consent).toHaveBeenCalledWith({ action: 'shell', sessionId: 's1', requestedBy: 'Alex' });
  });

  it('does not ask for consent while the kill switch is on, and re-checks it after asking', async () => {
    const kill = new KillSwitch(true);
    const consent = jest.fn(() => true);
    await new ActionGate(kill, consent).check({ action: 'commands' });
    expect(consent).not.toHaveBeenCalled();
    kill.set(false);
    const slowConsent = (): Promise<boolean> => new Promise((resolve) => setTimeout(() => resolve(true), 10));
    const pending = new ActionGate(kill, slowConsent).check({ action: 'commands' });
    kill.set(true);
    await expect(pending).resolves.toMatchObject({ allowed: false, code: 'kill_switch' });
  });
});

describe('KillSwitch', () => {
  it('refuses with the sentence it was given, which says how to switch it back', async () => {
    const kill = new KillSwitch(true, QUICK_KILL_SWITCH_MESSAGE);
    await expect(new ActionGate(kill).check({ action: 'launch' })).resolves.toEqual({
      allowed: false,
      code: 'kill_switch',
      message: QUICK_KILL_SWITCH_MESSAGE,
    });
    expect(QUICK_KILL_SWITCH_MESSAGE).toContain('press K');
    expect(PERSISTENT_KILL_SWITCH_MESSAGE).toContain('administrator');
    kill.toggle();
    expect(kill.on).toBe(false);
  });

  it('tells listeners about changes only', () => {
    const kill = new KillSwitch();
    const seen: boolean[] = [];
    const off = kill.onChange((on) => seen.push(on));
    kill.set(false);
    kill.set(true);
    kill.set(true);
    off();
    kill.set(false);
    expect(seen).toEqual([true]);
  });
});
