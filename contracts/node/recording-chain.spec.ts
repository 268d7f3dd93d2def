import { createHash, randomUUID } from 'node:crypto';
import { RECORDING_FORMAT, recordingChunkName, type RecordingManifest } from '../recording/format';
import {
  checkRecordingChain,
  checkRecordingChunk,
  recordingChainHead,
  recordingChainLink,
  recordingChainSeed,
} from './recording-chain';

const ID = '3f2b8c1e-7a4d-4e9b-9c0a-1b2c3d4e5f60';
const chunks = [Buffer.from('first chunk'), Buffer.from('second'), Buffer.from('third and last')];

/** A manifest of `parts` with a correct (recomputed, unkeyed) chain, as anyone could write it. */
function manifestOf(parts: Buffer[], recordingId = ID): RecordingManifest {
  let link = recordingChainSeed(recordingId);
  const entries = parts.map((bytes, index) => {
    const sha = createHash('sha256').update(bytes).digest();
    link = recordingChainLink(link, index, sha, bytes.length);
    return {
      index,
      name: recordingChunkName(index, 'shell'),
      bytes: bytes.length,
      startMs: index * 10,
      endMs: index * 10 + 5,
      sha256: sha.toString('hex'),
      chain: link.toString('hex'),
    };
  });
  return {
    format: RECORDING_FORMAT,
    recordingId,
    sessionId: 's',
    channel: 'shell',
    encoding: 'asciicast/2',
    mode: 'optional',
    technicianId: null,
    deviceId: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    complete: true,
    incompleteReason: null,
    bytesAgentToTech: 0,
    bytesTechToAgent: 0,
    chunks: entries,
  };
}

/** `n` distinct chunk bodies. */
function chunksOf(n: number): Buffer[] {
  return Array.from({ length: n }, (_, index) => Buffer.from(`chunk ${index}`));
}

describe('recording hash chain', () => {
  const manifest = manifestOf(chunks);
  const reported = { chunks: 3, head: recordingChainHead(manifest) };

  it('verifies an untouched recording against the head the relay reported', () => {
    expect(checkRecordingChain(manifest, reported)).toEqual({ ok: true, brokenAt: null, problem: null });
    manifest.chunks.forEach((entry, i) => expect(checkRecordingChunk(entry, chunks[i]).ok).toBe(true));
  });

  it('binds the seed to the recording id', () => {
    expect(recordingChainSeed(ID).equals(recordingChainSeed(ID.replace('3f', '4f')))).toBe(false);
    expect(recordingChainHead({ ...manifest, chunks: [] })).toBe(recordingChainSeed(ID).toString('hex'));
  });

  it('detects altered chunk bytes, and a missing chunk object', () => {
    expect(checkRecordingChunk(manifest.chunks[1], Buffer.from('SECOND'))).toEqual({
      ok: false,
      brokenAt: 1,
      problem: 'chunk_altered',
    });
    expect(checkRecordingChunk(manifest.chunks[1], Buffer.from('second!'))).toMatchObject({
      problem: 'chunk_altered',
    });
    expect(checkRecordingChunk(manifest.chunks[2], null)).toMatchObject({
      brokenAt: 2,
      problem: 'chunk_missing',
    });
  });

  it('detects an altered hash in the manifest (the chain breaks at that chunk)', () => {
    const entries = manifest.chunks.map((c) => ({ ...c }));
    entries[1] = { ...entries[1], sha256: createHash('sha256').update('forged').digest('hex') };
    expect(checkRecordingChain({ ...manifest, chunks: entries })).toEqual({
      ok: false,
      brokenAt: 1,
      problem: 'chain_mismatch',
    });
  });

  it('detects a removed chunk (entries renumbered) and reordered chunks', () => {
    const removed = manifest.chunks
      .filter((c) => c.index !== 1)
      .map((c, index) => ({ ...c, index, name: recordingChunkName(index, 'shell') }));
    expect(checkRecordingChain({ ...manifest, chunks: removed })).toMatchObject({ ok: false, brokenAt: 1 });
    const swapped = [manifest.chunks[1], manifest.chunks[0], manifest.chunks[2]].map((c, index) => ({
      ...c,
      index,
      name: recordingChunkName(index, 'shell'),
    }));
    expect(checkRecordingChain({ ...manifest, chunks: swapped })).toMatchObject({ ok: false, brokenAt: 0 });
  });

  it('detects a manifest rebuilt consistently but without its tail: the head no longer matches', () => {
    const shorter = manifestOf(chunks.slice(0, 2));
    expect(checkRecordingChain(shorter)).toMatchObject({ ok: true });
    expect(checkRecordingChain(shorter, reported)).toEqual({
      ok: false,
      brokenAt: 2,
      problem: 'head_mismatch',
    });
    const rewritten = manifestOf([chunks[0], chunks[1], Buffer.from('replaced last')]);
    expect(checkRecordingChain(rewritten, reported)).toEqual({
      ok: false,
      brokenAt: 2,
      problem: 'head_mismatch',
    });
  });
});

describe('checkRecordingChain', () => {
  const id = randomUUID();
  const three = manifestOf(chunksOf(3), id);
  const signedAt2 = { chunks: 2, head: three.chunks[1].chain };
  const seed = { chunks: 0, head: recordingChainSeed(id).toString('hex') };

  it('accepts a finished manifest that ends exactly at the signed head', () => {
    expect(checkRecordingChain(three, { chunks: 3, head: three.chunks[2].chain }, { exact: true }).ok).toBe(
      true,
    );
  });

  it('refuses a finished manifest with chunks appended past the signed head (head_mismatch at the first)', () => {
    expect(checkRecordingChain(three, signedAt2, { exact: true })).toEqual({
      ok: false,
      brokenAt: 2,
      problem: 'head_mismatch',
    });
  });

  it('refuses chunks written into a recording whose signed head is the seed (nothing was signed)', () => {
    expect(checkRecordingChain(three, seed, { exact: true })).toEqual({
      ok: false,
      brokenAt: 0,
      problem: 'head_mismatch',
    });
  });

  it('while recording, ignores chunks past the head, even with a broken chain there', () => {
    const tampered = {
      ...three,
      chunks: [...three.chunks.slice(0, 2), { ...three.chunks[2], chain: '0'.repeat(64) }],
    };
    expect(checkRecordingChain(tampered, signedAt2).ok).toBe(true);
    expect(checkRecordingChain(tampered).problem).toBe('chain_mismatch');
  });

  it('still finds a manifest short of the head, or a different head', () => {
    expect(checkRecordingChain(manifestOf(chunksOf(1), id), signedAt2)).toEqual({
      ok: false,
      brokenAt: 1,
      problem: 'head_mismatch',
    });
    expect(checkRecordingChain(three, { chunks: 2, head: 'f'.repeat(64) }).problem).toBe('head_mismatch');
  });
});
