import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessWithdrawals } from '../access/access-withdrawals';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { returningRows } from '../database/returning-rows';
import { deviceErrors as errors } from './devices.errors';
import { DeviceGrantDto } from './dto/device-grant.dto';

interface GrantRow {
  deviceId: string;
  userId: string;
  email: string;
  displayName: string;
  role: 'admin' | 'technician';
  grantedAt: Date;
  grantedBy: string | null;
}

const SELECT_GRANTS = `
  SELECT g.device_id AS "deviceId", g.user_id AS "userId", u.email, u.display_name AS "displayName",
         u.role, g.created_at AS "grantedAt", g.granted_by AS "grantedBy"
    FROM device_grants g JOIN users u ON u.id = g.user_id`;

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
    private readonly audit: AuditService,
    private readonly withdrawals: AccessWithdrawals,
  ) {}

  async list(deviceId: string): Promise<DeviceGrantDto[]> {
    await this.persistentDevice(this.dataSource.manager, deviceId);
    const rows = await this.dataSource.query<GrantRow[]>(
      `${SELECT_GRANTS} WHERE g.device_id = $1 ORDER BY u.display_name, u.id`,
      [deviceId],
    );
    return rows.map(toDto);
  }

  /** Grants the device to the user (already granted: unchanged, not audited again). */
  async grant(actor: AuthUser, deviceId: string, userId: string): Promise<DeviceGrantDto> {
    await this.dataSource.transaction(async (m) => {
      await this.persistentDevice(m, deviceId);
      const user = await m.query<unknown[]>(`SELECT 1 FROM users WHERE id = $1`, [userId]);
      if (user.length === 0) throw errors.userNotFound();
      const inserted = await returningRows<{ id: string }>(
        m,
        `INSERT INTO device_grants (device_id, user_id, granted_by) VALUES ($1, $2, $3)
         ON CONFLICT (device_id, user_id) DO NOTHING RETURNING id`,
        [deviceId, userId, actor.id],
      );
      if (inserted.length === 0) return;
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
    const rows = await this.dataSource.query<GrantRow[]>(
      `${SELECT_GRANTS} WHERE g.device_id = $1 AND g.user_id = $2`,
      [deviceId, userId],
    );
    if (!rows[0]) throw errors.userNotFound(); // removed in between
    return toDto(rows[0]);
  }

  /**
   * Withdraws the grant (none: nothing to do, not audited). Once it commits, the withdrawal is
   * published: the technician's remote sessions still open on the device end at once.
   */
  async revoke(actor: AuthUser, deviceId: string, userId: string): Promise<void> {
    const withdrawn = await this.dataSource.transaction(async (m) => {
      await this.persistentDevice(m, deviceId);
      const removed = await returningRows<{ id: string }>(
        m,
        `DELETE FROM device_grants WHERE device_id = $1 AND user_id = $2 RETURNING id`,
        [deviceId, userId],
      );
      if (removed.length === 0) return false;
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

  private async persistentDevice(m: EntityManager, deviceId: string): Promise<void> {
    const rows = await m.query<{ kind: string }[]>(`SELECT kind FROM devices WHERE id = $1`, [deviceId]);
    if (!rows[0]) throw errors.notFound();
    if (rows[0].kind !== 'persistent') throw errors.notPersistent();
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
