import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuditLogController } from './audit-log.controller';
import { AuditLogQueries } from './audit-log.queries';
import { AuditLogService } from './audit-log.service';

/**
 * The audit trail's read side: the Audit page, its CSV export and remote-session timelines. It only
 * reads `audit_events` (the append-only writer stays in src/audit) with its own SQL
 * (AuditLogQueries), joined to the names of sessions, devices and users.
 */
@Module({
  imports: [AccessModule],
  controllers: [AuditLogController],
  providers: [AuditLogService, AuditLogQueries],
})
export class AuditLogModule {}
