import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import {
  RECORDED_CHANNELS,
  RECORDING_INCOMPLETE_REASONS,
  RECORDING_MODES,
  type RecordingIncompleteReason,
  type RecordingMode,
} from '../../../contracts/recording/format';
import {
  RECORDING_FAILURES,
  RELAY_EVENT_BATCH_MAX,
  type RecordingFailedEvent,
  type RecordingFailure,
  type RecordingFinishedEvent,
  type RecordingProgressEvent,
  type RecordingStartedEvent,
  type RelayClosedEvent,
  type RelayEventBatch,
  type RelayEventsAcceptedResponse,
  type RelayPairedEvent,
  type RelaySide,
} from '../../../contracts/relay-events';

/**
 * OpenAPI description of `POST /api/relay/events`. The body is read by the shared contract
 * (`parseRelayEventBatch` in contracts/relay-events.ts), the same module the relay writes it with.
 */
export class RelayPairedEventDto implements RelayPairedEvent {
  @ApiProperty({ format: 'uuid', description: 'Unique per event: the idempotency key' }) readonly id!: string;
  @ApiProperty({ format: 'uuid' }) readonly sessionId!: string;
  @ApiProperty({ example: 'screen' }) readonly channel!: string;
  @ApiProperty({ format: 'date-time' }) readonly at!: string;
  @ApiProperty({ enum: ['paired'] }) readonly type!: 'paired';
}

export class RelayClosedEventDto implements RelayClosedEvent {
  @ApiProperty({ format: 'uuid', description: 'Unique per event: the idempotency key' }) readonly id!: string;
  @ApiProperty({ format: 'uuid' }) readonly sessionId!: string;
  @ApiProperty({ example: 'screen' }) readonly channel!: string;
  @ApiProperty({ format: 'date-time' }) readonly at!: string;
  @ApiProperty({ enum: ['closed'] }) readonly type!: 'closed';
  @ApiProperty() readonly paired!: boolean;
  @ApiProperty({ description: 'Close code (contracts/relay-close-codes.ts), e.g. 4013' })
  readonly closeCode!: number;
  @ApiProperty({ example: 'peer_left' }) readonly reason!: string;
  @ApiProperty({ enum: ['agent', 'tech', 'relay', 'portal'] }) readonly initiator!:
    RelaySide | 'relay' | 'portal';
  @ApiProperty() readonly bytesAgentToTech!: number;
  @ApiProperty() readonly bytesTechToAgent!: number;
  @ApiProperty() readonly durationMs!: number;
}

abstract class RecordingEventBaseDto {
  @ApiProperty({ format: 'uuid', description: 'Unique per event: the idempotency key' }) readonly id!: string;
  @ApiProperty({ format: 'uuid' }) readonly sessionId!: string;
  @ApiProperty({ enum: RECORDED_CHANNELS }) readonly channel!: string;
  @ApiProperty({ format: 'date-time' }) readonly at!: string;
  @ApiProperty({ format: 'uuid', description: 'The recording (its folder or object prefix in the store)' })
  readonly recordingId!: string;
}

export class RecordingStartedEventDto extends RecordingEventBaseDto implements RecordingStartedEvent {
  @ApiProperty({ enum: ['recording_started'] }) readonly type!: 'recording_started';
  @ApiProperty({ enum: RECORDING_MODES }) readonly mode!: RecordingMode;
  @ApiProperty({ type: String, nullable: true }) readonly technicianId!: string | null;
  @ApiProperty({ type: String, nullable: true }) readonly deviceId!: string | null;
}

export class RecordingProgressEventDto extends RecordingEventBaseDto implements RecordingProgressEvent {
  @ApiProperty({ enum: ['recording_progress'] }) readonly type!: 'recording_progress';
  @ApiProperty({ description: 'Chunks closed so far' }) readonly chunks!: number;
  @ApiProperty() readonly bytes!: number;
  @ApiProperty({ description: 'Hex hash-chain link after the last closed chunk' }) readonly head!: string;
}

export class RecordingFailedEventDto extends RecordingEventBaseDto implements RecordingFailedEvent {
  @ApiProperty({ enum: ['recording_failed'] }) readonly type!: 'recording_failed';
  @ApiProperty({ enum: RECORDING_MODES }) readonly mode!: RecordingMode;
  @ApiProperty({ enum: RECORDING_FAILURES }) readonly failure!: RecordingFailure;
}

export class RecordingFinishedEventDto extends RecordingEventBaseDto implements RecordingFinishedEvent {
  @ApiProperty({ enum: ['recording_finished'] }) readonly type!: 'recording_finished';
  @ApiProperty() readonly chunks!: number;
  @ApiProperty() readonly bytes!: number;
  @ApiProperty() readonly head!: string;
  @ApiProperty() readonly complete!: boolean;
  @ApiProperty({ enum: RECORDING_INCOMPLETE_REASONS, nullable: true })
  readonly incompleteReason!: RecordingIncompleteReason | null;
  @ApiProperty() readonly durationMs!: number;
}

type RelayEventDto =
  | RelayPairedEventDto
  | RelayClosedEventDto
  | RecordingStartedEventDto
  | RecordingProgressEventDto
  | RecordingFailedEventDto
  | RecordingFinishedEventDto;

export class RelayEventBatchDto implements RelayEventBatch {
  @ApiProperty({
    type: 'array',
    maxItems: RELAY_EVENT_BATCH_MAX,
    items: {
      oneOf: [
        RelayPairedEventDto,
        RelayClosedEventDto,
        RecordingStartedEventDto,
        RecordingProgressEventDto,
        RecordingFailedEventDto,
        RecordingFinishedEventDto,
      ].map((dto) => ({ $ref: getSchemaPath(dto) })),
    },
  })
  readonly events!: readonly RelayEventDto[];
}

export class RelayEventsAcceptedDto implements RelayEventsAcceptedResponse {
  @ApiProperty({ description: 'Events applied by this request' }) readonly accepted!: number;
  @ApiProperty({ description: 'Events whose id had been received before (not applied again)' })
  readonly duplicates!: number;
}
