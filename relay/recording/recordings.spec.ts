import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RECORDING_ENCODINGS,
  RECORDING_FORMAT,
  RECORDING_MANIFEST_NAME,
  RECORDING_OPEN_MARKER,
  type RecordingManifest,
} from '../../contracts/recording/format';
import type { RecordingEvent } from '../../contracts/relay-events';
import { FsRecordingStore } from '../../contracts/node/recording-store';
import { createRelayLogger } from '../logger';
import { RelayMetrics } from '../metrics';
import { Recordings } from './recordings';

function manifest(recordingId: string, endedAt: string | null): RecordingManifest {
  return {
    format: RECORDING_FORMAT,
    recordingId,
    sessionId: randomUUID(),
    channel: 'screen',
    encoding: RECORDING_ENCODINGS.screen,
    mode: 'required',
    technicianId: null,
    deviceId: null,
    startedAt: new Date(0).toISOString(),
    endedAt,
    complete: endedAt !== null,
    incompleteReason: null,
    bytesAgentToTech: 0,
    bytesTechToAgent: 0,
    chunks: [],
  };
}

describe('Recordings.sweepCrashed', () => {
  let dir: string;
  let store: FsRecordingStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rec-sweep-'));
    store = new FsRecordingStore(join(dir, 'recordings'));
    await store.prepare();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const put = (m: RecordingManifest): Promise<void> =>
    store.put(m.recordingId, RECORDING_MANIFEST_NAME, Buffer.from(JSON.stringify(m)));

  it('looks only at recordings carrying the open marker: finished ones do not use up its limit', async () => {
    // Many finished recordings (some even with endedAt null: their failure was reported, the marker gone).
    for (let i = 0; i < 20; i++) await put(manifest(randomUUID(), i % 2 ? new Date().toISOString() : null));
    const open = manifest(randomUUID(), null);
    await put(open);
    await store.put(open.recordingId, RECORDING_OPEN_MARKER, new Uint8Array(0));
    // A marker without a manifest (a crash between the two writes): dropped, nothing reported.
    const bare = randomUUID();
    await store.put(bare, RECORDING_OPEN_MARKER, new Uint8Array(0));

    const events: RecordingEvent[] = [];
    const recordings = new Recordings(
      store,
      (e) => events.push(e),
      new RelayMetrics(),
      createRelayLogger('silent'),
    );
    expect(await recordings.sweepCrashed(100, 2)).toBe(1);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'recording_finished',
        recordingId: open.recordingId,
        incompleteReason: 'relay_crashed',
      }),
    ]);
    expect(await store.get(open.recordingId, RECORDING_OPEN_MARKER)).toBeNull();
    expect(await store.get(bare, RECORDING_OPEN_MARKER)).toBeNull();
    // A second start finds nothing left to close.
    expect(await recordings.sweepCrashed(100, 2)).toBe(0);
    expect(events).toHaveLength(1);
  });
});
