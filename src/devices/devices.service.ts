import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { InstallerOs } from '../../contracts/installer-template';
import { deviceReachSql, isAdmin } from '../access/access-rules';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { returningRows } from '../database/returning-rows';
import { deviceCredentialMatches, hashDeviceCredential, newDeviceCredential } from './device-credential';
import { DeviceEvents } from './device-events';
import { DevicePresence } from './device-presence';
import { DeviceDto } from './dto/device.dto';
import { Device, DeviceKind } from './entities/device.entity';

/** What an agent reports about its machine at registration (already validated and bounded). */
export interface DeviceFacts {
  hostname: string;
  os: InstallerOs;
  osVersion: string;
  arch: string;
  agentVersion: string;
  protocolVersion: string;
}

/** Any string of this length can never be a stored hash, so comparing with it always fails. */
const NO_HASH = '0'.repeat(64);

/**
 * The device registry: registration, credential checks for the control channel, online state.
 * Online state is a flag set by the control channel; a portal restart cannot know which agents are
 * still connected, so it clears every flag at boot and the agents' reconnects set them again.
 */
@Injectable()
export class DevicesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DevicesService.name);

  constructor(
    @InjectRepository(Device) private readonly devices: Repository<Device>,
    private readonly audit: AuditService,
    private readonly events: DeviceEvents,
    private readonly presence: DevicePresence,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.devices.update({ online: true }, { online: false });
  }

  /**
   * Creates a device inside the caller's transaction and returns it with its credential, which is
   * shown once (to the agent) and stored only hashed. Publish with {@link publishRegistered} after commit.
   */
  async createInTransaction(
    m: EntityManager,
    kind: DeviceKind,
    facts: DeviceFacts,
    supportSessionId: string | null,
  ): Promise<{ device: Device; credential: string }> {
    const credential = newDeviceCredential();
    const repo = m.getRepository(Device);
    const device = await repo.save(
      repo.create({
        kind,
        ...facts,
        credentialHash: hashDeviceCredential(credential),
        supportSessionId,
        online: false,
        lastSeenAt: new Date(),
        revokedAt: null,
      }),
    );
    return { device, credential };
  }

  publishRegistered(device: Device): void {
    this.events.publish({ type: 'device.registered', device: DeviceDto.from(device) });
  }

  /**
   * Checks a device credential in constant time. Returns the device when the credential is right, or
   * null (unknown device or wrong credential: the caller cannot tell which). A returned device with
   * `revokedAt` set may no longer connect: close its channel as "device gone" (4410).
   */
  async verifyCredential(deviceId: string, credential: string): Promise<Device | null> {
    if (!/^[0-9a-f-]{36}$/.test(deviceId) || typeof credential !== 'string' || credential.length > 200)
      return null;
    const row = await this.devices
      .createQueryBuilder('d')
      .addSelect('d.credentialHash')
      .where('d.id = :id', { id: deviceId })
      .getOne();
    const matches = deviceCredentialMatches(credential, row?.credentialHash ?? NO_HASH);
    return row && matches ? row : null;
  }

  async markOnline(deviceId: string): Promise<void> {
    await this.setOnline(deviceId, true);
  }

  async markOffline(deviceId: string): Promise<void> {
    await this.setOnline(deviceId, false);
  }

  /** Records that the agent was heard from (heartbeats), without an event. */
  async touch(deviceId: string): Promise<void> {
    await this.devices.update({ id: deviceId }, { lastSeenAt: new Date() });
  }

  /** Revokes the devices bound to a support session (inside the caller's transaction). */
  async revokeForSession(m: EntityManager, supportSessionId: string): Promise<string[]> {
    const rows = await returningRows<{ id: string }>(
      m,
      `UPDATE devices SET revoked_at = now(), online = false, updated_at = now()
        WHERE support_session_id = $1 AND revoked_at IS NULL RETURNING id`,
      [supportSessionId],
    );
    return rows.map((r) => r.id);
  }

  findById(id: string): Promise<Device | null> {
    return this.devices.findOne({ where: { id } });
  }

  findByIds(ids: string[]): Promise<Device[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.devices.createQueryBuilder('d').where('d.id IN (:...ids)', { ids }).getMany();
  }

  /**
   * Devices that may still connect, online first, then most recently seen. With `reachableBy`, only
   * those that user may reach (every device for an admin; see deviceReachSql).
   */
  list(filter: {
    online?: boolean;
    kind?: DeviceKind;
    limit?: number;
    reachableBy?: AuthUser;
  }): Promise<Device[]> {
    const qb = this.devices.createQueryBuilder('d').where('d.revoked_at IS NULL');
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

  /** Publishes device.updated for devices changed elsewhere (e.g. revoked when a session ended). */
  async publishUpdated(ids: string[]): Promise<void> {
    for (const d of await this.findByIds(ids))
      this.events.publish({
        type: 'device.updated',
        device: DeviceDto.from(d, this.presence.killSwitch(d.id)),
      });
  }

  private async setOnline(deviceId: string, online: boolean): Promise<void> {
    const rows = await returningRows<{ id: string }>(
      this.devices.manager,
      `UPDATE devices SET online = $2, last_seen_at = now(), updated_at = now()
        WHERE id = $1 AND online <> $2 AND (revoked_at IS NULL OR $2 = false) RETURNING id`,
      [deviceId, online],
    );
    if (rows.length === 0) return;
    await this.audit.record({
      actorType: 'agent',
      actorId: deviceId,
      action: online ? 'device.online' : 'device.offline',
      targetType: 'device',
      targetId: deviceId,
    });
    this.logger.log(`Device ${deviceId} ${online ? 'online' : 'offline'}`);
    await this.publishUpdated([deviceId]);
  }
}
