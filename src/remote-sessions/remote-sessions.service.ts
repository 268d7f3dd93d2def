import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ChannelKind } from '../../contracts/agent-protocol/enums';
import { accessErrors } from '../access/access.errors';
import { AccessService } from '../access/access.service';
import { AgentControlService } from '../agent-control/agent-control.service';
import { AuditService } from '../audit/audit.service';
import { LiveLoginsService } from '../auth/live-logins.service';
import type { AuthUser } from '../common/auth-user';
import { commonErrors } from '../common/common.errors';
import { AppConfig } from '../config/app-config';
import { deviceErrors } from '../devices/devices.errors';
import { DevicesService } from '../devices/devices.service';
import type { Device } from '../devices/entities/device.entity';
import { RelayTokenService } from '../relay-link/relay-token.service';
import {
  CreateRemoteSessionDto,
  RelayAccessDto,
  RemoteSessionDto,
  StartedRemoteSessionDto,
} from './dto/remote-session.dto';
import type { RemoteProtocol } from './entities/remote-session.entity';
import { RemoteSessionChannels, type ChannelRequester } from './remote-session-channels';
import { RemoteSessionEndingService } from './remote-session-ending.service';
import { RemoteSessionFiles } from './remote-session-files';
import { RemoteSessionEvents } from './remote-session-events';
import { RemoteSessionQueries } from './remote-session.queries';
import { remoteSessionErrors as errors } from './remote-sessions.errors';

/** Relay channels per protocol: Web is screen and shell, VNC the screen, SSH the shell. */
export function channelsFor(protocol: RemoteProtocol, os: string): ChannelKind[] {
  switch (protocol) {
    case 'web':
      return os === 'windows' ? ['screen'] : ['screen', 'shell'];
    case 'vnc':
      return ['screen'];
    case 'ssh':
      if (os === 'windows') throw errors.shellUnsupported();
      return ['shell'];
    case 'rdp':
      throw errors.rdpUnavailable();
  }
}

/**
 * Starting a remote session and handing the technician's viewer its relay access. Ending lives in
 * {@link RemoteSessionEndingService}; listing in {@link RemoteSessionQueries}.
 */
@Injectable()
export class RemoteSessionsService {
  private readonly logger = new Logger(RemoteSessionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly devices: DevicesService,
    private readonly agents: AgentControlService,
    private readonly relayTokens: RelayTokenService,
    private readonly audit: AuditService,
    private readonly queries: RemoteSessionQueries,
    private readonly ending: RemoteSessionEndingService,
    private readonly events: RemoteSessionEvents,
    private readonly logins: LiveLoginsService,
    private readonly access: AccessService,
    private readonly channels: RemoteSessionChannels,
    private readonly files: RemoteSessionFiles,
    private readonly config: AppConfig,
  ) {}

  /**
   * Creates the session (pending), has the agent dial the relay for each channel, and returns the
   * technician's tokens. If the agent cannot open every channel, the session ends at once. The route
   * has already checked that the caller may reach the device (src/access).
   *
   * `loginSessionId` is the login making the request. It held when the request passed the guard, but
   * a revocation can commit while the request runs; once the session is committed the login is checked
   * again, so either the revocation's handler sees the session or this check sees the revocation.
   * Reach to the device is checked again the same way: a grant withdrawn or a quick-support session
   * reassigned meanwhile ends the session as `access_withdrawn` (403).
   */
  async start(
    actor: AuthUser,
    dto: CreateRemoteSessionDto,
    loginSessionId: string,
  ): Promise<StartedRemoteSessionDto> {
    // Policy `off` refuses a request to record (400 recording_off) rather than dropping it silently;
    // under `required` every session is recorded, whatever the form said.
    const policy = this.config.recording.policy;
    if (policy === 'off' && dto.recordingEnabled) throw errors.recordingOff();
    const recordingEnabled = policy === 'required' || dto.recordingEnabled;
    const device = await this.usableDevice(dto.deviceId);
    const channels = channelsFor(dto.protocol, device.os);
    if (this.agents.presence(device.id)?.killSwitch) throw errors.killSwitch();
    // Nobody would be there to answer: a device that asks takes attended sessions only.
    if (dto.type === 'unattended' && this.requester(actor, device).policy === 'ask')
      throw errors.consentRequired();

    const session = await this.dataSource.transaction(async (m) => {
      const created = await this.queries.insert(
        {
          deviceId: device.id,
          technicianId: actor.id,
          type: dto.type,
          protocol: dto.protocol,
          reason: dto.reason ?? null,
          recordingEnabled,
          channels,
          relayUrl: this.relayTokens.relayUrl,
        },
        m,
      );
      // Fails closed: no row in the trail, no session and nothing asked of the device (503).
      await this.audit.recordOrRefuse(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'remote_session.started',
          targetType: 'remote_session',
          targetId: created.id,
          details: {
            deviceId: device.id,
            protocol: dto.protocol,
            type: dto.type,
            recordingEnabled,
          },
        },
        m,
      );
      return created;
    });
    const dto0 = await this.queries.dto(session.id);
    this.events.publish({ type: 'remote_session.created', session: dto0 });

