import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import type { Response } from 'express';
import { Public } from '../common/decorators';
import { PagePass } from '../common/rate-limit/page-pass';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import {
  ChatMessageDto,
  ChatMessageListDto,
  ListChatMessagesQueryDto,
  SendChatMessageDto,
} from './dto/chat-message.dto';
import { SupportChatService } from './support-chat.service';

const INACTIVE = 'the link is unknown, has ended or has expired (all alike)';

/**
 * The customer's side of the chat, beside the connect page (outside /api). The link token is the
 * credential; unknown, ended and expired links answer alike (404 `link_inactive`, a miss for the
 * rate-limit policies). JSON only: the page's script reads and writes, and renders with textContent.
 */
@ApiTags('connect (public)')
@Public()
@Controller('support/connect')
export class SupportChatConnectController {
  constructor(
    private readonly chat: SupportChatService,
    private readonly pagePass: PagePass,
  ) {}

  @Get(':token/chat')
  @RateLimit('connect-chat-read')
  @ApiOperation({ summary: 'The chat for the connect page’s poll (every 5 s, with `after`)' })
  @ApiOkResponse({ type: ChatMessageListDto })
  @ApiErrors(
    [ErrorCode.ValidationFailed, '`after` is no message of this session'],
    [ErrorCode.LinkInactive, INACTIVE],
  )
  async list(
    @Param('token') token: string,
    @Query() query: ListChatMessagesQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ChatMessageListDto> {
    const page = await this.chat.listForCustomer(token, query);
    this.pagePass.issue(res, token);
    return page;
  }

  @Post(':token/chat')
  @RateLimit('connect-chat-send')
  @HttpCode(201)
  @ApiOperation({ summary: 'A message from the customer to the technician' })
  @ApiCreatedResponse({ type: ChatMessageDto })
  @ApiErrors(
    [ErrorCode.ValidationFailed, 'empty after normalising, or longer than 1000 characters'],
    [ErrorCode.LinkInactive, INACTIVE],
    [ErrorCode.ChatLimitReached, 'the session holds 500 chat messages'],
  )
  send(@Param('token') token: string, @Body() dto: SendChatMessageDto): Promise<ChatMessageDto> {
    return this.chat.sendFromCustomer(token, dto.body);
  }
}
