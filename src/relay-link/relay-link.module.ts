import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RelayEventRecord } from './entities/relay-event-record.entity';
import { RelayControlService } from './relay-control.service';
import { RelayEventQueries } from './relay-event.queries';
import { RelayEventsController } from './relay-events.controller';
import { RelayEventsService } from './relay-events.service';
import { RelayKeys } from './relay-keys.provider';
import { RelayTokenService } from './relay-token.service';

/**
 * The portal's link to the relay, its side of the relay contract (docs/relay.md): minting tokens,
 * receiving the relay's signed events (republished as RelayEventsService.events$), and asking the
 * relay to close sessions.
 */
@Module({
  imports: [TypeOrmModule.forFeature([RelayEventRecord])],
  controllers: [RelayEventsController],
  providers: [RelayKeys, RelayTokenService, RelayEventsService, RelayEventQueries, RelayControlService],
  exports: [RelayTokenService, RelayEventsService, RelayControlService],
})
export class RelayLinkModule {}
