import { describeCloseCode, RelayCloseCode } from '../../contracts/relay-close-codes';
import { viewerEndText } from '../../client/src/app/viewer/viewer-end-text';
import {
  compareSessions,
  endReasonText,
  formatDuration,
  matchesFilter,
  mergeSession,
  protocolUnavailable,
  RemoteSession,
  sessionDurationSec,
} from '../../client/src/app/remote-sessions/remote-sessions.model';

const NOW = Date.parse('2026-03-02T12:00:00Z');

function session(overrides: Partial<RemoteSession> = {}): RemoteSession {
  return {
    id: 'a',
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
    status: 'active',
    channels: ['screen', 'shell'],
    channelStates: [],
    startedAt: '2026-03-02T11:00:00Z',
    connectedAt: null,
    endedAt: null,
    endReason: null,
    durationSec: 10,
    ...overrides,
  };
}

describe('remote sessions model (dashboard)', () => {
  it('never moves a session backwards when a list and an event cross', () => {
    const ended = session({ status: 'ended', endedAt: '2026-03-02T11:30:00Z', endReason: 'technician' });
    expect(mergeSession(ended, session({ status: 'active' }))).toBe(ended);
    expect(mergeSession(session({ status: 'pending' }), session({ status: 'active' })).status).toBe('active');
    expect(mergeSession(undefined, ended)).toBe(ended);
  });

  it('shows open sessions as Active and sessions ended in the past 24 hours as Recent', () => {
    expect(matchesFilter(session({ status: 'pending' }), 'active', NOW)).toBe(true);
    expect(matchesFilter(session(), 'recent', NOW)).toBe(false);
    const endedAt = (iso: string) => session({ status: 'ended', endedAt: iso });
    expect(matchesFilter(endedAt('2026-03-02T11:59:00Z'), 'recent', NOW)).toBe(true);
    expect(matchesFilter(endedAt('2026-03-01T11:59:00Z'), 'recent', NOW)).toBe(false);
    expect(matchesFilter(endedAt('2026-03-02T11:59:00Z'), 'active', NOW)).toBe(false);
  });

  it('orders Active by start and Recent by end, newest first', () => {
    const a = session({ id: 'a', startedAt: '2026-03-02T10:00:00Z', endedAt: '2026-03-02T11:50:00Z' });
    const b = session({ id: 'b', startedAt: '2026-03-02T11:00:00Z', endedAt: '2026-03-02T11:10:00Z' });
    expect([a, b].sort(compareSessions('active')).map((s) => s.id)).toEqual(['b', 'a']);
    expect([a, b].sort(compareSessions('recent')).map((s) => s.id)).toEqual(['a', 'b']);
  });

  it('counts a running session’s duration to now and an ended one’s to its end', () => {
    expect(sessionDurationSec(session(), NOW)).toBe(3600);
    expect(
      sessionDurationSec(session({ status: 'ended', endedAt: '2026-03-02T11:00:42Z', durationSec: 42 }), NOW),
    ).toBe(42);
    expect([formatDuration(42), formatDuration(125), formatDuration(3900)]).toEqual([
      '42 s',
      '2 min',
      '1 h 05 min',
    ]);
  });

  it('offers RDP to no device and SSH to Linux and macOS only', () => {
    expect(protocolUnavailable('rdp', 'linux')).toBe('RDP is not available yet.');
    expect(protocolUnavailable('ssh', 'windows')).toMatch(/Linux and macOS/);
    expect(protocolUnavailable('ssh', 'macos')).toBeNull();
    expect(protocolUnavailable('web', 'windows')).toBeNull();
  });
});

describe('the end reason of a session that had to be recorded', () => {
  it('reads as the viewer header says it: the relay’s sentence for close code 4016', () => {
    const relay = describeCloseCode(RelayCloseCode.RecordingFailed).message.replace(/\.$/, '');
    expect(endReasonText({ endReason: 'recording_failed' })).toBe(relay);
    expect(viewerEndText({ status: 'ended', endReason: 'recording_failed' })).toBe(relay);
    expect(relay).toBe('This session must be recorded and the recording could not be saved, so it was ended');
  });
});
