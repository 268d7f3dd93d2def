import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditActorType, AuditEvent } from './entities/audit-event.entity';

export interface AuditEntry {
  actorType: AuditActorType;
  actorId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

/** Appends to the audit trail; pass the transaction's manager so the entry commits with the change. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AuditEvent) : this.events;
    await repo.save(
      repo.create({
        actorType: entry.actorType,
        actorId: entry.actorId ?? null,
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        details: entry.details ?? {},
      }),
    );
  }

  /** Newest first, for one target. */
  async forTarget(targetType: string, targetId: string, limit = 50): Promise<AuditEvent[]> {
    return this.events.find({ where: { targetType, targetId }, order: { id: 'DESC' }, take: limit });
  }
}
