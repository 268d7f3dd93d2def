import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { InstallerMode, InstallerOs } from '../../../contracts/installer-template';

/**
 * A one-shot installer token: embedded in one rendered install script, redeemed once by the agent at
 * registration. Stored as a SHA-256 hash only: the product never needs to show it again (a new
 * download mints a new one). Quick tokens belong to a support session; persistent ones to an admin.
 */
@Entity('installer_tokens')
@Index('ux_installer_tokens_token_hash', ['tokenHash'], { unique: true })
@Index('ix_installer_tokens_session', ['sessionId'])
@Index('ix_installer_tokens_unused_expiry', { synchronize: false })
export class InstallerToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'token_hash', type: 'char', length: 64, select: false })
  tokenHash!: string;

  @Column({ type: 'enum', enum: ['quick', 'persistent'], enumName: 'installer_mode' })
  mode!: InstallerMode;

  @Column({ type: 'varchar', length: 16 })
  os!: InstallerOs;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId!: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'device_id', type: 'uuid', nullable: true })
  deviceId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
