import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessWithdrawals } from '../access/access-withdrawals';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { DeviceGrantQueries, GrantRow } from './device-grant.queries';
import { deviceErrors as errors } from './devices.errors';
import { DeviceGrantDto } from './dto/device-grant.dto';

/**
 * Which technicians reach which persistent device (admin only). Granting and withdrawing are
 * idempotent; each change is audited on the device in the same transaction. The reach rule itself
 * lives in src/access/access-rules.ts.
 */
@Injectable()
export class DeviceGrantsService {
  private readonly logger = new Logger(DeviceGrantsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: DeviceGrantQueries,
    private readonly audit: AuditService,
    private readonly withdrawals: AccessWithdrawals,
  ) {}

  async list(deviceId: string): Promise<DeviceGrantDto[]> {
    await this.persistentDevice(deviceId);
    return (await this.grants.list(deviceId)).map(toDto);
  }

  /** Grants the device to the user (already granted: unchanged, not audited again). */
  async grant(actor: AuthUser, deviceId: string, userId: string): Promise<DeviceGrantDto> {
    await this.dataSource.transaction(async (m) => {
      await this.persistentDevice(deviceId, m);
      if (!(await this.grants.userExists(userId, m))) throw errors.userNotFound();
      if (!(await this.grants.insert(deviceId, userId, actor.id, m))) return;
      await this.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'device.access_granted',
          targetType: 'device',
          targetId: deviceId,
          details: { userId },
        },
        m,
      );
      this.logger.log(`Device ${deviceId} granted to user ${userId} by ${actor.id}`);
    });
    const row = await this.grants.find(deviceId, userId);
    if (!row) throw errors.userNotFound(); // removed in between
    return toDto(row);
  }

  /**
   * Withdraws the grant (none: nothing to do, not audited). Once it commits, the withdrawal is
   * published: the technician's remote sessions still open on the device end at once.
   */
  async revoke(actor: AuthUser, deviceId: string, userId: string): Promise<void> {
    const withdrawn = await this.dataSource.transaction(async (m) => {
      await this.persistentDevice(deviceId, m);
      if (!(await this.grants.delete(deviceId, userId, m))) return false;
      await this.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'device.access_revoked',
          targetType: 'device',
          targetId: deviceId,
          details: { userId },
        },
        m,
      );
      this.logger.log(`Device ${deviceId} no longer granted to user ${userId} (by ${actor.id})`);
      return true;
    });
    if (withdrawn)
      this.withdrawals.publish({ kind: 'grant_withdrawn', userId, deviceIds: [deviceId], actorId: actor.id });
  }

  private async persistentDevice(deviceId: string, m?: EntityManager): Promise<void> {
    const kind = await this.grants.deviceKind(deviceId, m);
    if (!kind) throw errors.notFound();
    if (kind !== 'persistent') throw errors.notPersistent();
  }
}

function toDto(r: GrantRow): DeviceGrantDto {
  return {
    deviceId: r.deviceId,
    userId: r.userId,
    email: r.email,
    displayName: r.displayName,
    role: r.role,
    grantedAt: r.grantedAt.toISOString(),
    grantedBy: r.grantedBy,
  };
}
