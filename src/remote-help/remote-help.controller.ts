import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReachesDevice } from '../access/access.decorator';
import { AUDIT_UNAVAILABLE_ERROR } from '../audit/audit.errors';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors, type ApiErrorEntry } from '../common/openapi/api-errors.decorator';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { parseId } from '../common/parse-id.pipe';
import {
  RemoteHelpInstallDto,
  RemoteHelpStartDto,
  RemoteHelpStatusDto,
  RemoteHelpStopDto,
} from './dto/remote-help.dto';
import { RemoteHelpService } from './remote-help.service';

/**
 * Microsoft Quick Assist on a Windows device, prepared by its agent (docs/adr/0003-quick-assist-concierge.md).
 * Refusals: 400 `unsupported_os`, 409 `kill_switch_on` / `no_interactive_session` /
 * `quick_assist_not_installed` / `agent_outdated`, 403 `not_allowed`, `device_offline` when the agent
 * is not connected. Only technicians who reach the device (and admins) may use these; starting,
 * stopping and installing also wait until no other technician has a remote session open on it
 * (403 `device_access_denied` / `not_session_owner`).
 */
/** What asking the device's agent can answer (remoteHelpError in remote-help.errors.ts). */
const DEVICE_REFUSALS: readonly ApiErrorEntry[] = [
  [ErrorCode.Gone, 'the device was removed or its support session ended'],
  [ErrorCode.DeviceOffline, 'the device’s agent is not connected'],
  [ErrorCode.AgentOutdated, 'the agent predates Quick Assist support, or did not understand the request'],
  [ErrorCode.Unavailable, 'the device did not answer in time'],
  [ErrorCode.UnsupportedOs, 'the device is not Windows'],
  [ErrorCode.KillSwitchOn, 'the person at the device turned remote control off'],
  [ErrorCode.NoInteractiveSession, 'nobody is logged in at the device'],
  [ErrorCode.QuickAssistNotInstalled, 'Quick Assist is not installed'],
  [ErrorCode.Forbidden, 'the person at the device did not allow it'],
  [ErrorCode.NotAllowed, 'the device’s own policy refuses it'],
  [ErrorCode.AgentRefused, 'the device could not do it'],
];

@ApiTags('remote-help')
@Controller('devices/:id/remotehelp')
export class RemoteHelpController {
  constructor(private readonly remoteHelp: RemoteHelpService) {}

  @Get()
  @ReachesDevice({ param: 'id' })
  @ApiOperation({
    summary:
      'Quick Assist readiness (installed, version, internet, someone logged in); works with the kill switch on',
  })
  @ApiOkResponse({ type: RemoteHelpStatusDto })
  @ApiErrors(...DEVICE_REFUSALS)
  status(@Param('id', parseId()) id: string): Promise<RemoteHelpStatusDto> {
    return this.remoteHelp.status(id);
  }

  @Post('start')
  @ReachesDevice({ param: 'id' }, { exclusive: true })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Open Quick Assist on the logged-in user’s desktop; the note says what the people do next',
  })
  @ApiOkResponse({ type: RemoteHelpStartDto })
  @ApiErrors(...DEVICE_REFUSALS, AUDIT_UNAVAILABLE_ERROR)
  start(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<RemoteHelpStartDto> {
    return this.remoteHelp.start(user, id);
  }

  @Post('stop')
  @ReachesDevice({ param: 'id' }, { exclusive: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'End Quick Assist on the logged-in user’s desktop' })
  @ApiOkResponse({ type: RemoteHelpStopDto })
  @ApiErrors(...DEVICE_REFUSALS, AUDIT_UNAVAILABLE_ERROR)
  stop(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<RemoteHelpStopDto> {
    return this.remoteHelp.stop(user, id);
  }

  @Post('install')
  @ReachesDevice({ param: 'id' }, { exclusive: true })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Install Quick Assist with winget (Microsoft Store id 9P7BP5VNWKX5) as the logged-in user',
  })
  @ApiOkResponse({ type: RemoteHelpInstallDto })
  @ApiErrors(...DEVICE_REFUSALS, AUDIT_UNAVAILABLE_ERROR)
  install(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<RemoteHelpInstallDto> {
    return this.remoteHelp.install(user, id);
  }
}
