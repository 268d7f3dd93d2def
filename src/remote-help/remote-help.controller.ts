import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReachesDevice } from '../access/access.decorator';
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
@ApiTags('remote-help')
@ApiCookieAuth()
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
  start(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<RemoteHelpStartDto> {
    return this.remoteHelp.start(user, id);
  }

  @Post('stop')
  @ReachesDevice({ param: 'id' }, { exclusive: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'End Quick Assist on the logged-in user’s desktop' })
  @ApiOkResponse({ type: RemoteHelpStopDto })
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
  install(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<RemoteHelpInstallDto> {
    return this.remoteHelp.install(user, id);
  }
}
