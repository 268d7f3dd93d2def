import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import {
  DEVICE_KINDS,
  type ConsentPolicy,
  type DeviceKind,
  type DeviceOs,
} from '../../../contracts/api/devices';

export type { ConsentPolicy, DeviceKind };

/**
 * A device with an agent: a quick-support agent bound to one support session, or a persistent agent.
 * Every string here was sent by the agent and is untrusted: bounded at registration, shown as text only.
 */
@Entity('devices')
@Index('ix_devices_support_session', ['supportSessionId'])
@Index('ix_devices_online_last_seen', ['online', 'lastSeenAt'])
export class Device {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'enum', enum: DEVICE_KINDS, enumName: 'device_kind' })
  kind!: DeviceKind;

  @Column({ type: 'varchar', length: 255 })
  hostname!: string;

  @Column({ type: 'varchar', length: 16 })
  os!: DeviceOs;

  @Column({ name: 'os_version', type: 'varchar', length: 100 })
  osVersion!: string;

  @Column({ type: 'varchar', length: 16 })
  arch!: string;

  @Column({ name: 'agent_version', type: 'varchar', length: 32 })
  agentVersion!: string;

  @Column({ name: 'protocol_version', type: 'varchar', length: 7 })
  protocolVersion!: string;

  /** SHA-256 (hex) of the device credential; the credential itself is shown once, to the agent. */
  @Column({ name: 'credential_hash', type: 'char', length: 64, select: false })
  credentialHash!: string;

  @Column({ name: 'support_session_id', type: 'uuid', nullable: true })
  supportSessionId!: string | null;

  /** True while the agent's control channel is connected to this portal. */
  @Column({ type: 'boolean', default: false })
  online!: boolean;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  /**
   * Whether the person at the device is asked before a channel opens (contracts/api/devices.ts
   * CONSENT_POLICIES). Set by an admin; a quick-support device is always `ask` (a CHECK keeps it so).
   */
  @Column({ name: 'consent_policy', type: 'varchar', length: 8, default: 'ask' })
  consentPolicy!: ConsentPolicy;

  /** Set when the device may no longer connect (its quick-support session ended, or it was removed). */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
