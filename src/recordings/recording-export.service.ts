import { Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { RECORDING_MANIFEST_NAME } from '../../contracts/recording/format';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { RecordingIntegrityService } from './recording-integrity.service';
import { RecordingStoreRef } from './recording-store.provider';
import { RecordingsService } from './recordings.service';
import { recordingErrors as errors } from './recordings.errors';

export interface RecordingExport {
  fileName: string;
  stream: NodeJS.ReadableStream;
}

/**
 * `export.zip`: the recording as the store holds it (manifest.json and every chunk the manifest names
 * that is present, byte for byte, so anyone can check the chain themselves) and `recording.json`, the
 * portal's row (technician and device names, integrity). Streamed: one chunk is read at a time, when
 * the zip reaches it. Audited (`recording.exported`) before the first byte; refused if it cannot be.
 */
@Injectable()
export class RecordingExportService {
  private readonly logger = new Logger(RecordingExportService.name);

  constructor(
    private readonly recordings: RecordingsService,
    private readonly integrity: RecordingIntegrityService,
    private readonly storeRef: RecordingStoreRef,
    private readonly audit: AuditService,
  ) {}

  async export(user: AuthUser, id: string): Promise<RecordingExport> {
    const row = await this.recordings.visible(user, id);
    const store = this.storeRef.store;
    const read = await this.integrity.readManifest(row);
    let manifestBytes: Buffer | null;
    let present: Set<string>;
    try {
      manifestBytes = await store.get(row.id, RECORDING_MANIFEST_NAME);
      present = new Set(await store.list(row.id));
    } catch {
      throw errors.storeUnavailable();
    }
    await this.audit.recordOrRefuse({
      actorType: 'user',
      actorId: user.id,
      action: 'recording.exported',
      targetType: 'remote_session',
      targetId: row.sessionId,
      details: { recordingId: row.id, channel: row.channel },
    });
    const zip = new ZipFile();
    const stamp = new Date();
    zip.addBuffer(
      Buffer.from(
        `${JSON.stringify({ exportedAt: stamp.toISOString(), recording: this.recordings.view(row) }, null, 2)}\n`,
      ),
      'recording.json',
      { mtime: stamp },
    );
    if (manifestBytes) zip.addBuffer(manifestBytes, RECORDING_MANIFEST_NAME, { mtime: stamp });
    // A store read that fails mid-zip ends the download early (the controller destroys the response);
    // it must never reach the process as an unhandled 'error' event.
    zip.on('error', (err: Error) => {
      this.logger.warn(`Export of recording ${row.id} ended early: ${err.message}`);
      (zip.outputStream as Readable).destroy(err);
    });
    for (const chunk of read.manifest?.chunks ?? []) {
      if (!present.has(chunk.name)) continue;
      zip.addReadStreamLazy(`chunks/${chunk.name}`, { mtime: stamp, compress: false }, (done) => {
        store.get(row.id, chunk.name).then(
          (bytes) =>
            bytes
              ? done(null, Readable.from([bytes], { objectMode: false }))
              : done(new Error(`chunk ${chunk.index} is no longer in the store`), null as never),
          (err: unknown) => done(err, null as never),
        );
      });
    }
    zip.end();
    return { fileName: `recording-${row.id}.zip`, stream: zip.outputStream };
  }
}
