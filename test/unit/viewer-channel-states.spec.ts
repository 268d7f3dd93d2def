import {
  ASK_AGAIN_LIMITS,
  type RemoteChannelStateView,
  type RemoteSessionView,
} from '../../contracts/api/remote-sessions';
import {
  askAgainAvailability,
  channelStateOf,
  channelStateSentence,
  channelSummary,
  DEVICE_MESSAGE_MAX,
  mergeViewerSession,
  secondsUntil,
} from '../../client/src/app/viewer/channel-states';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const at = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString();

function channel(overrides: Partial<RemoteChannelStateView> = {}): RemoteChannelStateView {
  return {
    channel: 'screen',
    state: 'open',
    mode: 'control',
    deadline: null,
    message: null,
    policy: 'ask',
    asks: 1,
    askAgainAt: null,
    updatedAt: at(-5_000),
    monitors: null,
    monitor: null,
    ...overrides,
  };
}

function session(overrides: Partial<RemoteSessionView> = {}): RemoteSessionView {
  return {
    id: 's',
    deviceId: 'd',
    deviceName: 'reception-pc',
    deviceOs: 'linux',
    kind: 'quick',
    customerName: null,
    technicianId: 't',
    technician: 'Help desk technician',
    type: 'attended',
    protocol: 'web',
    reason: null,
    recordingEnabled: false,
    status: 'pending',
    channels: ['screen', 'shell'],
    channelStates: [channel(), channel({ channel: 'shell', mode: null })],
    startedAt: at(-60_000),
    connectedAt: null,
    endedAt: null,
    endReason: null,
    durationSec: 60,
    ...overrides,
  };
}

