import { Controller, Get, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DevicePresence } from './device-presence';
import { DeviceDto, DeviceListDto, ListDevicesQueryDto } from './dto/device.dto';
import { DevicesService } from './devices.service';

@ApiTags('devices')
@ApiCookieAuth()
@Controller('devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly presence: DevicePresence,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Devices with an agent (quick-support and persistent), online first, for the session launcher',
  })
  @ApiOkResponse({ type: DeviceListDto })
  async list(@Query() query: ListDevicesQueryDto): Promise<DeviceListDto> {
    const rows = await this.devices.list({ online: query.online, kind: query.kind, limit: query.limit });
    return { items: rows.map((d) => DeviceDto.from(d, this.presence.killSwitch(d.id))) };
  }
}
