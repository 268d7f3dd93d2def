import { EventEmitter } from 'node:events';
import { ConsoleKeys, type KeyboardInput } from '../cli/console-keys';
import { silentLogger } from '../test-support/socket-pair';
import { StatusLine } from '../core/status-line';
import { consentPrompters, createIndicator } from './consent-ui';

class FakeTerminal extends EventEmitter implements KeyboardInput {
  readonly isTTY = true;
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
}

describe('consentPrompters', () => {
  const keys = new ConsoleKeys(new FakeTerminal(), { toggleKillSwitch: jest.fn(), interrupt: jest.fn() });
  const options = { logger: silentLogger, brand: 'B', interactive: true, env: {} };

  it('gives the desktop dialog for each OS, then the terminal when the console reads keys', () => {
    for (const os of ['linux', 'macos', 'windows'] as const) {
      expect(consentPrompters(os, { ...options, keys }).map((p) => p.name)).toEqual(['dialog', 'terminal']);
      expect(consentPrompters(os, options).map((p) => p.name)).toEqual(['dialog']);
    }
  });

  it('on Linux without a display the dialog is unavailable (the terminal asks)', async () => {
    const [dialog] = consentPrompters('linux', { ...options, env: { PATH: '/usr/bin:/bin' } });
    await expect(
      dialog.ask({
        promptId: 'p',
        sessionId: 's',
        channel: 'screen',
        technician: 'T',
        organisation: 'O',
        timeoutMs: 1000,
        signal: new AbortController().signal,
      }),
    ).resolves.toBe('unavailable');
  });
});

describe('createIndicator', () => {
  it.each(['linux', 'macos', 'windows'] as const)(
    '%s without a desktop: the terminal status line shows and hides it',
    (os) => {
      const lines: string[] = [];
      const status = new StatusLine('B', (line) => lines.push(line));
      status.update({ connection: 'connected', channels: ['shell'], killSwitch: false });
      const actions = { endNow: jest.fn(), stopChannel: jest.fn(), setScreenMode: jest.fn() };
      const indicator = createIndicator(os, { logger: silentLogger, actions, status, env: {} });
      indicator.show({
        technician: 'Alex',
        organisation: 'Acme',
        capabilities: ['terminal'],
        since: new Date(),
      });
      expect(lines.at(-1)).toBe(
        '[B] Alex from Acme can use a terminal (for less than a minute). Press Ctrl-C to end the session.\n',
      );
      indicator.close();
      expect(lines.at(-1)).toBe(
        '[B] A technician is connected (a terminal). Press Ctrl-C to end the session.\n',
      );
    },
  );
});