    try {
      if (!(await this.logins.isLive(actor.id, loginSessionId))) {
        await this.ending.end(session.id, 'technician_revoked', { actorType: 'system' });
        throw commonErrors.notLoggedIn();
      }
      if (!(await this.access.canReachDevice(actor, device.id))) {
        await this.ending.end(session.id, 'access_withdrawn', { actorType: 'system' });
        throw accessErrors.deviceAccessDenied();
      }
      // Returns at once: each channel's state follows as the person at the device decides.
      const relay = await this.channels.open(session, this.requester(actor, device), 'start');
      return { session: await this.queries.dto(session.id), relay };
    } catch (err) {
      await this.ending.end(session.id, 'channel_failed', { actorType: 'system' });
      throw err;
    }
  }

  /**
   * Fresh access for the viewer (tokens live at most 10 minutes, and each is usable once): the agent
   * is asked to dial again for every channel, and the technician gets new tokens to meet it. Who may
   * (the session's technician or an admin) is the route's rule (src/access). As for a start, the login
   * is checked again after the audit row commits and before the agent is asked anything; if it is gone
   * and the session is the caller's own, the session ends as the revocation would have ended it.
   */
  async reconnect(actor: AuthUser, id: string, loginSessionId: string): Promise<RelayAccessDto> {
    const session = await this.queries.findRow(id);
    if (!session) throw errors.notFound();
    if (session.status === 'ended') throw errors.ended();
    await this.usableDevice(session.deviceId);
    // The agent dials again for every channel: recorded first, or not done at all (503).
    await this.audit.recordOrRefuse({
      actorType: 'user',
      actorId: actor.id,
      action: 'remote_session.reconnected',
      targetType: 'remote_session',
      targetId: session.id,
      details: { deviceId: session.deviceId, channels: session.channels },
    });
    if (!(await this.logins.isLive(actor.id, loginSessionId))) {
      if (session.technicianId === actor.id)
        await this.ending.end(session.id, 'technician_revoked', { actorType: 'system' });
      throw commonErrors.notLoggedIn();
    }
    const device = await this.usableDevice(session.deviceId);
    return this.channels.open(session, this.requester(actor, device), 'reconnect');
  }

  /**
   * Asks the person at the device again for one channel after a no (rate-limited, see
   * RemoteSessionChannels.askAgain). Who may is the route's rule, as for a reconnect.
   */
  async askAgain(
    actor: AuthUser,
    id: string,
    channel: string,
    loginSessionId: string,
  ): Promise<RelayAccessDto> {
    const session = await this.queries.findRow(id);
    if (!session) throw errors.notFound();
    if (session.status === 'ended') throw errors.ended();
    const device = await this.usableDevice(session.deviceId);
    if (!(await this.logins.isLive(actor.id, loginSessionId))) throw commonErrors.notLoggedIn();
    return this.channels.askAgain(session, channel, this.requester(actor, device));
  }

  /**
   * Opens the session's shell again without the login profile (see RemoteSessionChannels.plainShell).
   * Who may is the route's rule, as for a reconnect.
   */
  async plainShell(actor: AuthUser, id: string, loginSessionId: string): Promise<RelayAccessDto> {
    const session = await this.queries.findRow(id);
    if (!session) throw errors.notFound();
    if (session.status === 'ended') throw errors.ended();
    const device = await this.usableDevice(session.deviceId);
    if (!(await this.logins.isLive(actor.id, loginSessionId))) throw commonErrors.notLoggedIn();
    return this.channels.plainShell(session, this.requester(actor, device));
  }

  /**
   * Opens the session's files channel, or reopens it (see RemoteSessionFiles.open). Who may is the
   * route's rule, as for a reconnect.
   */
  async openFiles(actor: AuthUser, id: string, loginSessionId: string): Promise<RelayAccessDto> {
    const session = await this.queries.findRow(id);
    if (!session) throw errors.notFound();
    if (session.status === 'ended') throw errors.ended();
    const device = await this.usableDevice(session.deviceId);
    if (!(await this.logins.isLive(actor.id, loginSessionId))) throw commonErrors.notLoggedIn();
    return this.files.open(session, this.requester(actor, device));
  }

  /** Shows one of the device's monitors on the screen (RemoteSessionChannels.selectMonitor). */
  async selectMonitor(
    actor: AuthUser,
    id: string,
    monitor: number | null,
    loginSessionId: string,
  ): Promise<RelayAccessDto> {
    const session = await this.queries.findRow(id);
    if (!session) throw errors.notFound();
    if (session.status === 'ended') throw errors.ended();
    const device = await this.usableDevice(session.deviceId);
    if (!(await this.logins.isLive(actor.id, loginSessionId))) throw commonErrors.notLoggedIn();
    return this.channels.selectMonitor(session, monitor, this.requester(actor, device));
  }

  /** The device's newest session that has not ended (what a Quick Assist action belongs to). */
  latestOpenIdForDevice(deviceId: string): Promise<string | null> {
    return this.queries.latestOpenIdForDevice(deviceId);
  }

  async get(id: string): Promise<RemoteSessionDto> {
    return this.queries.dto(id);
  }

  /** Who asks, and under which consent policy (quick-support devices always ask). */
  private requester(actor: AuthUser, device: Device): ChannelRequester {
    return { actor, policy: device.kind === 'quick' ? 'ask' : device.consentPolicy };
  }

  private async usableDevice(id: string): Promise<Device> {
    const device = await this.devices.findById(id);
    if (!device) throw deviceErrors.notFound();
    if (device.revokedAt) throw deviceErrors.gone();
    if (!this.agents.isConnected(device.id)) throw errors.deviceOffline();
    return device;
  }
}
