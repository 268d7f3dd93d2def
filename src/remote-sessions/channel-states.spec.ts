import type { ConsentMessage } from '../../contracts/agent-protocol/control-messages';
import { ASK_AGAIN_LIMITS } from '../../contracts/api/remote-sessions';
import {
  CHANNEL_STATE_SENTENCES,
  applyConsent,
  askAgainBlock,
  channelStateViews,
  opened,
  refused,
  requested,
  type StoredChannelState,
} from './channel-states';

const T0 = new Date('2026-12-03T10:00:00Z');
const at = (sec: number): Date => new Date(T0.getTime() + sec * 1000);
const SID = '9b2e6c1d-0f3a-4d5b-8e7f-1a2b3c4d5e6f';
const consent = (fields: Partial<ConsentMessage>): ConsentMessage => ({
  type: 'consent',
  sessionId: SID,
  channel: 'screen',
  event: 'asked',
  policy: 'ask',
  ...fields,
});

describe('channel states', () => {
  it('follows a question from asked to allowed view-only, then a switch to control', () => {
    const start = requested(undefined, 'start', T0);
    expect(start).toMatchObject({ state: 'opening', requests: 1 });
    const asking = applyConsent(start, consent({ promptId: 'p-1', expiresInSec: 30 }), at(1))!;
    expect(asking).toMatchObject({ state: 'asking', promptId: 'p-1', deadline: at(31).toISOString() });
    const allowed = applyConsent(
      asking,
      consent({ event: 'allowed_view_only', promptId: 'p-1', scope: 'session', mode: 'view_only' }),
      at(5),
    )!;
    expect(allowed).toMatchObject({ state: 'open', mode: 'view_only' });
    expect(allowed.deadline).toBeUndefined();
    const opened1 = opened(allowed, 'screen', at(6))!;
    expect(opened1).toMatchObject({ state: 'open', mode: 'view_only' });
    expect(applyConsent(opened1, consent({ event: 'mode_changed', mode: 'control' }), at(9))).toMatchObject({
      state: 'open',
      mode: 'control',
    });
  });

  it('ignores an answer to a question other than the one showing', () => {
    const asking = applyConsent(requested(undefined, 'start', T0), consent({ promptId: 'p-2' }), T0)!;
    expect(
      applyConsent(asking, consent({ event: 'allowed', promptId: 'p-1', scope: 'session' }), at(1)),
    ).toBeNull();
    expect(applyConsent(asking, consent({ event: 'denied', promptId: 'p-1' }), at(1))).toBeNull();
  });

  it.each([
    ['denied', CHANNEL_STATE_SENTENCES.denied],
    ['timed_out', CHANNEL_STATE_SENTENCES.timed_out],
    ['unavailable', CHANNEL_STATE_SENTENCES.unavailable],
  ] as const)('records %s in words, and the refusal that follows keeps it', (event, sentence) => {
    const asking = applyConsent(requested(undefined, 'start', T0), consent({ promptId: 'p-1' }), T0)!;
    const no = applyConsent(asking, consent({ event, promptId: 'p-1' }), at(2))!;
    expect(no).toMatchObject({ state: event, message: sentence });
    expect(refused(no, true, 'The person at the device did not allow this.', at(3))).toBeNull();
  });

  it('a refusal before any consent event still says no, and a failure says why', () => {
    const start = requested(undefined, 'start', T0);
    expect(refused(start, true, 'No.', at(1))).toMatchObject({ state: 'denied', message: 'No.' });
    expect(refused(start, false, 'No VNC server.', at(1))).toMatchObject({
      state: 'failed',
      message: 'No VNC server.',
    });
  });

  it('does not reopen a channel the person took back when a late channel_opened arrives', () => {
    const revoked = applyConsent(
      opened(requested(undefined, 'start', T0), 'shell', T0)!,
      consent({ channel: 'shell', event: 'revoked' }),
      at(1),
    )!;
    expect(revoked.state).toBe('revoked');
    expect(opened(revoked, 'shell', at(2))).toBeNull();
    expect(applyConsent(revoked, consent({ event: 'mode_changed', mode: 'control' }), at(3))).toBeNull();
  });

  it('lets the technician ask again only after a no, 20 s apart, at most 5 times', () => {
    let s: StoredChannelState = refused(requested(undefined, 'start', T0), true, 'No.', at(1))!;
    expect(askAgainBlock(s, at(5))).toEqual(at(ASK_AGAIN_LIMITS.minIntervalSec));
    expect(askAgainBlock(s, at(ASK_AGAIN_LIMITS.minIntervalSec))).toBeNull();
    expect(askAgainBlock(requested(s, 'ask_again', at(30)), at(60))).toBe('not_askable');
    for (let i = 2; i <= ASK_AGAIN_LIMITS.maxPerChannel; i++)
      s = refused(requested(s, 'ask_again', at(i * 100)), true, 'No.', at(i * 100 + 1))!;
    expect(s.requests).toBe(ASK_AGAIN_LIMITS.maxPerChannel);
    expect(askAgainBlock(s, at(10_000))).toBe('limit');
  });

  it('a reconnect while the person is being asked keeps the question and its deadline', () => {
    const asking = applyConsent(
      requested(undefined, 'start', T0),
      consent({ promptId: 'p-1', expiresInSec: 30 }),
      T0,
    )!;
    expect(requested(asking, 'reconnect', at(5))).toMatchObject({
      state: 'asking',
      promptId: 'p-1',
      deadline: at(30).toISOString(),
    });
    expect(requested(asking, 'reconnect', at(31))).toMatchObject({ state: 'opening' });
  });

  it('a reconnect does not count towards the limit on asking', () => {
    const s = requested(opened(requested(undefined, 'start', T0), 'shell', T0)!, 'reconnect', at(100));
    expect(s).toMatchObject({ state: 'opening', requests: 1, lastRequestAt: T0.toISOString() });
  });

  it('shows the states in the session’s channel order, with when asking again opens', () => {
    const screen = refused(requested(undefined, 'start', T0), true, 'No.', at(1))!;
    const views = channelStateViews(
      { channels: ['screen', 'shell'], channelStates: { screen }, status: 'pending', startedAt: T0 },
      at(2),
    );
    expect(views.map((v) => [v.channel, v.state, v.askAgainAt])).toEqual([
      ['screen', 'denied', at(20).toISOString()],
      ['shell', 'opening', null],
    ]);
  });

  it('keeps the device’s monitors and the chosen one across reconnects; a monitor choice does not count as asking', () => {
    const monitors = [
      { x: 0, y: 0, width: 800, height: 600 },
      { x: 800, y: 0, width: 640, height: 480 },
    ];
    const open = opened(requested(undefined, 'start', T0), 'screen', at(1), { monitors })!;
    const view = (stored: StoredChannelState) =>
      channelStateViews(
        { channels: ['screen'], channelStates: { screen: stored }, status: 'active', startedAt: T0 },
        at(2),
      )[0];
    expect(view(open)).toMatchObject({ monitors, monitor: null });
    // The technician chose the second monitor; the device shows it.
    const switching = requested({ ...open, monitor: 1 }, 'monitor', at(3));
    expect(switching).toMatchObject({ state: 'opening', requests: 1, monitor: 1, monitors });
    const shown = opened(switching, 'screen', at(4), { monitors, monitor: 1 })!;
    expect(view(shown)).toMatchObject({ state: 'open', monitors, monitor: 1 });
    // A reconnect asks for it again; a device that no longer has it shows the whole desktop.
    const again = requested(shown, 'reconnect', at(5));
    expect(again.monitor).toBe(1);
    expect(view(opened(again, 'screen', at(6), { monitors: [monitors[0]] })!)).toMatchObject({
      monitors: [monitors[0]],
      monitor: null,
    });
    // An agent that reports nothing (before protocol 1.3) offers no choice.
    expect(view(opened(again, 'screen', at(6))!)).toMatchObject({ monitors: null, monitor: null });
  });
});
