import { setConsoleLanguage } from '../i18n/console-text';
import { StatusLine, describeStatus } from './status-line';

describe('status line', () => {
  it('tells the customer who is connected, to what, and how to end', () => {
    expect(describeStatus('KW Group', { connection: 'connected', channels: [], killSwitch: false })).toBe(
      '[KW Group] Connected. Waiting for a technician. Press Ctrl-C to end the session.',
    );
    expect(
      describeStatus('KW Group', {
        connection: 'connected',
        technician: 'Alex',
        channels: ['screen', 'shell'],
        killSwitch: false,
      }),
    ).toBe(
      '[KW Group] Technician Alex is connected (your screen, a terminal). Press Ctrl-C to end the session.',
    );
    expect(
      describeStatus('KW Group', { connection: 'reconnecting', channels: [], killSwitch: false }),
    ).toContain('reconnecting');
    expect(describeStatus('KW Group', { connection: 'connected', channels: [], killSwitch: true })).toContain(
      'Remote control is switched off',
    );
  });

  it('with the K key available, always says how to switch remote control off and on', () => {
    const keys = { killSwitchKey: true };
    expect(
      describeStatus('KW Group', { connection: 'connected', channels: [], killSwitch: false }, keys),
    ).toBe(
      '[KW Group] Connected. Waiting for a technician. Press K to switch remote control off, Ctrl-C to end the session.',
    );
    expect(
      describeStatus(
        'KW Group',
        { connection: 'connected', technician: 'Alex', channels: ['screen'], killSwitch: false },
        keys,
      ),
    ).toBe(
      '[KW Group] Technician Alex is connected (your screen). Press K to switch remote control off, Ctrl-C to end the session.',
    );
    expect(
      describeStatus('KW Group', { connection: 'connected', channels: [], killSwitch: true }, keys),
    ).toBe(
      '[KW Group] Connected. Remote control is switched OFF on this computer: press K to allow it again, Ctrl-C to end the session.',
    );
  });

  it('reprints the line when the K key becomes available', () => {
    const lines: string[] = [];
    const line = new StatusLine('B', (l) => lines.push(l));
    line.update({ connection: 'connected', channels: [], killSwitch: false });
    line.enableKillSwitchKey();
    expect(lines).toEqual([
      '[B] Connected. Waiting for a technician. Press Ctrl-C to end the session.\n',
      '[B] Connected. Waiting for a technician. Press K to switch remote control off, Ctrl-C to end the session.\n',
    ]);
  });

  it('prints a line only when the text changes', () => {
    const lines: string[] = [];
    const line = new StatusLine('B', (l) => lines.push(l));
    line.update({ connection: 'connecting', channels: [], killSwitch: false });
    line.update({ connection: 'connecting', channels: [], killSwitch: false });
    line.update({ connection: 'connected', channels: [], killSwitch: false });
    expect(lines).toHaveLength(2);
  });

  it('with an indicator: who, from where, what they can do, for how long; the kill switch still wins', () => {
    const since = new Date('2026-12-03T09:00:00Z');
    const indicator = {
      state: { technician: 'Alex', organisation: 'Acme', capabilities: ['view' as const], since },
      now: new Date('2026-12-03T09:01:30Z'),
    };
    const connected = { connection: 'connected' as const, channels: ['screen'], killSwitch: false };
    expect(describeStatus('B', connected, {}, indicator)).toBe(
      '[B] Alex from Acme can see your screen (for 1 minute). Press Ctrl-C to end the session.',
    );
    expect(describeStatus('B', connected, { killSwitchKey: true, channelKeys: true }, indicator)).toBe(
      '[B] Alex from Acme can see your screen (for 1 minute). Press V to allow control, S to stop sharing the screen, K to switch remote control off, Ctrl-C to end the session.',
    );
    expect(
      describeStatus('B', { ...connected, killSwitch: true }, { killSwitchKey: true }, indicator),
    ).toContain('switched OFF');
    expect(describeStatus('B', { ...connected, connection: 'reconnecting' }, {}, indicator)).toContain(
      'reconnecting',
    );
  });

  describe('in the customer’s language', () => {
    afterEach(() => setConsoleLanguage('en'));

    it('German: waiting, connected, the kill switch and the keys', () => {
      setConsoleLanguage('de');
      const idle = { connection: 'connected' as const, channels: [], killSwitch: false };
      expect(describeStatus('KW Group', idle)).toBe(
        '[KW Group] Verbunden. Warten auf einen Techniker. Drücken Sie Strg-C, um die Sitzung zu beenden.',
      );
      expect(describeStatus('KW Group', { ...idle, technician: 'Alex', channels: ['screen', 'shell'] })).toBe(
        '[KW Group] Techniker Alex ist verbunden (Ihr Bildschirm, ein Terminal). Drücken Sie Strg-C, um die Sitzung zu beenden.',
      );
      expect(describeStatus('KW Group', { ...idle, killSwitch: true }, { killSwitchKey: true })).toBe(
        '[KW Group] Verbunden. Die Fernsteuerung ist auf diesem Computer AUS: Drücken Sie K, um sie wieder zu erlauben, Strg-C, um die Sitzung zu beenden.',
      );
    });

    it('French: the indicator with who, what, how long and the keys', () => {
      setConsoleLanguage('fr');
      const since = new Date('2026-12-03T09:00:00Z');
      const indicator = {
        state: {
          technician: 'Alex',
          organisation: 'Acme',
          capabilities: ['view' as const, 'terminal' as const],
          since,
        },
        now: new Date('2026-12-03T11:05:00Z'),
      };
      const connected = {
        connection: 'connected' as const,
        channels: ['screen', 'shell'],
        killSwitch: false,
      };
      expect(describeStatus('B', connected, { killSwitchKey: true, channelKeys: true }, indicator)).toBe(
        '[B] Alex de Acme peut voir votre écran et utiliser un terminal (depuis 2 h 05 min). Appuyez sur V pour autoriser le contrôle, S pour arrêter le partage d’écran, T pour fermer le terminal, K pour désactiver le contrôle à distance, Ctrl-C pour mettre fin à la session.',
      );
    });
  });
});
