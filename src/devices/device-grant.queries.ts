import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { UserRole } from '../../contracts/api/users';
import { returningRows } from '../database/returning-rows';
import type { DeviceKind } from './entities/device.entity';

/** A grant with its technician's name, as the admin's list shows it. */
export interface GrantRow {
  deviceId: string;
  userId: string;
  email: string;
  displayName: string;
  role: UserRole;
  grantedAt: Date;
  grantedBy: string | null;
}

const SELECT_GRANTS = `
  SELECT g.device_id AS "deviceId", g.user_id AS "userId", u.email, u.display_name AS "displayName",
         u.role, g.created_at AS "grantedAt", g.granted_by AS "grantedBy"
    FROM device_grants g JOIN users u ON u.id = g.user_id`;

/**
 * Every read and write of `device_grants`: the joined reads and the idempotent insert and delete
 * (`… RETURNING`, so of two racing callers only one reports a change). Each takes the caller's
 * transaction as `m`, or runs on its own; audit lines and withdrawals are DeviceGrantsService's.
 */
@Injectable()
export class DeviceGrantQueries {
  constructor(private readonly dataSource: DataSource) {}

  list(deviceId: string, m?: EntityManager): Promise<GrantRow[]> {
    return this.db(m).query<GrantRow[]>(
      `${SELECT_GRANTS} WHERE g.device_id = $1 ORDER BY u.display_name, u.id`,
      [deviceId],
    );
  }

  async find(deviceId: string, userId: string, m?: EntityManager): Promise<GrantRow | null> {
    const rows = await this.db(m).query<GrantRow[]>(
      `${SELECT_GRANTS} WHERE g.device_id = $1 AND g.user_id = $2`,
      [deviceId, userId],
    );
    return rows[0] ?? null;
  }

  /** Inserts the grant; false when it already existed. */
  async insert(deviceId: string, userId: string, grantedBy: string, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `INSERT INTO device_grants (device_id, user_id, granted_by) VALUES ($1, $2, $3)
       ON CONFLICT (device_id, user_id) DO NOTHING RETURNING id`,
      [deviceId, userId, grantedBy],
    );
    return rows.length > 0;
  }

  /** Deletes the grant; false when there was none. */
  async delete(deviceId: string, userId: string, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `DELETE FROM device_grants WHERE device_id = $1 AND user_id = $2 RETURNING id`,
      [deviceId, userId],
    );
    return rows.length > 0;
  }

  /** The device's kind, or null when there is no such device. */
  async deviceKind(deviceId: string, m?: EntityManager): Promise<DeviceKind | null> {
    const rows = await this.db(m).query<{ kind: DeviceKind }[]>(`SELECT kind FROM devices WHERE id = $1`, [
      deviceId,
    ]);
    return rows[0]?.kind ?? null;
  }

  async userExists(userId: string, m?: EntityManager): Promise<boolean> {
    const rows = await this.db(m).query<unknown[]>(`SELECT 1 FROM users WHERE id = $1`, [userId]);
    return rows.length > 0;
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