describe('viewer channel states', () => {
  describe('secondsUntil', () => {
    it('counts whole seconds up to a time, rounding up and never below zero', () => {
      expect(secondsUntil(at(24_000), NOW)).toBe(24);
      expect(secondsUntil(at(23_001), NOW)).toBe(24);
      expect(secondsUntil(at(0), NOW)).toBe(0);
      expect(secondsUntil(at(-3_000), NOW)).toBe(0);
    });

    it('has nothing to count without a readable time', () => {
      expect(secondsUntil(null, NOW)).toBeNull();
      expect(secondsUntil('not a date', NOW)).toBeNull();
    });
  });

  describe('channelStateSentence', () => {
    it('counts down while the customer is asked', () => {
      const asking = channel({ state: 'asking', mode: null, deadline: at(24_000) });
      expect(channelStateSentence(asking, NOW)).toBe('Waiting for the customer to allow: screen — 24 s left');
      expect(channelStateSentence(asking, NOW + 10_000)).toBe(
        'Waiting for the customer to allow: screen — 14 s left',
      );
      expect(channelStateSentence(asking, NOW + 30_000)).toBe(
        'Waiting for the customer to allow: screen — 0 s left',
      );
      expect(channelStateSentence({ ...asking, channel: 'shell', deadline: null }, NOW)).toBe(
        'Waiting for the customer to allow: terminal…',
      );
    });

    it('says which mode the customer allowed the screen in', () => {
      expect(channelStateSentence(channel({ mode: 'view_only' }), NOW)).toBe('Allowed — view only');
      expect(channelStateSentence(channel({ mode: 'control' }), NOW)).toBe('Allowed — control');
      expect(channelStateSentence(channel({ channel: 'shell', mode: null }), NOW)).toBe('Allowed');
    });

    it('puts every refusal in words', () => {
      const said = (state: RemoteChannelStateView['state']): string =>
        channelStateSentence(channel({ state, mode: null, message: 'from the device' }), NOW);
      expect(said('denied')).toBe('Denied by the customer');
      expect(said('timed_out')).toBe('The customer did not answer in time');
      expect(said('unavailable')).toBe('The device could not ask anyone');
      expect(said('revoked')).toBe('Switched off on the device');
      expect(said('opening')).toBe('Asking the device to open the screen…');
      expect(said('failed')).toBe('Could not open: from the device');
    });

    it('shows the device’s sentence on one line, bounded, and says so when there is none', () => {
      const failed = (message: string | null): string =>
        channelStateSentence(channel({ state: 'failed', mode: null, message }), NOW);
      expect(failed('No VNC\r\nserver\u202e here')).toBe('Could not open: No VNC server here');
      expect(failed(null)).toBe('Could not open: no reason was given');
      expect(failed('\u0000\u0007')).toBe('Could not open: no reason was given');
      const long = failed('x'.repeat(5_000));
      expect(long.length).toBe('Could not open: '.length + DEVICE_MESSAGE_MAX);
      expect(long.endsWith('…')).toBe(true);
    });
  });

  describe('channelSummary', () => {
    it('gives each channel a few words and a tone for the header', () => {
      expect(channelSummary(channel({ state: 'asking', deadline: at(9_500) }), NOW)).toEqual({
        channel: 'screen',
        text: 'Screen: waiting, 10 s',
        tone: 'pending',
      });
      expect(channelSummary(channel({ mode: 'view_only' }), NOW).text).toBe('Screen: view only');
      expect(channelSummary(channel({ channel: 'shell', mode: null }), NOW)).toEqual({
        channel: 'shell',
        text: 'Terminal: allowed',
        tone: 'success',
      });
      expect(channelSummary(channel({ channel: 'files', mode: null }), NOW).text).toBe('Files: allowed');
      expect(channelSummary(channel({ state: 'denied' }), NOW)).toEqual({
        channel: 'screen',
        text: 'Screen: denied',
        tone: 'danger',
      });
    });
  });

  describe('askAgainAvailability', () => {
    it('offers nothing while the channel is open, being opened or asked, or once the session ended', () => {
      for (const state of ['open', 'opening', 'asking'] as const)
        expect(askAgainAvailability(channel({ state }), 'active', NOW)).toEqual({ kind: 'none' });
      expect(askAgainAvailability(channel({ state: 'denied' }), 'ended', NOW)).toEqual({ kind: 'none' });
    });

    it('allows asking again after each kind of no', () => {
      for (const state of ['denied', 'timed_out', 'unavailable', 'revoked', 'failed'] as const)
        expect(askAgainAvailability(channel({ state }), 'pending', NOW)).toEqual({ kind: 'ready' });
    });

    it('counts down to the time the portal gives, then allows it', () => {
      const denied = channel({ state: 'denied', askAgainAt: at(12_200) });
      expect(askAgainAvailability(denied, 'active', NOW)).toEqual({ kind: 'wait', seconds: 13 });
      expect(askAgainAvailability(denied, 'active', NOW + 12_200)).toEqual({ kind: 'ready' });
    });

    it('hides the button with a sentence once the customer was asked as often as a session allows', () => {
      const denied = channel({
        state: 'denied',
        asks: ASK_AGAIN_LIMITS.maxPerChannel,
        askAgainAt: at(5_000),
      });
      const result = askAgainAvailability(denied, 'active', NOW);
      expect(result.kind).toBe('limit');
      expect(result.kind === 'limit' && result.sentence).toBe(
        `The customer was asked ${ASK_AGAIN_LIMITS.maxPerChannel} times for the screen in this session, so they cannot be asked again. Start a new session to ask once more.`,
      );
      expect(
        askAgainAvailability({ ...denied, asks: ASK_AGAIN_LIMITS.maxPerChannel - 1 }, 'active', NOW + 5_000),
      ).toEqual({ kind: 'ready' });
    });
  });

  describe('mergeViewerSession', () => {
    it('keeps each channel’s newer state when an older copy arrives late', () => {
      const opening = channel({ state: 'opening', mode: null, updatedAt: at(-1_000) });
      const staleOpen = channel({ state: 'open', updatedAt: at(-9_000) });
      const held = session({
        channelStates: [opening, channel({ channel: 'shell', updatedAt: at(-9_000) })],
      });
      const late = session({
        channelStates: [staleOpen, channel({ channel: 'shell', state: 'denied', updatedAt: at(-500) })],
      });
      const merged = mergeViewerSession(held, late);
      expect(channelStateOf(merged, 'screen')).toEqual(opening);
      expect(channelStateOf(merged, 'shell')?.state).toBe('denied');
    });

    it('takes a newer state, such as the customer switching the screen to view only', () => {
      const held = session();
      const switched = session({
        channelStates: [channel({ mode: 'view_only', updatedAt: at(0) }), held.channelStates[1]],
      });
      expect(channelStateOf(mergeViewerSession(held, switched), 'screen')?.mode).toBe('view_only');
    });

    it('never moves the session backwards, and starts from the first copy', () => {
      const ended = session({ status: 'ended', endReason: 'technician', endedAt: at(0) });
      expect(mergeViewerSession(ended, session({ status: 'active' })).status).toBe('ended');
      expect(mergeViewerSession(session({ status: 'pending' }), session({ status: 'active' })).status).toBe(
        'active',
      );
      const first = session();
      expect(mergeViewerSession(null, first)).toBe(first);
    });

    it('has no state for a channel the session does not have', () => {
      expect(channelStateOf(session(), 'commands')).toBeNull();
      expect(channelStateOf(null, 'screen')).toBeNull();
    });
  });
});
