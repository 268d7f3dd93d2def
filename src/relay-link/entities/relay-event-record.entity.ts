import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RelayEventType } from '../../../contracts/relay-events';

/**
 * An event id the relay reported and the portal applied: the idempotency ledger of POST
 * /api/relay/events (a retried delivery finds its id here and is not applied twice). Rows are pruned
 * after a day, long after the relay's retries and the signature's five-minute window.
 */
@Entity('relay_events')
@Index('ix_relay_events_received_at', ['receivedAt'])
export class RelayEventRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  type!: RelayEventType;

  @Column({ name: 'session_id', type: 'varchar', length: 64 })
  sessionId!: string;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
