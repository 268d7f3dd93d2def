import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { Subject, type Observable } from 'rxjs';
import { recordingChainLink, recordingChainSeed } from '../../contracts/node/recording-chain';
import {
  RecordingStoreError,
  storeErrorOf,
  type RecordingObjectWriter,
} from '../../contracts/node/recording-store';
import {
  RECORDING_CHUNK_MAX_BYTES,
  RECORDING_ENCODINGS,
  RECORDING_FORMAT,
  RECORDING_MANIFEST_NAME,
  RECORDING_MAX_CHUNKS,
  recordingChunkName,
  type RecordingChunkEntry,
  type RecordingIncompleteReason,
  type RecordingManifest,
  type RecordingMode,
} from '../../contracts/recording/format';
import { RelayTokenService } from '../relay-link/relay-token.service';
import { RecordingIntegrityService } from './recording-integrity.service';
import { RecordingStoreRef } from './recording-store.provider';
import { RecordingQueries } from './recording.queries';

/** The facts of the session whose commands are recorded. */
export interface CommandRecordingSession {
  id: string;
  technicianId: string | null;
  deviceId: string | null;
  recordingEnabled: boolean;
}

/** A recorded session's store failed in `required` mode: its commands must stop and the session end. */
export interface CommandRecordingFailure {
  sessionId: string;
  recordingId: string;
  message: string;
}

interface OpenChunk {
  index: number;
  writer: RecordingObjectWriter;
  hash: Hash;
  bytes: number;
  startMs: number;
  endMs: number;
}

/** One session's `commands` recording, written by the portal (the relay never sees these commands). */
class SessionRecording {
  readonly startedAtMs = Date.now();
  entries: RecordingChunkEntry[] = [];
  link: Buffer;
  chunk: OpenChunk | null = null;
  /** Chunk closes and the manifest writes run one after another. */
  chain: Promise<void> = Promise.resolve();
  failed: RecordingStoreError | null = null;
  finished = false;
  bytes = 0;
  /** Chunks handed to the chain whose entry is not in `entries` yet. */
  chunkClosing = 0;

  constructor(
    readonly id: string,
    readonly session: CommandRecordingSession,
    readonly mode: RecordingMode,
  ) {
    this.link = recordingChainSeed(id);
  }

  elapsedMs(): number {
    return Date.now() - this.startedAtMs;
  }
}

const HEADER = (startedAtMs: number): string =>
  `${JSON.stringify({ version: 2, width: 120, height: 40, timestamp: Math.floor(startedAtMs / 1000), env: { TERM: 'xterm-256color' } })}\n`;

/** Output lines end in CRLF, as a terminal shows them (the player is a terminal). */
const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');

/**
 * Records the output of the commands the portal runs over the agent's control channel (the viewer's
 * Commands tab), which never pass through the relay: one `commands` recording per recorded session, in
 * the relay's format (asciicast v2 chunks, a manifest rewritten after each chunk, the same hash chain),
 * its `recordings` row written directly (the portal is the writer here). A chunk closes at each
 * command's exit and at {@link RECORDING_CHUNK_MAX_BYTES}. Output is streamed into the store's writer
 * as it arrives, never held whole. Whether a session is recorded, and in which mode, is the relay
 * tokens' rule ({@link RelayTokenService.recordingClaim}).
 */
@Injectable()
export class CommandRecorder {
  private readonly logger = new Logger(CommandRecorder.name);
  private readonly sessions = new Map<string, SessionRecording>();
  private readonly failures = new Subject<CommandRecordingFailure>();
  /** Required-mode failures (the session ends with `recording_failed`). */
  readonly failures$: Observable<CommandRecordingFailure> = this.failures.asObservable();

  constructor(
    @Inject(RecordingStoreRef) private readonly storeRef: RecordingStoreRef,
    private readonly queries: RecordingQueries,
    private readonly integrity: RecordingIntegrityService,
    private readonly tokens: RelayTokenService,
  ) {}

