import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import {
  SUPPORT_SESSION_STATUSES,
  type SupportSessionEndReason,
  type SupportSessionStatus,
} from '../../../contracts/api/quick-support';
import { Device } from '../../devices/entities/device.entity';
import { User } from '../../users/entities/user.entity';

export type { SupportSessionStatus };
/** The shared list (contracts/api/quick-support.ts), under the name this module's code uses. */
export type EndReason = SupportSessionEndReason;

/**
 * A quick-support session: a public link a technician sends to a customer. `waiting` until a device
 * registers with one of its installer tokens, then `active`, then `ended` (by a technician, the agent
 * leaving for good, or expiry). Transitions are single guarded UPDATEs.
 */
@Entity('support_sessions')
@Index('ux_support_sessions_token_hash', ['tokenHash'], { unique: true })
@Index('ix_support_sessions_device', ['deviceId'])
@Index('ix_support_sessions_status_created', { synchronize: false })
@Index('ix_support_sessions_created', { synchronize: false })
@Index('ix_support_sessions_open_expiry', { synchronize: false })
@Index('ix_support_sessions_ended', { synchronize: false })
export class SupportSession {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({
    type: 'enum',
    enum: SUPPORT_SESSION_STATUSES,
    enumName: 'support_session_status',
    default: 'waiting',
  })
  status!: SupportSessionStatus;

  /** SHA-256 (hex) of the public token: the only way the public routes find a session. */
  @Column({ name: 'token_hash', type: 'char', length: 64, select: false })
  tokenHash!: string;

  /**
   * The public token, encrypted (AES-256-GCM, see SupportTokenCipher) so the technician can copy the
   * link again later while a database dump alone does not hand out live links. Cleared at the end.
   */
  @Column({ name: 'token_ciphertext', type: 'varchar', length: 200, nullable: true, select: false })
  tokenCiphertext!: string | null;

  @Column({ name: 'customer_name', type: 'varchar', length: 100, nullable: true })
  customerName!: string | null;

  /** The technician's own note; never shown on the public page. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  note!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdById!: string | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by' })
  createdBy!: User | null;

  @Column({ name: 'assigned_to', type: 'uuid', nullable: true })
  assignedToId!: string | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'assigned_to' })
  assignedTo!: User | null;

  @Column({ name: 'device_id', type: 'uuid', nullable: true })
  deviceId!: string | null;

  @ManyToOne(() => Device, { nullable: true, onDelete: 'SET NULL', createForeignKeyConstraints: false })
  @JoinColumn({ name: 'device_id' })
  device!: Device | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 32, nullable: true })
  endReason!: EndReason | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
