import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OwnsSupportSession, TeamView } from '../access/access.decorator';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { parseId } from '../common/parse-id.pipe';
import {
  AssignSupportSessionDto,
  CreateSupportSessionDto,
  ListSupportSessionsQueryDto,
  QuickSupportKpisDto,
  SupportSessionDto,
  SupportSessionListDto,
} from './dto/support-session.dto';
import { QuickSupportService } from './quick-support.service';

@ApiTags('quick-support')
@Controller('quick-support')
export class QuickSupportController {
  constructor(private readonly quickSupport: QuickSupportService) {}

  @Post('sessions')
  @TeamView({ roles: 'operators' })
  @ApiOperation({ summary: 'Create a waiting session; the response carries the customer link (url)' })
  @ApiCreatedResponse({ type: SupportSessionDto })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateSupportSessionDto): Promise<SupportSessionDto> {
    return this.quickSupport.create(user, dto);
  }

  @Get('sessions')
  @TeamView()
  @ApiOperation({
    summary:
      'The team queue: newest first, filtered by status, paginated; the link and notes only on sessions you own',
  })
  @ApiOkResponse({ type: SupportSessionListDto })
  list(
    @CurrentUser() user: AuthUser,
    @Query() query: ListSupportSessionsQueryDto,
  ): Promise<SupportSessionListDto> {
    return this.quickSupport.list(user, query);
  }

  @Get('kpis')
  @TeamView()
  @ApiOperation({ summary: 'Counts of waiting, active and ended sessions' })
  @ApiOkResponse({ type: QuickSupportKpisDto })
  kpis(): Promise<QuickSupportKpisDto> {
    return this.quickSupport.kpis();
  }

  @Get('sessions/:id')
  @TeamView()
  @ApiOperation({ summary: 'One session; the link and notes only if you own it (or are an administrator)' })
  @ApiOkResponse({ type: SupportSessionDto })
  @ApiErrors([ErrorCode.NotFound, 'there is no such support session'])
  get(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<SupportSessionDto> {
    return this.quickSupport.get(user, id);
  }

  @Post('sessions/:id/end')
  @OwnsSupportSession()
  @HttpCode(200)
  @ApiOperation({ summary: 'End the session (idempotent); its agent is told to remove itself' })
  @ApiOkResponse({ type: SupportSessionDto })
  end(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<SupportSessionDto> {
    return this.quickSupport.end(user, id);
  }

  @Post('sessions/:id/assign')
  @OwnsSupportSession()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Reassign an open session you own to a technician (yourself by default); the customer sees the name. The previous owner’s remote sessions on its device end at once (access_withdrawn)',
  })
  @ApiOkResponse({ type: SupportSessionDto })
  @ApiErrors(
    [ErrorCode.ValidationFailed, 'userId is not a UUID, or names no active technician'],
    [ErrorCode.Conflict, 'the support session has already ended'],
  )
  assign(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Body() dto: AssignSupportSessionDto,
  ): Promise<SupportSessionDto> {
    return this.quickSupport.assign(user, id, dto.userId);
  }
}
