import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DevicesModule } from '../devices/devices.module';
import { InstallersModule } from '../installers/installers.module';
import { QuickSupportModule } from '../quick-support/quick-support.module';
import { AgentRegistrationController } from './agent-registration.controller';
import { AgentRegistrationService } from './agent-registration.service';

/** `POST /api/agent/register`. The control channel (agent-control*) is its own module beside this one. */
@Module({
  imports: [AuditModule, DevicesModule, InstallersModule, QuickSupportModule],
  controllers: [AgentRegistrationController],
  providers: [AgentRegistrationService],
  exports: [AgentRegistrationService],
})
export class AgentRegistrationModule {}
