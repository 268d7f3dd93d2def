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
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AUDIT_UNAVAILABLE_ERROR } from '../audit/audit.errors';
import { filter, interval, map, merge, Observable, Subject, takeUntil } from 'rxjs';
import { CHANNEL_KINDS } from '../../contracts/agent-protocol/enums';
import type { RemoteSessionStreamEvent } from '../../contracts/api/remote-sessions';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
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
import { DEVICE_UNUSABLE, LOGIN_REVOKED, SESSION_ENDED } from './remote-session-api-errors';
import { remoteSessionErrors as errors } from './remote-sessions.errors';
import { RemoteSessionsService } from './remote-sessions.service';

const KEEPALIVE_MS = 25_000;

/** `:channel`: one of the protocol's channel kinds, or 400 `validation_failed`. */
const parseChannel = new ParseEnumPipe(CHANNEL_KINDS, {
  exceptionFactory: () => errors.unknownChannelKind(),
});

const SSE_NOTE = 'A `keepalive` event every 25 s; the stream closes when the login ends.';

@ApiTags('remote-sessions')
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
  @ApiOkResponse({ type: RemoteSessionListDto })
  async list(@Query() q: ListRemoteSessionsQueryDto): Promise<RemoteSessionListDto> {
    return { items: await this.queries.list(q.filter ?? 'active') };
  }

  @Post()
  @ReachesDevice({ body: 'deviceId' })
  @ApiOperation({
    summary:
      'Start a remote session on a device you may reach: the agent dials the relay; the response carries the viewer’s relay tokens',
  })
  @ApiCreatedResponse({ type: StartedRemoteSessionDto })
  @ApiErrors(
    ...DEVICE_UNUSABLE,
    AUDIT_UNAVAILABLE_ERROR,
    LOGIN_REVOKED,
    [
      ErrorCode.ProtocolUnavailable,
      'the protocol is not available (RDP), or not on this device’s OS (a shell on Windows)',
    ],
    [ErrorCode.KillSwitchOn, 'the person at the device turned remote control off'],
    [ErrorCode.ConsentRequired, 'an unattended session on a device that asks the person at it'],
    [ErrorCode.DeviceAccessDenied, 'the device was withdrawn from you while the session started'],
    [ErrorCode.RecordingOff, 'recordingEnabled is true but RECORDING_POLICY is off'],
  )
  start(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateRemoteSessionDto,
    @Req() req: Request,
  ): Promise<StartedRemoteSessionDto> {
    return this.sessions.start(user, dto, req.sessionID);
  }

  @Sse('events')
  @TeamView()
  @ApiOperation({
    summary: 'Live updates (SSE): remote_session.created, remote_session.updated (data: RemoteSessionDto)',
  })
  @ApiOkResponse({
    description: `Server-sent events (RemoteSessionStreamEvent, contracts/api/remote-sessions.ts): \`remote_session.created\` and \`remote_session.updated\`, data: RemoteSessionDto. ${SSE_NOTE}`,
    content: { 'text/event-stream': { schema: { type: 'string' } } },
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
  @ApiOkResponse({
    description: `Server-sent events: \`remote_session.updated\` (data: RemoteSessionDto) as this session’s channel states change. ${SSE_NOTE}`,
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
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
  @ApiOkResponse({ type: RemoteSessionDto })
  @ApiErrors([ErrorCode.NotFound, 'there is no such remote session'])
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
  @ApiOkResponse({ type: RelayAccessDto })
  @ApiErrors(SESSION_ENDED, ...DEVICE_UNUSABLE, AUDIT_UNAVAILABLE_ERROR, LOGIN_REVOKED, [
    ErrorCode.KillSwitchOn,
    'the person at the device turned remote control off',
  ])
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
  @ApiOkResponse({ type: RelayAccessDto })
  @ApiErrors(
    SESSION_ENDED,
    ...DEVICE_UNUSABLE,
    AUDIT_UNAVAILABLE_ERROR,
    LOGIN_REVOKED,
    [ErrorCode.ValidationFailed, 'channel is not one of the protocol’s channel kinds'],
    [ErrorCode.NotFound, 'the session has no such channel'],
    [ErrorCode.ChannelNotAskable, 'the person at the device is being asked, or already allowed it'],
    [ErrorCode.AskAgainTooSoon, 'asked less than 20 s ago (with Retry-After)'],
    [ErrorCode.AskAgainLimit, 'asked 5 times for this channel in this session'],
  )
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
  @ApiErrors(
    SESSION_ENDED,
    ...DEVICE_UNUSABLE,
    AUDIT_UNAVAILABLE_ERROR,
    LOGIN_REVOKED,
    [ErrorCode.NotFound, 'the session has no shell'],
    [ErrorCode.AgentOutdated, 'the device’s agent is older than protocol 1.3'],
  )
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
  @ApiErrors(SESSION_ENDED, ...DEVICE_UNUSABLE, LOGIN_REVOKED, [
    ErrorCode.MonitorUnavailable,
    'the device did not list that monitor, or its screen is not open',
  ])
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
  @ApiOkResponse({ type: RemoteSessionDto, description: 'The session, ended' })
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
  @ApiCreatedResponse({ type: CommandStartedDto })
  @ApiErrors(
    SESSION_ENDED,
    AUDIT_UNAVAILABLE_ERROR,
    [ErrorCode.DeviceOffline, 'the device’s agent is not connected'],
    [ErrorCode.ConsentDenied, 'the person at the device did not allow commands'],
    [ErrorCode.AgentRefused, 'the device refused or could not start the command'],
    [ErrorCode.RecordingFailed, 'the session must be recorded and its recording cannot be written'],
  )
  runCommand(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Body() dto: RunCommandDto,
  ): Promise<CommandStartedDto> {
    return this.commands.run(user, id, dto);
  }

  @Sse(':id/commands/:commandId/output')
  @RunsRemoteSession()
  @ApiOperation({ summary: 'A command’s output (SSE): command_output …, then command_exit' })
  @ApiOkResponse({
    description:
      'Server-sent events: `command_output` (data: CommandOutputView: `stream` stdout or stderr, `seq`, `data` text) as the device sends it, then one `command_exit` (data: CommandExitView: `exitCode`, `signal`, `timedOut`, `cancelled`, `truncated`, `durationMs`), after which the stream closes',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiErrors([ErrorCode.NotFound, 'the session has no such command (or it finished long ago)'])
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
  @ApiNoContentResponse({ description: 'Cancelled (or it had already finished)' })
  @ApiErrors(
    [ErrorCode.NotFound, 'the session has no such command'],
    [ErrorCode.AgentRefused, 'the device could not cancel it'],
  )
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
