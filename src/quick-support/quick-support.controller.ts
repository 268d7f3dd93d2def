import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
@ApiCookieAuth()
@Controller('quick-support')
export class QuickSupportController {
  constructor(private readonly quickSupport: QuickSupportService) {}

  @Post('sessions')
  @ApiOperation({ summary: 'Create a waiting session; the response carries the customer link (url)' })
  @ApiCreatedResponse({ type: SupportSessionDto })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateSupportSessionDto): Promise<SupportSessionDto> {
    return this.quickSupport.create(user, dto);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'The queue: newest first, filtered by status, paginated' })
  @ApiOkResponse({ type: SupportSessionListDto })
  list(@Query() query: ListSupportSessionsQueryDto): Promise<SupportSessionListDto> {
    return this.quickSupport.list(query);
  }

  @Get('kpis')
  @ApiOperation({ summary: 'Counts of waiting, active and ended sessions' })
  @ApiOkResponse({ type: QuickSupportKpisDto })
  kpis(): Promise<QuickSupportKpisDto> {
    return this.quickSupport.kpis();
  }

  @Get('sessions/:id')
  @ApiOkResponse({ type: SupportSessionDto })
  get(@Param('id', parseId()) id: string): Promise<SupportSessionDto> {
    return this.quickSupport.get(id);
  }

  @Post('sessions/:id/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the session (idempotent); its agent is told to remove itself' })
  @ApiOkResponse({ type: SupportSessionDto })
  end(@CurrentUser() user: AuthUser, @Param('id', parseId()) id: string): Promise<SupportSessionDto> {
    return this.quickSupport.end(user, id);
  }

  @Post('sessions/:id/assign')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Assign an open session to a technician (yourself by default); the customer sees the name',
  })
  @ApiOkResponse({ type: SupportSessionDto })
  assign(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Body() dto: AssignSupportSessionDto,
  ): Promise<SupportSessionDto> {
    return this.quickSupport.assign(user, id, dto.userId);
  }
}
