import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth-user';
import { deviceReachSql, isAdmin } from '../access/access-rules';
import { returningRows } from '../database/returning-rows';
import type { DeviceSupportSessionView } from '../../contracts/api/devices';
import { ConsentPolicy, Device, DeviceKind } from './entities/device.entity';

export type NewDevice = Pick<
  Device,
  | 'kind'
  | 'hostname'
  | 'os'
  | 'osVersion'
  | 'arch'
  | 'agentVersion'
  | 'protocolVersion'
  | 'credentialHash'
  | 'supportSessionId'
>;

/**
 * Every read and write of `devices`: the insert, the guarded online/offline and revoke transitions
 * (`UPDATE … WHERE … RETURNING`, so only a real change is reported), the lookups and the list. Each
 * takes the caller's transaction as `m`, or runs on its own; audit lines and events are the services'.
 */
@Injectable()
export class DeviceQueries {
  constructor(private readonly dataSource: DataSource) {}

  insert(v: NewDevice, m?: EntityManager): Promise<Device> {
    const repo = this.db(m).getRepository(Device);
    return repo.save(repo.create({ ...v, online: false, lastSeenAt: new Date(), revokedAt: null }));
  }

  /** Clears every online flag (at boot: no agent is connected to this process yet). */
  async clearOnline(m?: EntityManager): Promise<void> {
    await this.db(m).getRepository(Device).update({ online: true }, { online: false });
  }

  /**
   * Sets the online flag; false when it already had that value (or the device is revoked and asks to
   * go online), so only one caller reports the change.
   */
  async setOnline(id: string, online: boolean, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE devices SET online = $2, last_seen_at = now(), updated_at = now()
        WHERE id = $1 AND online <> $2 AND (revoked_at IS NULL OR $2 = false) RETURNING id`,
      [id, online],
    );
    return rows.length > 0;
  }

  async touch(id: string, m?: EntityManager): Promise<void> {
    await this.db(m).getRepository(Device).update({ id }, { lastSeenAt: new Date() });
  }

  /** Revokes the devices bound to a support session that are not yet revoked; returns their ids. */
  async revokeForSession(supportSessionId: string, m?: EntityManager): Promise<string[]> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE devices SET revoked_at = now(), online = false, updated_at = now()
        WHERE support_session_id = $1 AND revoked_at IS NULL RETURNING id`,
      [supportSessionId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The device's kind, consent policy and whether it is revoked, its row locked until `m` commits
   * (so two admins changing the policy at once are recorded one after the other). Undefined: no device.
   */
  async lockConsentPolicy(
    id: string,
    m: EntityManager,
  ): Promise<{ kind: DeviceKind; policy: ConsentPolicy; revoked: boolean } | undefined> {
    const rows = await m.query<{ kind: DeviceKind; policy: ConsentPolicy; revoked: boolean }[]>(
      `SELECT kind, consent_policy AS policy, revoked_at IS NOT NULL AS revoked FROM devices
        WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0];
  }

  /** Sets a persistent device's consent policy; false when there is no such persistent device. */
  async setConsentPolicy(id: string, policy: ConsentPolicy, m?: EntityManager): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(
      this.db(m),
      `UPDATE devices SET consent_policy = $2, updated_at = now()
        WHERE id = $1 AND kind = 'persistent' RETURNING id`,
      [id, policy],
    );
    return rows.length > 0;
  }

  /** The device's consent policy; undefined when there is no such device. */
  async consentPolicy(id: string, m?: EntityManager): Promise<ConsentPolicy | undefined> {
    const rows = await this.db(m).query<{ policy: ConsentPolicy }[]>(
      `SELECT consent_policy AS policy FROM devices WHERE id = $1`,
      [id],
    );
    return rows[0]?.policy;
  }

  /** The device with its credential hash (which no other read selects). */
  findWithCredentialHash(id: string, m?: EntityManager): Promise<Device | null> {
    return this.db(m)
      .getRepository(Device)
      .createQueryBuilder('d')
      .addSelect('d.credentialHash')
      .where('d.id = :id', { id })
      .getOne();
  }

  findById(id: string, m?: EntityManager): Promise<Device | null> {
    return this.db(m).getRepository(Device).findOne({ where: { id } });
  }

  findByIds(ids: string[], m?: EntityManager): Promise<Device[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db(m)
      .getRepository(Device)
      .createQueryBuilder('d')
      .where('d.id IN (:...ids)', { ids })
      .getMany();
  }

  /**
   * Devices that may still connect, online first, then most recently seen. With `reachableBy`, only
   * those that user may reach (every device for an admin; see deviceReachSql).
   */
  list(
    filter: { online?: boolean; kind?: DeviceKind; limit?: number; reachableBy?: AuthUser },
    m?: EntityManager,
  ): Promise<Device[]> {
    const qb = this.db(m).getRepository(Device).createQueryBuilder('d').where('d.revoked_at IS NULL');
    if (filter.reachableBy && !isAdmin(filter.reachableBy))
      qb.andWhere(deviceReachSql('d', ':viewerId'), { viewerId: filter.reachableBy.id });
    if (filter.online !== undefined) qb.andWhere('d.online = :online', { online: filter.online });
    if (filter.kind) qb.andWhere('d.kind = :kind', { kind: filter.kind });
    return qb
      .orderBy('d.online', 'DESC')
      .addOrderBy('d.last_seen_at', 'DESC', 'NULLS LAST')
      .limit(filter.limit ?? 100)
      .getMany();
  }

  /**
   * The quick-support sessions of these devices (customer name, created), by device id; devices of
   * no session are left out. One indexed read by primary key.
   */
  async supportSessionsOf(
    devices: Device[],
    m?: EntityManager,
  ): Promise<Map<string, DeviceSupportSessionView>> {
    const ids = [
      ...new Set(devices.map((d) => d.supportSessionId).filter((id): id is string => id !== null)),
    ];
    if (ids.length === 0) return new Map();
    const rows = await this.db(m).query<{ id: string; customerName: string | null; createdAt: Date }[]>(
      `SELECT id, customer_name AS "customerName", created_at AS "createdAt" FROM support_sessions
        WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out = new Map<string, DeviceSupportSessionView>();
    for (const d of devices) {
      const row = d.supportSessionId ? byId.get(d.supportSessionId) : undefined;
      if (row)
        out.set(d.id, { id: row.id, customerName: row.customerName, createdAt: row.createdAt.toISOString() });
    }
    return out;
  }

  private db(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }
}
