import { createHash, randomUUID } from 'node:crypto';
import {
  RECORDING_ENCODINGS,
  RECORDING_FORMAT,
  recordingChunkName,
  type RecordingChunkEntry,
  type RecordingManifest,
} from '../recording/format';
import { checkRecordingChain, recordingChainLink, recordingChainSeed } from './recording-chain';

/** A manifest of `n` chunks with a correct (recomputed, unkeyed) chain, as anyone could write it. */
function manifestOf(recordingId: string, n: number): RecordingManifest {
  let link = recordingChainSeed(recordingId);
  const chunks: RecordingChunkEntry[] = [];
  for (let index = 0; index < n; index++) {
    const data = Buffer.from(`chunk ${index}`);
    const sha = createHash('sha256').update(data).digest();
    link = recordingChainLink(link, index, sha, data.length);
    chunks.push({
      index,
      name: recordingChunkName(index, 'screen'),
      bytes: data.length,
      startMs: index * 1000,
      endMs: index * 1000 + 999,
      sha256: sha.toString('hex'),
      chain: link.toString('hex'),
    });
  }
  return {
    format: RECORDING_FORMAT,
    recordingId,
    sessionId: randomUUID(),
    channel: 'screen',
    encoding: RECORDING_ENCODINGS.screen,
    mode: 'optional',
    technicianId: null,
    deviceId: null,
    startedAt: new Date().toISOString(),
    endedAt: null,
    complete: true,
    incompleteReason: null,
    bytesAgentToTech: 0,
    bytesTechToAgent: 0,
    chunks,
  };
}

describe('checkRecordingChain', () => {
  const id = randomUUID();
  const three = manifestOf(id, 3);
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
    expect(checkRecordingChain(manifestOf(id, 1), signedAt2)).toEqual({
      ok: false,
      brokenAt: 1,
      problem: 'head_mismatch',
    });
    expect(checkRecordingChain(three, { chunks: 2, head: 'f'.repeat(64) }).problem).toBe('head_mismatch');
  });
});
