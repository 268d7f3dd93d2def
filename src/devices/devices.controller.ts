import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TeamView } from '../access/access.decorator';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { DeviceListDto, ListDevicesQueryDto } from './dto/device.dto';
import { DevicesService } from './devices.service';

@ApiTags('devices')
@Controller('devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @TeamView({ roles: 'operators' })
  @ApiOperation({
    summary:
      'Devices with an agent that you may reach, online first, for the session launcher: your support sessions’ devices and the persistent devices granted to you (administrators: all)',
  })
  @ApiOkResponse({ type: DeviceListDto })
  async list(@CurrentUser() user: AuthUser, @Query() query: ListDevicesQueryDto): Promise<DeviceListDto> {
    const rows = await this.devices.list({
      online: query.online,
      kind: query.kind,
      limit: query.limit,
      reachableBy: user,
    });
    return { items: await this.devices.toDtos(rows) };
  }
}
