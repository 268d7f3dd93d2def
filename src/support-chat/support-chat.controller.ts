import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { OwnsSupportSession, ReadsRemoteSessionTrail, ReadsSupportSession } from '../access/access.decorator';
import type { AuthUser } from '../common/auth-user';
import { CurrentUser } from '../common/decorators';
import { parseId } from '../common/parse-id.pipe';
import { TechnicianRateLimit } from '../common/rate-limit/rate-limit.decorator';
import {
  ChatMessageDto,
  ChatMessageListDto,
  ChatSessionRefDto,
  ListChatMessagesQueryDto,
  SendChatMessageDto,
} from './dto/chat-message.dto';
import { SupportChatService } from './support-chat.service';

/** The technician's side of a quick-support session's chat (the customer's: support-chat-connect.controller.ts). */
@ApiTags('support chat')
@Controller()
export class SupportChatController {
  constructor(private readonly chat: SupportChatService) {}

  @Get('quick-support/sessions/:id/chat')
  @ReadsSupportSession()
  @ApiOperation({
    summary:
      'The session’s chat, oldest first, the customer’s older notes included; page with `after` (the last id you have)',
  })
  @ApiOkResponse({ type: ChatMessageListDto })
  @ApiErrors(
    [ErrorCode.ValidationFailed, '`id` or `after` is not a UUID, or `after` is no message of this session'],
    [ErrorCode.NotFound, 'there is no such support session'],
  )
  list(
    @Param('id', parseId()) id: string,
    @Query() query: ListChatMessagesQueryDto,
  ): Promise<ChatMessageListDto> {
    return this.chat.listForTechnician(id, query);
  }

  @Post('quick-support/sessions/:id/chat')
  @OwnsSupportSession()
  @TechnicianRateLimit('chat')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Write to the customer: shown on the connect page and in the agent’s console (agents at protocol 1.3)',
  })
  @ApiCreatedResponse({ type: ChatMessageDto })
  @ApiErrors(
    [ErrorCode.ValidationFailed, 'empty after normalising, or longer than 1000 characters'],
    [ErrorCode.NotFound, 'there is no such support session'],
    [ErrorCode.SessionClosed, 'the session has ended or expired'],
    [ErrorCode.ChatLimitReached, 'the session holds 500 chat messages'],
  )
  send(
    @CurrentUser() user: AuthUser,
    @Param('id', parseId()) id: string,
    @Body() dto: SendChatMessageDto,
  ): Promise<ChatMessageDto> {
    return this.chat.sendFromTechnician(user, id, dto.body);
  }

  @Get('remote-sessions/:id/support-session')
  @ReadsRemoteSessionTrail()
  @ApiOperation({
    summary:
      'The quick-support session of a remote session’s device, whose chat the viewer and the session’s timeline show',
  })
  @ApiOkResponse({ type: ChatSessionRefDto })
  @ApiErrors([
    ErrorCode.NotFound,
    'no such remote session, or its device did not come from a quick-support link',
  ])
  async supportSession(@Param('id', parseId()) id: string): Promise<ChatSessionRefDto> {
    return { supportSessionId: await this.chat.sessionOfRemoteSession(id) };
  }
}
