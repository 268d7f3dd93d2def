import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { Clock } from '../common/clock';
import { RelayLinkModule } from '../relay-link/relay-link.module';
import { CommandRecorder } from './command-recorder';
import { Recording } from './entities/recording.entity';
import { RecordingExportService } from './recording-export.service';
import { RecordingIngestService } from './recording-ingest.service';
import { RecordingIntegrityService } from './recording-integrity.service';
import { RecordingRetentionJob } from './recording-retention.job';
import { RecordingSweepJob } from './recording-sweep.job';
import { RecordingStoreRef, recordingStoreProvider } from './recording-store.provider';
import { RecordingQueries } from './recording.queries';
import { RecordingsController } from './recordings.controller';
import { RecordingsService } from './recordings.service';

/**
 * Session recordings, the portal's side (the relay records: ADR 0019): the `recordings` rows kept
 * from the relay's signed events, integrity against the hash chain, the players' API, export, legal
 * hold and retention.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Recording]), AuditModule, RelayLinkModule],
  controllers: [RecordingsController],
  providers: [
    Clock,
    recordingStoreProvider,
    RecordingQueries,
    RecordingIntegrityService,
    RecordingIngestService,
    RecordingsService,
    RecordingExportService,
    RecordingRetentionJob,
    RecordingSweepJob,
    CommandRecorder,
  ],
  exports: [
    CommandRecorder,
    RecordingsService,
    RecordingIntegrityService,
    RecordingIngestService,
    RecordingRetentionJob,
    RecordingSweepJob,
  ],
})
export class RecordingsModule implements OnModuleDestroy {
  constructor(@Inject(RecordingStoreRef) private readonly storeRef: RecordingStoreRef) {}

  async onModuleDestroy(): Promise<void> {
    await this.storeRef.store.close();
  }
}
