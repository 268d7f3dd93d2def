import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { RunsRemoteSession } from '../access/access.decorator';
import { AUDIT_UNAVAILABLE_ERROR } from '../audit/audit.errors';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { parseId } from '../common/parse-id.pipe';
import { RelayAccessDto } from './dto/remote-session.dto';
import { DEVICE_UNUSABLE, LOGIN_REVOKED, SESSION_ENDED } from './remote-session-api-errors';
import { RemoteSessionsService } from './remote-sessions.service';

/** The Files tab's way in: the files channel (protocol 1.4), opened when the technician asks for it. */
@ApiTags('remote-sessions')
@Controller('remote-sessions')
export class RemoteSessionFilesController {
  constructor(private readonly sessions: RemoteSessionsService) {}

  @Post(':id/channels/files')
  @RunsRemoteSession({ device: true })
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Open the session’s files channel (Web and SSH sessions, agents at protocol 1.4): added to the session’s channels and asked of the device, whose person is asked (the channel’s state: opening → asking → open); called again, the files channel alone is reconnected. Answers the files channel’s relay token. The session’s technician or an administrator',
  })
  @ApiOkResponse({ type: RelayAccessDto, description: 'The relay access, with one token: `files`' })
  @ApiErrors(
    SESSION_ENDED,
    ...DEVICE_UNUSABLE,
    AUDIT_UNAVAILABLE_ERROR,
    LOGIN_REVOKED,
    [ErrorCode.NotFound, 'there is no such remote session'],
    [ErrorCode.ProtocolUnavailable, 'a VNC session: files come with Web and SSH sessions'],
    [ErrorCode.FilesOutdated, 'the device’s agent is older than protocol 1.4'],
    [ErrorCode.KillSwitchOn, 'the person at the device turned remote control off'],
  )
  openFiles(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Req() req: Request,
  ): Promise<RelayAccessDto> {
    return this.sessions.openFiles(user, id, req.sessionID);
  }
}
