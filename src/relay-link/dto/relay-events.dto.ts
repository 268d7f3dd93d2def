import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import {
  RELAY_EVENT_BATCH_MAX,
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

export class RelayEventBatchDto implements RelayEventBatch {
  @ApiProperty({
    type: 'array',
    maxItems: RELAY_EVENT_BATCH_MAX,
    items: {
      oneOf: [{ $ref: getSchemaPath(RelayPairedEventDto) }, { $ref: getSchemaPath(RelayClosedEventDto) }],
    },
  })
  readonly events!: readonly (RelayPairedEventDto | RelayClosedEventDto)[];
}

export class RelayEventsAcceptedDto implements RelayEventsAcceptedResponse {
  @ApiProperty({ description: 'Events applied by this request' }) readonly accepted!: number;
  @ApiProperty({ description: 'Events whose id had been received before (not applied again)' })
  readonly duplicates!: number;
}
