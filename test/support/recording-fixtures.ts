import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { recordingChainLink, recordingChainSeed } from '../../contracts/node/recording-chain';
import type { RecordingStore } from '../../contracts/node/recording-store';
import {
  RECORDING_ENCODINGS,
  RECORDING_FORMAT,
  RECORDING_MANIFEST_NAME,
  SCREEN_DIRECTION,
  SCREEN_RECORD_HEADER_BYTES,
  recordingChunkName,
  writeScreenRecordHeader,
  type RecordedChannel,
  type RecordingChunkEntry,
  type RecordingManifest,
} from '../../contracts/recording/format';

/** A device and a remote session row of `technicianId`, inserted directly (no agent needed). */
export async function insertRemoteSession(
  db: DataSource,
  technicianId: string | null,
  opts: { hostname?: string; recordingEnabled?: boolean } = {},
): Promise<{ sessionId: string; deviceId: string }> {
  const [{ id: deviceId }] = await db.query<{ id: string }[]>(
    `INSERT INTO devices (kind, hostname, os, os_version, arch, agent_version, protocol_version, credential_hash)
     VALUES ('persistent', $1, 'linux', 'v', 'x64', '0.1.0', '1.0', repeat('0', 64)) RETURNING id`,
    [opts.hostname ?? 'recorded-host'],
  );
  const [{ id: sessionId }] = await db.query<{ id: string }[]>(
    `INSERT INTO remote_sessions (device_id, technician_id, type, protocol, channels, relay_url, recording_enabled)
     VALUES ($1, $2, 'attended', 'web', '{screen,shell}', 'ws://127.0.0.1:9', $3) RETURNING id`,
    [deviceId, technicianId, opts.recordingEnabled ?? true],
  );
  return { sessionId, deviceId };
}

/** A screen chunk of `records` records, as the relay frames them. */
export function screenChunk(records: { atMs: number; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const header = Buffer.alloc(SCREEN_RECORD_HEADER_BYTES);
    writeScreenRecordHeader(header, 0, SCREEN_DIRECTION.agentToTech, r.atMs, r.data.length);
    parts.push(header, r.data);
  }
  return Buffer.concat(parts);
}

export interface BuiltRecording {
  recordingId: string;
  sessionId: string;
  channel: RecordedChannel;
  chunks: Buffer[];
  manifest: RecordingManifest;
  /** The head the relay would sign (chain link after the last chunk). */
  head: string;
  bytes: number;
}

/**
 * Writes a recording into the store as the relay does (each chunk created and closed, then the
 * manifest naming it), with the contract's chain. Returns what the relay's events would report.
 */
export async function writeRecording(
  store: RecordingStore,
  opts: {
    sessionId: string;
    technicianId: string | null;
    deviceId: string | null;
    channel?: RecordedChannel;
    chunks: Buffer[];
    startedAt?: Date;
    recordingId?: string;
  },
): Promise<BuiltRecording> {
  const recordingId = opts.recordingId ?? randomUUID();
  const channel = opts.channel ?? 'screen';
  const startedAt = opts.startedAt ?? new Date();
  let link = recordingChainSeed(recordingId);
  const entries: RecordingChunkEntry[] = [];
  for (const [index, data] of opts.chunks.entries()) {
    const name = recordingChunkName(index, channel);
    const writer = store.create(recordingId, name);
    writer.write(data);
    await writer.close();
    const sha = createHash('sha256').update(data).digest();
    link = recordingChainLink(link, index, sha, data.length);
    entries.push({
      index,
      name,
      bytes: data.length,
      startMs: index * 1000,
      endMs: index * 1000 + 999,
      sha256: sha.toString('hex'),
      chain: link.toString('hex'),
    });
  }
  const bytes = opts.chunks.reduce((n, c) => n + c.length, 0);
  const manifest: RecordingManifest = {
    format: RECORDING_FORMAT,
    recordingId,
    sessionId: opts.sessionId,
    channel,
    encoding: RECORDING_ENCODINGS[channel],
    mode: 'optional',
    technicianId: opts.technicianId,
    deviceId: opts.deviceId,
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startedAt.getTime() + opts.chunks.length * 1000).toISOString(),
    complete: true,
    incompleteReason: null,
    bytesAgentToTech: bytes,
    bytesTechToAgent: 0,
    chunks: entries,
  };
  await store.put(recordingId, RECORDING_MANIFEST_NAME, Buffer.from(JSON.stringify(manifest)));
  return {
    recordingId,
    sessionId: opts.sessionId,
    channel,
    chunks: opts.chunks,
    manifest,
    head: link.toString('hex'),
    bytes,
  };
}

/** The relay's events for a recording that ran start to finish (as `POST /api/relay/events` takes them). */
export function recordingEvents(
  r: BuiltRecording,
  opts: {
    startedAt?: Date;
    mode?: 'optional' | 'required';
    technicianId?: string | null;
    deviceId?: string | null;
  } = {},
): Record<string, unknown>[] {
  const started = opts.startedAt ?? new Date(Date.now() - 60_000);
  const ended = new Date(started.getTime() + r.chunks.length * 1000);
  const base = (type: string, at: Date) => ({
    id: randomUUID(),
    type,
    sessionId: r.sessionId,
    channel: r.channel,
    recordingId: r.recordingId,
    at: at.toISOString(),
  });
  return [
    {
      ...base('recording_started', started),
      mode: opts.mode ?? 'optional',
      technicianId: opts.technicianId ?? null,
      deviceId: opts.deviceId ?? null,
    },
    { ...base('recording_progress', ended), chunks: r.chunks.length, bytes: r.bytes, head: r.head },
    {
      ...base('recording_finished', ended),
      chunks: r.chunks.length,
      bytes: r.bytes,
      head: r.head,
      complete: true,
      incompleteReason: null,
      durationMs: ended.getTime() - started.getTime(),
    },
  ];
}
