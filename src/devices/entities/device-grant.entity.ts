import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '../../users/entities/user.entity';
import { Device } from './device.entity';

/**
 * A technician allowed to reach a persistent device (start remote sessions and Quick Assist on it,
 * see it in the device list). Admins reach every device without one; quick-support devices belong
 * to their session's owner and take none. Removing the device or the user removes the grant.
 */
@Entity('device_grants')
@Index('ux_device_grants_device_user', ['deviceId', 'userId'], { unique: true })
@Index('ix_device_grants_user', ['userId'])
export class DeviceGrant {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId!: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id' })
  device!: Device;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user!: User;

  @Column({ name: 'granted_by', type: 'uuid', nullable: true })
  grantedById!: string | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'granted_by' })
  grantedBy!: User | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
