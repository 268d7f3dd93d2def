import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { DeviceEvents } from './device-events';
import { DevicePresence } from './device-presence';
import { DevicesController } from './devices.controller';
import { DevicesService } from './devices.service';
import { Device } from './entities/device.entity';

/**
 * The device registry. Exports DevicesService (registration, credentials, online state), DeviceEvents and
 * DevicePresence (live facts from connected agents: the kill switch).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Device]), AuditModule],
  controllers: [DevicesController],
  providers: [DevicesService, DeviceEvents, DevicePresence],
  exports: [DevicesService, DeviceEvents, DevicePresence],
})
export class DevicesModule {}
