import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '../access/access.module';
import { AgentControlModule } from '../agent-control/agent-control.module';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { DevicesModule } from '../devices/devices.module';
import { QuickSupportModule } from '../quick-support/quick-support.module';
import { RecordingsModule } from '../recordings/recordings.module';
import { RelayLinkModule } from '../relay-link/relay-link.module';
import { UsersModule } from '../users/users.module';
import { RemoteSession } from './entities/remote-session.entity';
import { RemoteCommandsService } from './remote-commands.service';
import { RemoteSessionEndingService } from './remote-session-ending.service';
import { RemoteSessionEvents } from './remote-session-events';
import { RemoteSessionsMetrics } from './remote-sessions.metrics';
import { RemoteSessionLifecycle } from './remote-session-lifecycle';
import { RemoteSessionQueries } from './remote-session.queries';
import { RemoteSessionHistoryController } from './remote-session-history.controller';
import { RemoteSessionsController } from './remote-sessions.controller';
import { ConsentContexts } from './consent-context';
import { RemoteSessionChannels } from './remote-session-channels';
import { RemoteSessionFiles } from './remote-session-files';
import { RemoteSessionFilesController } from './remote-session-files.controller';
import { FileActivityAudit } from './file-activity-audit';
import { RemoteSessionsService } from './remote-sessions.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([RemoteSession]),
    AccessModule,
    AgentControlModule,
    DevicesModule,
    QuickSupportModule,
    RelayLinkModule,
    RecordingsModule,
    AuditModule,
    AuthModule,
    UsersModule,
  ],
  // History first: its fixed paths must win over RemoteSessionsController's `:id`.
  controllers: [RemoteSessionHistoryController, RemoteSessionsController, RemoteSessionFilesController],
  providers: [
    RemoteSessionsService,
    RemoteSessionEndingService,
    RemoteSessionQueries,
    RemoteSessionEvents,
    RemoteSessionLifecycle,
    RemoteSessionsMetrics,
    RemoteCommandsService,
    RemoteSessionChannels,
    ConsentContexts,
    RemoteSessionFiles,
    FileActivityAudit,
  ],
  exports: [RemoteSessionsService, RemoteSessionEndingService],
})
export class RemoteSessionsModule {}
