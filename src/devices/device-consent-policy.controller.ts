import { Body, Controller, Param, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth-user';
import { AdminOnly } from '../access/access.decorator';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { CurrentUser } from '../common/decorators';
import { parseId } from '../common/parse-id.pipe';
import { DeviceDto, SetConsentPolicyDto } from './dto/device.dto';
import { DevicesService } from './devices.service';

/**
 * The consent policy of a persistent device (admins). Quick-support devices always ask (409
 * `conflict`). The portal's policy is half of it: `notify` and `silent` take effect only where the
 * device's own agent.json allows them too, so the portal alone cannot turn consent off.
 */
@ApiTags('devices')
@Controller('devices/:id/consent-policy')
export class DeviceConsentPolicyController {
  constructor(private readonly devices: DevicesService) {}

  @Patch()
  @AdminOnly()
  @ApiOperation({
    summary:
      'Set whether the person at a persistent device is asked before each channel opens: ask, notify or silent (admin; audited as device.consent_policy_changed; 409 for a quick-support device, which always asks)',
  })
  @ApiOkResponse({ type: DeviceDto })
  @ApiErrors(
    [ErrorCode.NotFound, 'there is no such device'],
    [ErrorCode.Gone, 'the device was removed or its support session ended'],
    [ErrorCode.Conflict, 'a quick-support device always asks'],
  )
  set(
    @CurrentUser() actor: AuthUser,
    @Param('id', parseId()) id: string,
    @Body() body: SetConsentPolicyDto,
  ): Promise<DeviceDto> {
    return this.devices.setConsentPolicy(actor, id, body.policy);
  }
}
