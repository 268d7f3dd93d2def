import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type {
  RecordedChannel,
  RecordingBreakReason,
  RecordingFailure,
  RecordingIncompleteReason,
  RecordingIntegrityState,
  RecordingMode,
  RecordingStatus,
} from '../../../contracts/api/recordings';

/**
 * One recording the relay made (migrations/1763800000000-Recordings.ts). The id is the relay's
 * recording id; `chunks` and `chainHead` are the last head the relay signed. Written by
 * src/recordings/recording.queries.ts only.
 */
@Entity('recordings')
@Index('ix_recordings_started', ['startedAt', 'id'])
@Index('ix_recordings_session', ['sessionId', 'startedAt'])
@Index('ix_recordings_technician', ['technicianId', 'startedAt'])
@Index('ix_recordings_device', ['deviceId', 'startedAt'])
export class Recording {
  @PrimaryColumn('uuid')
  id!: string;

  /** The remote session (not a foreign key: a recording outlives its session row). */
  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ type: 'varchar', length: 16 })
  channel!: RecordedChannel;

  @Column({ type: 'varchar', length: 16 })
  mode!: RecordingMode;

  @Column({ type: 'varchar', length: 16, default: 'recording' })
  status!: RecordingStatus;

  @Column({ name: 'incomplete_reason', type: 'varchar', length: 32, nullable: true })
  incompleteReason!: RecordingIncompleteReason | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  failure!: RecordingFailure | null;

  @Column({ name: 'technician_id', type: 'uuid', nullable: true })
  technicianId!: string | null;

  @Column({ name: 'device_id', type: 'uuid', nullable: true })
  deviceId!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** bigint: read as a string by pg, mapped to a number (safe below 2^53). */
  @Column({ type: 'bigint', default: 0 })
  bytes!: string;

  @Column({ type: 'integer', default: 0 })
  chunks!: number;

  @Column({ name: 'chain_head', type: 'char', length: 64, nullable: true })
  chainHead!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'unchecked' })
  integrity!: RecordingIntegrityState;

  @Column({ name: 'broken_at', type: 'integer', nullable: true })
  brokenAt!: number | null;

  @Column({ name: 'broken_reason', type: 'varchar', length: 32, nullable: true })
  brokenReason!: RecordingBreakReason | null;

  @Column({ name: 'integrity_checked_at', type: 'timestamptz', nullable: true })
  integrityCheckedAt!: Date | null;

  @Column({ name: 'legal_hold', type: 'boolean', default: false })
  legalHold!: boolean;

  @Column({ name: 'legal_hold_note', type: 'varchar', length: 500, nullable: true })
  legalHoldNote!: string | null;

  @Column({ name: 'legal_hold_by', type: 'uuid', nullable: true })
  legalHoldBy!: string | null;

  @Column({ name: 'purge_started_at', type: 'timestamptz', nullable: true })
  purgeStartedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
