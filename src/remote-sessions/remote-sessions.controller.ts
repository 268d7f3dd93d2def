import {
  Body,
  Controller,
  Get,
  HttpCode,
  MessageEvent,
  OnModuleDestroy,
  Param,
  ParseEnumPipe,
  Post,
  Query,
  Req,
  Sse,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCookieAuth,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AUDIT_UNAVAILABLE_DOC } from '../audit/audit.errors';
import { filter, interval, map, merge, Observable, Subject, takeUntil } from 'rxjs';
import { CHANNEL_KINDS } from '../../contracts/agent-protocol/enums';
import type { RemoteSessionStreamEvent } from '../../contracts/api/remote-sessions';
import { DomainError, ErrorCode } from '../common/domain-error';
import { ReachesDevice, RunsRemoteSession, TeamView } from '../access/access.decorator';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { parseId } from '../common/parse-id.pipe';
import { CommandStartedDto, RunCommandDto } from './dto/remote-command.dto';
import {
  CreateRemoteSessionDto,
  ListRemoteSessionsQueryDto,
  RelayAccessDto,
  RemoteSessionDto,
  RemoteSessionListDto,
  SelectMonitorDto,
  StartedRemoteSessionDto,
} from './dto/remote-session.dto';
import { RemoteCommandsService } from './remote-commands.service';
import { RemoteSessionEndingService } from './remote-session-ending.service';
import { RemoteSessionEvents } from './remote-session-events';
import { RemoteSessionQueries } from './remote-session.queries';
import { RemoteSessionsService } from './remote-sessions.service';

const KEEPALIVE_MS = 25_000;

/** `:channel`: one of the protocol's channel kinds, or 400 `validation_failed`. */
const parseChannel = new ParseEnumPipe(CHANNEL_KINDS, {
  exceptionFactory: () =>
    new DomainError(ErrorCode.ValidationFailed, `channel must be one of ${CHANNEL_KINDS.join(', ')}`),
});

const LOGIN_REVOKED_DOC =
  'unauthenticated: not logged in, or the login was revoked while the request ran (the session then ends as technician_revoked)';

@ApiTags('remote-sessions')
@ApiCookieAuth()
@Controller('remote-sessions')
export class RemoteSessionsController implements OnModuleDestroy {
  private readonly closing = new Subject<void>();

  constructor(
    private readonly sessions: RemoteSessionsService,
    private readonly queries: RemoteSessionQueries,
    private readonly ending: RemoteSessionEndingService,
    private readonly commands: RemoteCommandsService,
    private readonly events: RemoteSessionEvents,
  ) {}

  @Get()
  @TeamView()
  @ApiOperation({ summary: 'Active sessions (pending or connected), or Recent (ended in the past 24 hours)' })
  async list(@Query() q: ListRemoteSessionsQueryDto): Promise<RemoteSessionListDto> {
    return { items: await this.queries.list(q.filter ?? 'active') };
  }

  @Post()
  @ReachesDevice({ body: 'deviceId' })
  @ApiOperation({
    summary:
      'Start a remote session on a device you may reach: the agent dials the relay; the response carries the viewer’s relay tokens',
  })
  @ApiServiceUnavailableResponse({ description: AUDIT_UNAVAILABLE_DOC })
  @ApiUnauthorizedResponse({ description: LOGIN_REVOKED_DOC })
  start(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateRemoteSessionDto,
    @Req() req: Request,
  ): Promise<StartedRemoteSessionDto> {
    return this.sessions.start(user, dto, req.sessionID);
  }

