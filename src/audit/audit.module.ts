import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditOutbox } from './audit-outbox';
import { AuditOutboxJob } from './audit-outbox.job';
import { AuditService } from './audit.service';
import { AuditEvent } from './entities/audit-event.entity';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  providers: [AuditService, AuditOutbox, AuditOutboxJob],
  exports: [AuditService],
})
export class AuditModule {}
