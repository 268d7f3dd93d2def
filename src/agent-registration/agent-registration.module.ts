import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DevicesModule } from '../devices/devices.module';
import { InstallersModule } from '../installers/installers.module';
import { QuickSupportModule } from '../quick-support/quick-support.module';
import { AgentRegistrationController } from './agent-registration.controller';
import { AgentRegistrationService } from './agent-registration.service';

/**
 * `POST /api/agent/register`: an agent trades a one-shot installer token for its device credential.
 * The control channel it then opens is AgentControlModule (src/agent-control/).
 */
@Module({
  imports: [AuditModule, DevicesModule, InstallersModule, QuickSupportModule],
  controllers: [AgentRegistrationController],
  providers: [AgentRegistrationService],
  exports: [AgentRegistrationService],
})
export class AgentRegistrationModule {}
