import type { RecordingPlaybackView, RecordingView } from '../../contracts/api/recordings';
import {
  brokenBanner,
  bytesText,
  castText,
  clockText,
  integrityText,
  playableMs,
  statusWhy,
} from '../../client/src/app/recordings/recording-text';

function makeRecording(overrides: Partial<RecordingView> = {}): RecordingView {
  return {
    id: '0d6f7c1e-2b1a-4c3d-9e8f-001122334455',
    sessionId: '5b0c9d7e-3f2a-4e1b-8c6d-aabbccddeeff',
    channel: 'screen',
    mode: 'optional',
    status: 'complete',
    incompleteReason: null,
    failure: null,
    technicianId: null,
    technician: 'A technician',
    deviceId: null,
    deviceName: 'DESKTOP-1',
    startedAt: '2026-12-03T10:00:00.000Z',
    endedAt: '2026-12-03T10:05:00.000Z',
    durationSec: 300,
    bytes: 1_234_567,
    chunks: 3,
    integrity: 'verified',
    brokenAt: null,
    brokenReason: null,
    integrityCheckedAt: null,
    legalHold: false,
    legalHoldNote: null,
    expiresAt: null,
    ...overrides,
  };
}

function makePlayback(recording: RecordingView, playableChunks: number): RecordingPlaybackView {
  return {
    recording,
    chunks: [
      { index: 0, startMs: 0, endMs: 60_000, bytes: 10 },
      { index: 1, startMs: 60_000, endMs: 133_400, bytes: 10 },
      { index: 2, startMs: 133_400, endMs: 300_000, bytes: 10 },
    ],
    playableChunks,
    revealKeys: false,
  };
}

describe('recordings in words', () => {
  it('formats positions and sizes', () => {
    expect(clockText(0)).toBe('00:00');
    expect(clockText(133_999)).toBe('02:13');
    expect(clockText(3_723_000)).toBe('1:02:03');
    expect(bytesText(999)).toBe('999 B');
    expect(bytesText(1_234_567)).toBe('1.2 MB');
    expect(bytesText(250_000_000)).toBe('250 MB');
  });

  it('names the integrity, with the chunk where it broke', () => {
    expect(integrityText(makeRecording())).toBe('Verified');
    expect(integrityText(makeRecording({ integrity: 'broken', brokenAt: 2 }))).toBe('Broken at chunk 2');
    expect(integrityText(makeRecording({ integrity: 'unchecked' }))).toBe('Unchecked');
  });

  it('says where a broken recording stops playing, and why', () => {
    const broken = makeRecording({ integrity: 'broken', brokenAt: 2, brokenReason: 'chunk_altered' });
    expect(brokenBanner(makePlayback(broken, 2))).toBe(
      'This recording was altered or is missing data after 02:13; playback stops there (a chunk was changed after it was written, chunk 2).',
    );
    expect(playableMs(makePlayback(broken, 2))).toBe(133_400);
    expect(brokenBanner(makePlayback(broken, 0))).toMatch(/from its start; nothing can be played/);
    expect(brokenBanner(makePlayback(makeRecording(), 3))).toBe('');
    expect(playableMs(makePlayback(makeRecording(), 3))).toBe(300_000);
  });

  it('says why a recording is incomplete or failed', () => {
    expect(statusWhy(makeRecording({ status: 'incomplete', incompleteReason: 'relay_shutdown' }))).toBe(
      'This recording is incomplete: the relay was stopped while the session was live.',
    );
    expect(statusWhy(makeRecording({ status: 'failed', failure: 'full' }))).toBe(
      'Nothing could be recorded: the recording store is full.',
    );
    expect(statusWhy(makeRecording())).toBe('');
  });

  it('joins asciicast chunks and cuts a last line left unfinished', () => {
    expect(castText(['{"version":2}\n[0.1,"o","a', 'b"]\n[0.2,"o",'])).toBe(
      '{"version":2}\n[0.1,"o","ab"]\n',
    );
  });
});
