import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AgentControlModule } from '../agent-control/agent-control.module';
import { AuditModule } from '../audit/audit.module';
import { DevicesModule } from '../devices/devices.module';
import { RemoteSessionsModule } from '../remote-sessions/remote-sessions.module';
import { RemoteHelpController } from './remote-help.controller';
import { RemoteHelpService } from './remote-help.service';

/** The Quick Assist concierge for technicians: `/api/devices/:id/remotehelp`. */
@Module({
  imports: [AccessModule, AgentControlModule, DevicesModule, AuditModule, RemoteSessionsModule],
  controllers: [RemoteHelpController],
  providers: [RemoteHelpService],
  exports: [RemoteHelpService],
})
export class RemoteHelpModule {}
