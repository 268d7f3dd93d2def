import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import type { RelayEvent } from '../../contracts/relay-events';
import { RelayEventRecord } from './entities/relay-event-record.entity';

/**
 * Every read and write of `relay_events`, the idempotency ledger of the relay's events: recording a
 * batch (ids already there are skipped, so of two deliveries of one event exactly one records it) and
 * the prune of old ids. Each takes the caller's transaction as `m`, or runs on its own; applying and
 * republishing the events is RelayEventsService's.
 */
@Injectable()
export class RelayEventQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** Records the events in one statement and returns the ids that were new (not recorded before). */
  async insertNew(events: readonly RelayEvent[], m?: EntityManager): Promise<string[]> {
    const result = await this.db(m)
      .createQueryBuilder()
      .insert()
      .into(RelayEventRecord)
      .values(events.map((e) => ({ id: e.id, type: e.type, sessionId: e.sessionId })))
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as Array<{ id: string }>).map((r) => r.id);
  }

  /** Deletes the ids received before `before`. */
  async deleteReceivedBefore(before: Date, m?: EntityManager): Promise<void> {
    await this.db(m)
      .getRepository(RelayEventRecord)
      .delete({ receivedAt: LessThan(before) });
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
