import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type {
  RemoteProtocol,
  RemoteSessionEndReason,
  RemoteSessionStatus,
  RemoteSessionType,
} from '../../../contracts/api/remote-sessions';
import type { StoredChannelStates } from '../channel-states';

/** The shared lists (contracts/api/remote-sessions.ts), under the names this module's code uses. */
export type { RemoteProtocol };
export type EndReason = RemoteSessionEndReason;

/** A technician's connection to a device: which channels, through which relay, and how it ended. */
@Entity('remote_sessions')
@Index('ix_remote_sessions_status', ['status'])
@Index('ix_remote_sessions_ended_at', ['endedAt'])
@Index('ix_remote_sessions_device', ['deviceId'])
export class RemoteSession {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @Column({ name: 'technician_id', type: 'uuid', nullable: true })
  technicianId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  type!: RemoteSessionType;

  @Column({ type: 'varchar', length: 8 })
  protocol!: RemoteProtocol;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reason!: string | null;

  /** Stored for the recording feature; nothing is captured yet. */
  @Column({ name: 'recording_enabled', type: 'boolean', default: false })
  recordingEnabled!: boolean;

  @Column({ type: 'varchar', length: 8, default: 'pending' })
  status!: RemoteSessionStatus;

  /** Relay channels this session uses (screen, shell, …). */
  @Column({ type: 'text', array: true })
  channels!: string[];

  /** Each channel's consent and state (channel-states.ts). */
  @Column({ name: 'channel_states', type: 'jsonb', default: () => `'{}'::jsonb` })
  channelStates!: StoredChannelStates;

  @Column({ name: 'relay_url', type: 'varchar', length: 2048 })
  relayUrl!: string;

  @CreateDateColumn({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'connected_at', type: 'timestamptz', nullable: true })
  connectedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 32, nullable: true })
  endReason!: EndReason | null;
}
