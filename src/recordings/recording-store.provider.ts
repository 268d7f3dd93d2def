import type { Provider } from '@nestjs/common';
import { openRecordingStore, type RecordingStoreSettings } from '../../contracts/node/recording-settings';
import type { RecordingStore } from '../../contracts/node/recording-store';
import { AppConfig } from '../config/app-config';

/** The recordings store (RECORDING_DIR or RECORDING_S3_*), the same one the relay writes. */
export abstract class RecordingStoreRef {
  abstract readonly store: RecordingStore;
}

export const recordingStoreProvider: Provider = {
  provide: RecordingStoreRef,
  inject: [AppConfig],
  useFactory: (config: AppConfig): RecordingStoreRef => ({
    store: openRecordingStore(config.recording.store satisfies RecordingStoreSettings),
  }),
};
