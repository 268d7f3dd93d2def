import { join, resolve } from 'node:path';
import type { EnvReader } from './env-reader';
import { FsRecordingStore, type RecordingStore } from './recording-store';

/**
 * Where recordings are stored, read the same way by the relay (which writes) and the portal (which
 * reads, exports and purges), so both always name the same store:
 * - `RECORDING_DIR` (default `DATA_DIR/recordings`): a folder; in Docker a volume both containers mount;
 * - `RECORDING_S3_BUCKET` set: S3-compatible object storage instead, with `RECORDING_S3_ENDPOINT`
 *   (empty: AWS), `RECORDING_S3_REGION`, `RECORDING_S3_PREFIX`, `RECORDING_S3_ACCESS_KEY_ID`,
 *   `RECORDING_S3_SECRET_ACCESS_KEY` (empty: the SDK's default credential chain) and
 *   `RECORDING_S3_FORCE_PATH_STYLE` (true for MinIO-style servers).
 */
export type RecordingStoreSettings =
  | { readonly kind: 'fs'; readonly dir: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly prefix: string;
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly accessKeyId: string | undefined;
      readonly secretAccessKey: string | undefined;
      readonly forcePathStyle: boolean;
    };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^(?:[A-Za-z0-9_-]+\/)*$/;
const REGION = /^[a-z0-9-]{1,40}$/;
const KEY_ID = /^[\x21-\x7e]{1,256}$/;

export function readRecordingStoreSettings(r: EnvReader, dataDir: string): RecordingStoreSettings {
  const bucket = r.optionalString('RECORDING_S3_BUCKET', BUCKET, 'an S3 bucket name');
  if (bucket === undefined) {
    const dir = r.optionalString('RECORDING_DIR', /^.{1,4096}$/, 'a folder path');
    return { kind: 'fs', dir: resolve(dir ?? join(dataDir, 'recordings')) };
  }
  const accessKeyId = r.optionalString('RECORDING_S3_ACCESS_KEY_ID', KEY_ID, 'printable text');
  const secretAccessKey = r.optionalString('RECORDING_S3_SECRET_ACCESS_KEY', KEY_ID, 'printable text');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
    r.fail('RECORDING_S3_ACCESS_KEY_ID', 'and RECORDING_S3_SECRET_ACCESS_KEY must be set together');
  return {
    kind: 's3',
    bucket,
    prefix: r.string('RECORDING_S3_PREFIX', 'recordings/', PREFIX, 'folder names each ending in /'),
    endpoint: r.optionalString('RECORDING_S3_ENDPOINT', /^https?:\/\/[^\s]{1,2000}$/, 'an http(s) URL'),
    region: r.string('RECORDING_S3_REGION', 'us-east-1', REGION, 'a region name'),
    accessKeyId,
    secretAccessKey,
    forcePathStyle: r.flag('RECORDING_S3_FORCE_PATH_STYLE', false),
  };
}

/**
 * The store the settings name. The S3 store (and the AWS SDK behind it, ≈ 450 KB of the relay's
 * bundle) is loaded only when S3 is configured: a synchronous `require`, which ts-node and jest
 * (CommonJS) resolve to the .ts file and esbuild bundles as a module evaluated on first call.
 */
export function openRecordingStore(settings: RecordingStoreSettings): RecordingStore {
  if (settings.kind === 'fs') return new FsRecordingStore(settings.dir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3RecordingStore } = require('./recording-s3-store') as typeof import('./recording-s3-store');
  return new S3RecordingStore(settings);
}
