import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { InstallerOs } from '../../contracts/installer-template';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { deviceCredentialMatches, hashDeviceCredential, newDeviceCredential } from './device-credential';
import { DeviceEvents } from './device-events';
import { DeviceQueries } from './device.queries';
import { DevicePresence } from './device-presence';
import { DeviceDto } from './dto/device.dto';
import { deviceErrors as errors } from './devices.errors';
import { ConsentPolicy, Device, DeviceKind } from './entities/device.entity';

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
    private readonly dataSource: DataSource,
    private readonly devices: DeviceQueries,
    private readonly audit: AuditService,
    private readonly events: DeviceEvents,
    private readonly presence: DevicePresence,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.devices.clearOnline();
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
    const device = await this.devices.insert(
      { kind, ...facts, credentialHash: hashDeviceCredential(credential), supportSessionId },
      m,
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
    const row = await this.devices.findWithCredentialHash(deviceId);
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
    await this.devices.touch(deviceId);
  }

  /** Revokes the devices bound to a support session (inside the caller's transaction). */
  async revokeForSession(m: EntityManager, supportSessionId: string): Promise<string[]> {
    return this.devices.revokeForSession(supportSessionId, m);
  }

  findById(id: string): Promise<Device | null> {
    return this.devices.findById(id);
  }

  findByIds(ids: string[]): Promise<Device[]> {
    return this.devices.findByIds(ids);
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
    return this.devices.list(filter);
  }

  /**
   * The admin's consent policy for the device (a quick-support device: always `ask`), for the code
   * that opens channels. It is the portal's half: `notify` and `silent` also need the device's own
   * agent.json to allow them, which the agent checks. Throws `not_found` for an unknown device.
   */
  async consentPolicy(deviceId: string): Promise<ConsentPolicy> {
    const policy = await this.devices.consentPolicy(deviceId);
    if (policy === undefined) throw errors.notFound();
    return policy;
  }

  /**
   * Sets a persistent device's consent policy (admins; the route says who). A quick-support device
   * is refused (409): it always asks. The change and its audit row commit together, and the change is
   * refused with 503 `audit_unavailable` when the row cannot be written. Setting the policy it already
   * has changes nothing and is not audited again. Publishes device.updated after commit.
   */
  async setConsentPolicy(actor: AuthUser, deviceId: string, policy: ConsentPolicy): Promise<DeviceDto> {
    const changed = await this.dataSource.transaction(async (m) => {
      const current = await this.devices.lockConsentPolicy(deviceId, m);
      if (!current) throw errors.notFound();
      if (current.revoked) throw errors.gone();
      if (current.kind !== 'persistent') throw errors.quickAlwaysAsks();
      if (current.policy === policy) return false;
      await this.devices.setConsentPolicy(deviceId, policy, m);
      await this.audit.recordOrRefuse(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'device.consent_policy_changed',
          targetType: 'device',
          targetId: deviceId,
          details: { from: current.policy, to: policy },
        },
        m,
      );
      return true;
    });
    if (changed) {
      this.logger.log(`Device ${deviceId} consent policy set to ${policy} by ${actor.id}`);
      await this.publishUpdated([deviceId]);
    }
    const device = await this.findById(deviceId);
    if (!device) throw errors.notFound(); // removed in between
    return DeviceDto.from(device, this.presence.killSwitch(deviceId));
  }

  /** Publishes device.updated for devices changed elsewhere (e.g. revoked when a session ended). */
  async publishUpdated(ids: string[]): Promise<void> {
    const devices = await this.findByIds(ids);
    const sessions = await this.devices.supportSessionsOf(devices);
    for (const d of devices)
      this.events.publish({
        type: 'device.updated',
        device: DeviceDto.from(d, this.presence.killSwitch(d.id), sessions.get(d.id)),
      });
  }

  /** Devices as technicians see them, with their quick-support session's customer name. */
  async toDtos(devices: Device[]): Promise<DeviceDto[]> {
    const sessions = await this.devices.supportSessionsOf(devices);
    return devices.map((d) => DeviceDto.from(d, this.presence.killSwitch(d.id), sessions.get(d.id)));
  }

  private async setOnline(deviceId: string, online: boolean): Promise<void> {
    if (!(await this.devices.setOnline(deviceId, online))) return;
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
