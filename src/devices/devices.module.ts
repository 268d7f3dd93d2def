import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '../access/access.module';
import { AuditModule } from '../audit/audit.module';
import { DeviceConsentPolicyController } from './device-consent-policy.controller';
import { DeviceEvents } from './device-events';
import { DeviceGrantsController } from './device-grants.controller';
import { DeviceGrantQueries } from './device-grant.queries';
import { DeviceGrantsService } from './device-grants.service';
import { DeviceQueries } from './device.queries';
import { DevicePresence } from './device-presence';
import { DevicesController } from './devices.controller';
import { DevicesService } from './devices.service';
import { DeviceGrant } from './entities/device-grant.entity';
import { Device } from './entities/device.entity';

/**
 * The device registry and its grants (which technicians reach which persistent device). Exports
 * DevicesService (registration, credentials, online state, the consent policy), DeviceEvents and DevicePresence (live
 * facts from connected agents: the kill switch).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Device, DeviceGrant]), AuditModule, AccessModule],
  controllers: [DevicesController, DeviceGrantsController, DeviceConsentPolicyController],
  providers: [
    DevicesService,
    DeviceQueries,
    DeviceGrantsService,
    DeviceGrantQueries,
    DeviceEvents,
    DevicePresence,
  ],
  exports: [DevicesService, DeviceEvents, DevicePresence],
})
export class DevicesModule {}
