import type { RecordingStoreSettings } from './recording-settings';
import { RecordingStoreError, type RecordingObjectWriter, type RecordingStore } from './recording-store';

type S3Settings = Extract<RecordingStoreSettings, { kind: 's3' }>;

/** S3-compatible object storage (being written: the S3 store lands with the recording issue). */
export class S3RecordingStore implements RecordingStore {
  readonly kind = 's3';
  readonly location: string;

  constructor(settings: S3Settings) {
    this.location = `s3://${settings.bucket}/${settings.prefix}`;
  }

  private unavailable(): never {
    throw new RecordingStoreError('unavailable', 'the S3 recording store is not built yet');
  }

  create(): RecordingObjectWriter {
    return this.unavailable();
  }
  put(): Promise<void> {
    return this.unavailable();
  }
  get(): Promise<Buffer | null> {
    return this.unavailable();
  }
  list(): Promise<string[]> {
    return this.unavailable();
  }
  remove(): Promise<void> {
    return this.unavailable();
  }

  recordingIds(): AsyncIterable<string> {
    return this.unavailable();
  }
  async close(): Promise<void> {}
}
