import {
  RECORDING_FORMAT,
  RecordingFormatError,
  SCREEN_RECORD_HEADER_BYTES,
  ScreenRecordReader,
  parseRecordingManifest,
  recordingChunkName,
  recordingObjectKey,
  writeScreenRecordHeader,
  type ScreenDirection,
} from './format';

const ID = '3f2b8c1e-7a4d-4e9b-9c0a-1b2c3d4e5f60';
const HEX = 'a'.repeat(64);

function record(direction: ScreenDirection, atMs: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(SCREEN_RECORD_HEADER_BYTES + data.length);
  writeScreenRecordHeader(out, 0, direction, atMs, data.length);
  out.set(data, SCREEN_RECORD_HEADER_BYTES);
  return out;
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('ScreenRecordReader', () => {
  const stream = joined([
    record(0, 0, new Uint8Array([1, 2, 3])),
    record(1, 5, new Uint8Array(0)),
    record(0, 5, new Uint8Array(300).fill(7)),
    record(1, 9000, new Uint8Array([9])),
  ]);

  it('reads the same records whichever way the stream is split into chunks', () => {
    for (const size of [1, 2, 8, 9, 10, 64, stream.length]) {
      const reader = new ScreenRecordReader();
      const records = [];
      for (let at = 0; at < stream.length; at += size)
        records.push(...reader.push(stream.slice(at, at + size)));
      expect(reader.pendingBytes).toBe(0);
      expect(records.map((r) => [r.direction, r.atMs, r.data.length])).toEqual([
        [0, 0, 3],
        [1, 5, 0],
        [0, 5, 300],
        [1, 9000, 1],
      ]);
      expect(Array.from(records[0].data)).toEqual([1, 2, 3]);
    }
  });

  it('holds back an unfinished record: a cut stream leaves pending bytes', () => {
    const reader = new ScreenRecordReader();
    expect(reader.push(stream.slice(0, stream.length - 1))).toHaveLength(3);
    expect(reader.pendingBytes).toBe(SCREEN_RECORD_HEADER_BYTES);
  });

  it('refuses an unknown direction, an oversized record and time running backwards', () => {
    const bad = record(0, 0, new Uint8Array(1));
    bad[0] = 2;
    expect(() => new ScreenRecordReader().push(bad)).toThrow(RecordingFormatError);
    const huge = new Uint8Array(SCREEN_RECORD_HEADER_BYTES);
    new DataView(huge.buffer).setUint32(5, 0xffffffff);
    expect(() => new ScreenRecordReader().push(huge)).toThrow('record too long');
    const backwards = joined([record(0, 10, new Uint8Array(1)), record(0, 9, new Uint8Array(1))]);
    expect(() => new ScreenRecordReader().push(backwards)).toThrow('record time runs backwards');
  });

  it('clamps a header time to the u32 range', () => {
    const [r] = new ScreenRecordReader().push(record(0, 2 ** 40, new Uint8Array(0)));
    expect(r.atMs).toBe(0xffffffff);
  });
});

describe('chunk names and object keys', () => {
  it('names chunks with six digits and the channel extension', () => {
    expect(recordingChunkName(0, 'screen')).toBe('000000.rfb');
    expect(recordingChunkName(42, 'shell')).toBe('000042.cast');
    expect(() => recordingChunkName(-1, 'screen')).toThrow(RangeError);
    expect(() => recordingChunkName(100_000, 'screen')).toThrow(RangeError);
  });

  it('refuses keys that could leave the recording folder', () => {
    expect(recordingObjectKey(ID, 'manifest.json')).toBe(`${ID}/manifest.json`);
    for (const name of ['../x.rfb', '000001.rfb/..', '/etc/passwd', '000001.txt', '.manifest.json'])
      expect(() => recordingObjectKey(ID, name)).toThrow(RangeError);
    expect(() => recordingObjectKey('../' + ID, '000000.rfb')).toThrow(RangeError);
  });
});

describe('parseRecordingManifest', () => {
  const valid = {
    format: RECORDING_FORMAT,
    recordingId: ID,
    sessionId: 'session-1',
    channel: 'screen',
    encoding: 'rfb-records/1',
    mode: 'required',
    technicianId: null,
    deviceId: 'device-1',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    complete: false,
    incompleteReason: null,
    bytesAgentToTech: 10,
    bytesTechToAgent: 0,
    chunks: [{ index: 0, name: '000000.rfb', bytes: 19, startMs: 0, endMs: 3, sha256: HEX, chain: HEX }],
  };

  it('accepts a well-formed manifest', () => {
    expect(parseRecordingManifest(valid)).toEqual(valid);
  });

  it.each([
    ['not an object', []],
    ['another format', { ...valid, format: 'qs-recording/2' }],
    ['a recording id that is not a UUID', { ...valid, recordingId: '../etc' }],
    ['a session id with a slash', { ...valid, sessionId: 'a/b' }],
    ['an unknown channel', { ...valid, channel: 'files' }],
    ['an encoding of another channel', { ...valid, encoding: 'asciicast/2' }],
    ['an unknown mode', { ...valid, mode: 'strict' }],
    ['a bad end time', { ...valid, endedAt: 'yesterday' }],
    ['an unknown incomplete reason', { ...valid, incompleteReason: 'oops' }],
    ['negative byte counts', { ...valid, bytesAgentToTech: -1 }],
    ['a gap in chunk indexes', { ...valid, chunks: [{ ...valid.chunks[0], index: 1 }] }],
    ['a chunk name with a path', { ...valid, chunks: [{ ...valid.chunks[0], name: '../000000.rfb' }] }],
    ['a chunk of another channel', { ...valid, chunks: [{ ...valid.chunks[0], name: '000000.cast' }] }],
    ['a chunk ending before it starts', { ...valid, chunks: [{ ...valid.chunks[0], startMs: 5, endMs: 4 }] }],
    ['a chunk hash in upper case', { ...valid, chunks: [{ ...valid.chunks[0], sha256: 'A'.repeat(64) }] }],
    ['a short chain link', { ...valid, chunks: [{ ...valid.chunks[0], chain: 'ab' }] }],
  ])('refuses %s', (_what, value) => {
    expect(() => parseRecordingManifest(value)).toThrow(RecordingFormatError);
  });
});
