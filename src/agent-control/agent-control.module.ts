import { AgentControlMetrics } from './agent-control.metrics';
import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { QuickSupportModule } from '../quick-support/quick-support.module';
import { AgentControlGateway } from './agent-control.gateway';
import { AgentControlService } from './agent-control.service';
import { AgentMessageHandler } from './agent-message.handler';

/**
 * The agent control channel (WebSocket `/api/agent/ws`). Exports AgentControlService, which remote
 * sessions use to open channels, run commands and end sessions on devices.
 */
@Module({
  imports: [DevicesModule, QuickSupportModule],
  providers: [AgentControlGateway, AgentControlMetrics, AgentControlService, AgentMessageHandler],
  exports: [AgentControlService],
})
export class AgentControlModule {}
