import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '../access/access.module';
import { AuditModule } from '../audit/audit.module';
import { BrandingModule } from '../branding/branding.module';
import { RateLimitModule } from '../common/rate-limit/rate-limit.module';
import { DevicesModule } from '../devices/devices.module';
import { InstallersModule } from '../installers/installers.module';
import { UsersModule } from '../users/users.module';
import { ConnectPageController } from './connect/connect-page.controller';
import { InstallerDownloadController } from './connect/installer-download.controller';
import { SupportSessionNote } from './entities/support-session-note.entity';
import { SupportSession } from './entities/support-session.entity';
import { QuickSupportEvents } from './quick-support-events';
import { QuickSupportEventsController } from './quick-support-events.controller';
import { QuickSupportMetrics } from './quick-support.metrics';
import { QuickSupportExpiryJob } from './quick-support-expiry.job';
import { QuickSupportController } from './quick-support.controller';
import { QuickSupportService } from './quick-support.service';
import { SupportNotesService } from './support-notes.service';
import { SupportSessionMapper } from './support-session.mapper';
import { SupportSessionQueries } from './support-session.queries';
import { SupportTokenCipher } from './support-token-cipher';

/**
 * Quick-support sessions, the technician API, live events and the public connect page with its
 * installer download (scripts rendered by InstallersModule). Exports the service (registration
 * activates sessions; the control channel ends them) and the events stream (the control channel
 * sends end_session on `session.ended`). Rate limits are policies on the routes
 * (src/common/rate-limit); the connect page issues the page pass from there.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([SupportSession, SupportSessionNote]),
    AccessModule,
    AuditModule,
    BrandingModule,
    DevicesModule,
    InstallersModule,
    UsersModule,
    RateLimitModule,
  ],
  controllers: [
    QuickSupportController,
    QuickSupportEventsController,
    ConnectPageController,
    InstallerDownloadController,
  ],
  providers: [
    QuickSupportService,
    SupportNotesService,
    SupportSessionMapper,
    SupportSessionQueries,
    SupportTokenCipher,
    QuickSupportEvents,
    QuickSupportExpiryJob,
    QuickSupportMetrics,
  ],
  exports: [QuickSupportService, QuickSupportEvents],
})
export class QuickSupportModule {}