  /**
   * Opens (at the session's first command) or returns the session's recording; null when the session
   * is not recorded or its recording failed in optional mode. Throws {@link RecordingStoreError} when
   * a `required` recording cannot be opened: the command must not be sent.
   */
  async open(session: CommandRecordingSession): Promise<string | null> {
    const known = this.sessions.get(session.id);
    if (known) {
      if (known.failed && known.mode === 'required') throw known.failed;
      return known.failed || known.finished ? null : known.id;
    }
    const claim = this.tokens.recordingClaim({
      recordingEnabled: session.recordingEnabled,
      technicianId: session.technicianId ?? '',
      deviceId: session.deviceId ?? '',
    });
    if (!claim) return null;
    const rec = new SessionRecording(randomUUID(), session, claim.mode);
    this.sessions.set(session.id, rec);
    await this.queries.portalStarted(rec.id, session, rec.mode, new Date(rec.startedAtMs));
    try {
      await this.storeRef.store.put(rec.id, RECORDING_MANIFEST_NAME, this.manifest(rec, null, false, null));
    } catch (err) {
      const failure = storeErrorOf(err, 'opening the commands recording');
      await this.fail(rec, failure, false);
      if (rec.mode === 'required') throw failure;
      return null;
    }
    this.logger.log(`Recording the commands of remote session ${session.id} (${rec.id}, ${rec.mode})`);
    return rec.id;
  }

  /** The command line, as the technician typed it. */
  commandLine(sessionId: string, command: string): void {
    this.event(sessionId, `$ ${command}\n`);
  }

  output(sessionId: string, data: string): void {
    this.event(sessionId, data);
  }

  /** The command exited: its line, then the chunk is closed. */
  exit(sessionId: string, exitCode: number | null, signal: string | null): void {
    this.event(sessionId, `[exit ${exitCode ?? signal ?? '?'}]\n`);
    const rec = this.live(sessionId);
    if (rec) this.closeChunk(rec);
  }

  /** The session ended: the last chunk closes, the manifest and row are finished, integrity queued. */
  async finish(sessionId: string): Promise<void> {
    const rec = this.sessions.get(sessionId);
    if (!rec || rec.finished) return;
    rec.finished = true;
    if (!rec.failed) this.closeChunk(rec);
    await rec.chain;
    const endedAt = new Date();
    const complete = rec.failed === null;
    const reason: RecordingIncompleteReason | null = complete ? null : 'store_failed';
    if (!rec.failed) {
      try {
        await this.storeRef.store.put(
          rec.id,
          RECORDING_MANIFEST_NAME,
          this.manifest(rec, endedAt, complete, reason),
        );
      } catch (err) {
        this.logger.warn(
          `The final manifest of recording ${rec.id} was not written: ${storeErrorOf(err, 'manifest').message}`,
        );
      }
    }
    await this.queries.portalFinished(rec.id, complete, reason, endedAt);
    this.sessions.delete(sessionId);
    this.integrity.enqueue(rec.id);
  }

  private live(sessionId: string): SessionRecording | null {
    const rec = this.sessions.get(sessionId);
    return rec && !rec.failed && !rec.finished ? rec : null;
  }

  /** One asciicast output event, JSON-escaped (untrusted output), written into the open chunk. */
  private event(sessionId: string, text: string): void {
    const rec = this.live(sessionId);
    if (!rec) return;
    const at = rec.elapsedMs();
    const line = `${JSON.stringify([Math.max(0, at) / 1000, 'o', crlf(text)])}\n`;
    const chunk = rec.chunk ?? this.openChunk(rec, at);
    if (!chunk) return;
    const data = Buffer.from(line, 'utf8');
    chunk.writer.write(data);
    chunk.hash.update(data);
    chunk.bytes += data.length;
    chunk.endMs = at;
    if (chunk.bytes >= RECORDING_CHUNK_MAX_BYTES) this.closeChunk(rec);
  }

