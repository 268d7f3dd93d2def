import type WebSocket from 'ws';
import type { OpenChannelMessage } from '../../../contracts/agent-protocol/control-messages';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { ActionGate } from '../core/action-gate';
import { KillSwitch } from '../core/kill-switch';
import { silentLogger } from '../test-support/socket-pair';
import type { ActiveChannel, ChannelEnd } from './channel';
import { ChannelManager } from './channel-manager';

const SID = '9b2e6c1d-0f3a-4d5b-8e7f-1a2b3c4d5e6f';
const open = (id: string): OpenChannelMessage => ({
  type: 'open_channel',
  id,
  sessionId: SID,
  channel: 'screen',
  relayUrl: 'ws://127.0.0.1:1',
  token: `token-${id}`,
});

/** A relay socket stand-in: the manager only closes it. */
const fakeSocket = (): WebSocket => ({ close: () => undefined }) as unknown as WebSocket;

/** Channels that end when closed, and a gate whose consent the test answers. */
function setup() {
  const events: string[] = [];
  /** The monitor each screen was opened for. */
  const screens: (number | 'all')[] = [];
  const answers: ((yes: boolean) => void)[] = [];
  const gate = new ActionGate(
    new KillSwitch(),
    () => new Promise<boolean>((resolve) => answers.push(resolve)),
  );
  const manager = new ChannelManager({
    gate,
    logger: silentLogger,
    onClosed: () => undefined,
    onChange: () => undefined,
    dial: (_url, _ref, token) => {
      events.push(`dial ${token}`);
      return Promise.resolve(fakeSocket());
    },
    factories: {
      screen: (ctx): ActiveChannel => {
        screens.push(ctx.monitor ?? 'all');
        let end!: (e: ChannelEnd) => void;
        const ended = new Promise<ChannelEnd>((resolve) => (end = resolve));
        return {
          ref: ctx.ref,
          ended,
          socketClosed: ended.then(() => undefined),
          close: (code, reason) => {
            events.push(`close ${code}`);
            end({ code, reason });
          },
          ...(ctx.monitor !== undefined && {
            opened: {
              monitors: [
                { x: 0, y: 0, width: 800, height: 600 },
                { x: 800, y: 0, width: 640, height: 480 },
              ],
              monitor: ctx.monitor,
            },
          }),
        };
      },
    },
  });
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
  return { manager, events, screens, answers, flush };
}

describe('ChannelManager', () => {
  it('serves the newest request when two wait for the same answer: the older gives way', async () => {
    const { manager, events, answers, flush } = setup();
    const first = manager.openChannel(open('a'));
    await flush();
    const second = manager.openChannel(open('b'));
    await flush();
    answers.forEach((yes) => yes(true));
    await expect(first).resolves.toMatchObject({ ok: false, code: 'duplicate' });
    await expect(second).resolves.toEqual({ ok: true });
    expect(events).toEqual(['dial token-b']);
  });

  it('hands the screen the monitor the portal chose, replaces the open screen, and reports what it shows', async () => {
    const { manager, events, screens, answers, flush } = setup();
    const whole = manager.openChannel(open('a'));
    await flush();
    answers[0](true);
    await expect(whole).resolves.toEqual({ ok: true });
    const one = manager.openChannel({ ...open('b'), monitor: 1 });
    await flush();
    answers[1](true);
    await expect(one).resolves.toEqual({
      ok: true,
      opened: {
        monitors: [
          { x: 0, y: 0, width: 800, height: 600 },
          { x: 800, y: 0, width: 640, height: 480 },
        ],
        monitor: 1,
      },
    });
    expect(events).toEqual(['dial token-a', `close ${RelayCloseCode.Normal}`, 'dial token-b']);
    expect(screens).toEqual(['all', 1]);
  });

  it('a close while the request waits for consent gives the request up: nothing dials', async () => {
    const { manager, events, answers, flush } = setup();
    const pending = manager.openChannel(open('a'));
    await flush();
    expect(manager.close(SID, undefined, RelayCloseCode.EndedByTechnician, 'reconnecting')).toBe(1);
    answers[0](true);
    await expect(pending).resolves.toMatchObject({ ok: false, code: 'duplicate' });
    expect(events).toEqual([]);
    // Nothing left: a second close finds nothing.
    expect(manager.close(SID, undefined, RelayCloseCode.EndedByTechnician, 'again')).toBe(0);
  });

  it('replacing an open channel closes the old relay side before dialling the new one', async () => {
    const { manager, events, answers, flush } = setup();
    const first = manager.openChannel(open('a'));
    await flush();
    answers[0](true);
    await first;
    const second = manager.openChannel(open('b'));
    await flush();
    answers[1](true);
    await expect(second).resolves.toEqual({ ok: true });
    expect(events).toEqual(['dial token-a', `close ${RelayCloseCode.Normal}`, 'dial token-b']);
    expect(manager.list()).toHaveLength(1);
  });
});

describe('ChannelManager and the shell profile (protocol 1.3)', () => {
  it('hands the portal’s shellProfile to the shell channel, and none when the portal sent none', async () => {
    const seen: (string | undefined)[] = [];
    const manager = new ChannelManager({
      gate: new ActionGate(new KillSwitch()),
      logger: silentLogger,
      onClosed: () => undefined,
      onChange: () => undefined,
      dial: () => Promise.resolve(fakeSocket()),
      factories: {
        shell: (ctx): ActiveChannel => {
          seen.push(ctx.shellProfile);
          return { ref: ctx.ref, ended: new Promise<ChannelEnd>(() => undefined), close: () => undefined };
        },
      },
    });
    const shell = (id: string): OpenChannelMessage => ({ ...open(id), channel: 'shell' });
    await expect(manager.openChannel(shell('login'))).resolves.toEqual({ ok: true });
    await expect(manager.openChannel({ ...shell('plain'), shellProfile: 'plain' })).resolves.toEqual({
      ok: true,
    });
    expect(seen).toEqual([undefined, 'plain']);
  });
});
