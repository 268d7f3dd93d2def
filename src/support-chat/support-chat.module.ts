import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '../access/access.module';
import { AgentControlModule } from '../agent-control/agent-control.module';
import { RateLimitModule } from '../common/rate-limit/rate-limit.module';
import { QuickSupportModule } from '../quick-support/quick-support.module';
import { SupportChatMessage } from './entities/support-chat-message.entity';
import { SupportChatConnectController } from './support-chat-connect.controller';
import { SupportChatController } from './support-chat.controller';
import { SupportChatQueries } from './support-chat.queries';
import { SupportChatService } from './support-chat.service';

/**
 * Chat between a quick-support session's technician and its customer (docs/quick-support.md § Chat):
 * the technician's routes, the connect page's routes, the agent console's `chat_reply` (from the
 * control channel's events) and `chat_message` (through AgentControlService). Live updates go out on
 * the quick-support event stream. Nothing else imports this module.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([SupportChatMessage]),
    AccessModule,
    AgentControlModule,
    QuickSupportModule,
    RateLimitModule,
  ],
  controllers: [SupportChatController, SupportChatConnectController],
  providers: [SupportChatService, SupportChatQueries],
  exports: [SupportChatService],
})
export class SupportChatModule {}