  private openChunk(rec: SessionRecording, at: number): OpenChunk | null {
    const index = rec.entries.length + rec.chunkClosing;
    if (index >= RECORDING_MAX_CHUNKS) return null;
    const writer = this.storeRef.store.create(rec.id, recordingChunkName(index, 'commands'));
    writer.onError((err) => void this.fail(rec, err, true));
    const chunk: OpenChunk = { index, writer, hash: createHash('sha256'), bytes: 0, startMs: at, endMs: at };
    rec.chunk = chunk;
    if (index === 0) {
      const header = Buffer.from(HEADER(rec.startedAtMs), 'utf8');
      writer.write(header);
      chunk.hash.update(header);
      chunk.bytes += header.length;
    }
    return chunk;
  }

  /** Closes the open chunk durably, then records it in the manifest and the row (in order). */
  private closeChunk(rec: SessionRecording): void {
    const chunk = rec.chunk;
    if (!chunk) return;
    rec.chunk = null;
    rec.chunkClosing += 1;
    rec.chain = rec.chain.then(async () => {
      try {
        if (rec.failed) {
          await chunk.writer.abort();
          return;
        }
        await chunk.writer.close();
        const sha = chunk.hash.digest();
        rec.link = recordingChainLink(rec.link, chunk.index, sha, chunk.bytes);
        rec.entries.push({
          index: chunk.index,
          name: recordingChunkName(chunk.index, 'commands'),
          bytes: chunk.bytes,
          startMs: Math.floor(chunk.startMs),
          endMs: Math.max(Math.floor(chunk.startMs), Math.floor(chunk.endMs)),
          sha256: sha.toString('hex'),
          chain: rec.link.toString('hex'),
        });
        rec.bytes += chunk.bytes;
        await this.storeRef.store.put(rec.id, RECORDING_MANIFEST_NAME, this.manifest(rec, null, false, null));
        await this.queries.portalProgress(rec.id, rec.bytes, rec.entries.length, rec.link.toString('hex'));
      } catch (err) {
        await this.fail(rec, storeErrorOf(err, 'closing a commands chunk'), true);
      } finally {
        rec.chunkClosing -= 1;
      }
    });
  }

  /** Records a store failure once; `required` mode reports it (the session then ends). */
  private async fail(rec: SessionRecording, err: RecordingStoreError, midway: boolean): Promise<void> {
    if (rec.failed) return;
    rec.failed = err;
    this.logger.warn(
      `Commands recording ${rec.id} of remote session ${rec.session.id} failed: ${err.message}`,
    );
    await this.queries
      .portalFailed(rec.id, err.failure)
      .catch((e: unknown) => this.logger.error(`Could not mark recording ${rec.id} failed: ${String(e)}`));
    if (midway && rec.mode === 'required')
      this.failures.next({ sessionId: rec.session.id, recordingId: rec.id, message: err.message });
  }

  private manifest(
    rec: SessionRecording,
    endedAt: Date | null,
    complete: boolean,
    reason: RecordingIncompleteReason | null,
  ): Buffer {
    const manifest: RecordingManifest = {
      format: RECORDING_FORMAT,
      recordingId: rec.id,
      sessionId: rec.session.id,
      channel: 'commands',
      encoding: RECORDING_ENCODINGS.commands,
      mode: rec.mode,
      technicianId: rec.session.technicianId,
      deviceId: rec.session.deviceId,
      startedAt: new Date(rec.startedAtMs).toISOString(),
      endedAt: endedAt?.toISOString() ?? null,
      complete,
      incompleteReason: reason,
      bytesAgentToTech: rec.bytes,
      bytesTechToAgent: 0,
      chunks: rec.entries,
    };
    return Buffer.from(JSON.stringify(manifest, null, 1), 'utf8');
  }
}
