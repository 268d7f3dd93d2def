import { Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth-user';
import { AdminOnly } from '../access/access.decorator';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { CurrentUser } from '../common/decorators';
import { parseId } from '../common/parse-id.pipe';
import { DeviceGrantsService } from './device-grants.service';
import { DeviceGrantDto, DeviceGrantListDto } from './dto/device-grant.dto';

/**
 * Which technicians reach a persistent device (administrators reach all). Quick-support devices take
 * no grants (409 `conflict`): they belong to their support session's owner.
 */
@ApiTags('devices')
@Controller('devices/:id/grants')
export class DeviceGrantsController {
  constructor(private readonly grants: DeviceGrantsService) {}

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'Technicians granted this persistent device (admin)' })
  @ApiOkResponse({ type: DeviceGrantListDto })
  @ApiErrors(
    [ErrorCode.NotFound, 'there is no such device'],
    [ErrorCode.Conflict, 'a quick-support device takes no grants'],
  )
  async list(@Param('id', parseId()) id: string): Promise<DeviceGrantListDto> {
    return { items: await this.grants.list(id) };
  }

  @Put(':userId')
  @AdminOnly()
  @ApiOperation({ summary: 'Grant this persistent device to a technician (admin; idempotent, audited)' })
  @ApiOkResponse({ type: DeviceGrantDto })
  @ApiErrors(
    [ErrorCode.NotFound, 'there is no such device or user'],
    [ErrorCode.Conflict, 'a quick-support device takes no grants'],
  )
  grant(
    @CurrentUser() actor: AuthUser,
    @Param('id', parseId()) id: string,
    @Param('userId', parseId('userId')) userId: string,
  ): Promise<DeviceGrantDto> {
    return this.grants.grant(actor, id, userId);
  }

  @Delete(':userId')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Withdraw a technician’s grant (admin; idempotent, audited); their remote sessions open on the device end at once (access_withdrawn)',
  })
  @ApiNoContentResponse({ description: 'Withdrawn (or there was no grant)' })
  @ApiErrors(
    [ErrorCode.NotFound, 'there is no such device'],
    [ErrorCode.Conflict, 'a quick-support device takes no grants'],
  )
  async revoke(
    @CurrentUser() actor: AuthUser,
    @Param('id', parseId()) id: string,
    @Param('userId', parseId('userId')) userId: string,
  ): Promise<void> {
    await this.grants.revoke(actor, id, userId);
  }
}