  @Sse('events')
  @TeamView()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: 'Live updates (SSE): remote_session.created, remote_session.updated (data: RemoteSessionDto)',
  })
  stream(): Observable<MessageEvent> {
    const changes = this.events.stream.pipe(
      map((e): RemoteSessionStreamEvent => ({ type: e.type, data: e.session })),
    );
    const keepalive = interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ type: 'keepalive', data: {} })));
    return merge(changes, keepalive).pipe(takeUntil(this.closing));
  }

  @Sse(':id/events')
  @RunsRemoteSession()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      'One session’s updates for its viewer (SSE): remote_session.updated (data: RemoteSessionDto) as channel states change; the session’s technician or an administrator',
  })
  sessionStream(@Param('id', parseId()) id: string): Observable<MessageEvent> {
    const changes = this.events.stream.pipe(
      filter((e) => e.session.id === id),
      map((e): MessageEvent => ({ type: 'remote_session.updated', data: e.session })),
    );
    const keepalive = interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ type: 'keepalive', data: {} })));
    return merge(changes, keepalive).pipe(takeUntil(this.closing));
  }

  @Get(':id')
  @TeamView()
  @ApiOperation({ summary: 'One remote session' })
  get(@Param('id', parseId()) id: string): Promise<RemoteSessionDto> {
    return this.sessions.get(id);
  }

  @Post(':id/tokens')
  @RunsRemoteSession({ device: true })
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Fresh relay tokens for a reconnect (the agent dials again); the session’s technician or an administrator',
  })
  @ApiServiceUnavailableResponse({ description: AUDIT_UNAVAILABLE_DOC })
  @ApiUnauthorizedResponse({ description: LOGIN_REVOKED_DOC })
  tokens(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Req() req: Request,
  ): Promise<RelayAccessDto> {
    return this.sessions.reconnect(user, id, req.sessionID);
  }

  @Post(':id/channels/:channel/ask')
  @RunsRemoteSession({ device: true })
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Ask the person at the device again for one channel after a no (at most 5 times per channel, 20 s apart); answers the channel’s fresh relay token. The session’s technician or an administrator',
  })
  @ApiServiceUnavailableResponse({ description: AUDIT_UNAVAILABLE_DOC })
  @ApiUnauthorizedResponse({ description: LOGIN_REVOKED_DOC })
  askAgain(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Param('channel', parseChannel) channel: string,
    @Req() req: Request,
  ): Promise<RelayAccessDto> {
    return this.sessions.askAgain(user, id, channel, req.sessionID);
  }

  @Post(':id/channels/shell/plain')
  @RunsRemoteSession({ device: true })
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Open the session’s shell again without the login profile (bash --noprofile --norc, sh without -l), for a device whose profile hangs every login shell; answers the shell’s fresh relay token. The session’s technician or an administrator',
  })
  @ApiOkResponse({ type: RelayAccessDto })
  @ApiNotFoundResponse({ description: 'not_found: no such session, or it has no shell' })
  @ApiConflictResponse({
    description: 'agent_outdated: the device’s agent is older than protocol 1.3; device_offline',
  })
  @ApiGoneResponse({ description: 'gone: the session has ended' })
  @ApiServiceUnavailableResponse({ description: AUDIT_UNAVAILABLE_DOC })
  @ApiUnauthorizedResponse({ description: LOGIN_REVOKED_DOC })
  plainShell(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Req() req: Request,
  ): Promise<RelayAccessDto> {
    return this.sessions.plainShell(user, id, req.sessionID);
  }

  @Post(':id/screen/monitor')
  @RunsRemoteSession({ device: true })
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Show one of the device’s monitors on the screen (an index into the screen channel’s monitors): the screen alone is opened again with it; answers the screen’s fresh relay token. The session’s technician or an administrator',
  })
  @ApiOkResponse({ type: RelayAccessDto })
  @ApiConflictResponse({
    description:
      'monitor_unavailable: the device did not list that monitor, or its screen is not open; gone: the session ended (410)',
  })
  @ApiUnauthorizedResponse({ description: LOGIN_REVOKED_DOC })
  selectMonitor(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Body() dto: SelectMonitorDto,
    @Req() req: Request,
  ): Promise<RelayAccessDto> {
    return this.sessions.selectMonitor(user, id, dto.monitor, req.sessionID);
  }

  @Post(':id/end')
  @RunsRemoteSession()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'End the session for everyone (idempotent); the session’s technician or an administrator. Always succeeds: if the audit trail refuses its line, the line follows through the audit outbox',
  })
  async end(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<RemoteSessionDto> {
    await this.queries.dto(id);
    await this.ending.end(id, 'technician', { actorType: 'user', actorId: user.id });
    return this.queries.dto(id);
  }

  @Post(':id/commands')
  @RunsRemoteSession({ device: true })
  @ApiOperation({
    summary: 'Run a command line on the device; follow its output at …/commands/:commandId/output',
  })
  @ApiServiceUnavailableResponse({ description: AUDIT_UNAVAILABLE_DOC })
  runCommand(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Body() dto: RunCommandDto,
  ): Promise<CommandStartedDto> {
    return this.commands.run(user, id, dto);
  }

  @Sse(':id/commands/:commandId/output')
  @RunsRemoteSession()
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'A command’s output (SSE): command_output …, then command_exit' })
  commandOutput(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Param('commandId', parseId('commandId')) commandId: string,
  ): Observable<MessageEvent> {
    return this.commands.output(id, commandId).pipe(
      map((e): MessageEvent => ({ type: e.type, data: e })),
      takeUntil(this.closing),
    );
  }

  @Post(':id/commands/:commandId/cancel')
  @RunsRemoteSession()
  @HttpCode(204)
  @ApiOperation({ summary: 'Cancel a running command' })
  async cancel(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Param('commandId', parseId('commandId')) commandId: string,
  ): Promise<void> {
    await this.commands.cancel(user, id, commandId);
  }

  onModuleDestroy(): void {
    this.closing.next();
    this.closing.complete();
  }
}
