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
  @ApiProperty({ format: 'uuid', description: 'Unique per event: the idempotency key' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ example: 'vnc' }) channel!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ['paired'] }) type!: 'paired';
}

export class RelayClosedEventDto implements RelayClosedEvent {
  @ApiProperty({ format: 'uuid', description: 'Unique per event: the idempotency key' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ example: 'vnc' }) channel!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ['closed'] }) type!: 'closed';
  @ApiProperty() paired!: boolean;
  @ApiProperty({ description: 'Close code (contracts/relay-close-codes.ts), e.g. 4013' }) closeCode!: number;
  @ApiProperty({ example: 'peer_left' }) reason!: string;
  @ApiProperty({ enum: ['agent', 'tech', 'relay', 'portal'] }) initiator!: RelaySide | 'relay' | 'portal';
  @ApiProperty() bytesAgentToTech!: number;
  @ApiProperty() bytesTechToAgent!: number;
  @ApiProperty() durationMs!: number;
}

export class RelayEventBatchDto implements RelayEventBatch {
  @ApiProperty({
    type: 'array',
    maxItems: RELAY_EVENT_BATCH_MAX,
    items: {
      oneOf: [{ $ref: getSchemaPath(RelayPairedEventDto) }, { $ref: getSchemaPath(RelayClosedEventDto) }],
    },
  })
  events!: (RelayPairedEventDto | RelayClosedEventDto)[];
}

export class RelayEventsAcceptedDto implements RelayEventsAcceptedResponse {
  @ApiProperty({ description: 'Events applied by this request' }) accepted!: number;
  @ApiProperty({ description: 'Events whose id had been received before (not applied again)' })
  duplicates!: number;
}
