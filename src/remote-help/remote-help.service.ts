import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { REMOTE_HELP_SINCE, protocolAtLeast } from '../../contracts/agent-protocol/version';
import { AgentControlService } from '../agent-control/agent-control.service';
import { type AuditEntry, AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/auth-user';
import { DomainError, ErrorCode } from '../common/domain-error';
import { RemoteSessionsService } from '../remote-sessions/remote-sessions.service';
import { deviceErrors } from '../devices/devices.errors';
import { DevicesService } from '../devices/devices.service';
import type { Device } from '../devices/entities/device.entity';
import {
  RemoteHelpInstallDto,
  RemoteHelpStartDto,
  RemoteHelpStatusDto,
  RemoteHelpStopDto,
} from './dto/remote-help.dto';
import { remoteHelpError, remoteHelpErrors as errors } from './remote-help.errors';

/**
 * What the portal asks for. The agent checks it against its own allow-list whatever is sent; these are
 * simply the only values the portal ever sends.
 */
export const QUICK_ASSIST_EXECUTABLE = 'quickassist.exe';
export const QUICK_ASSIST_STORE_ID = '9P7BP5VNWKX5';

type Action = 'start' | 'stop' | 'install';

/**
 * `requested` is committed before the device is asked (fails closed: 503 `audit_unavailable`, nothing
 * sent). Stopping has none: it ends remote control, a safety action that never waits on the trail.
 * `done` and `refused` follow as best-effort rows (through the audit outbox if the trail refuses them).
 */
const AUDIT_ACTIONS: Record<Action, { requested: string | null; done: string; refused: string }> = {
  start: {
    requested: 'quick_assist.start_requested',
    done: 'quick_assist.started',
    refused: 'quick_assist.start_refused',
  },
  stop: { requested: null, done: 'quick_assist.stopped', refused: 'quick_assist.stop_refused' },
  install: {
    requested: 'quick_assist.install_requested',
    done: 'quick_assist.install_started',
    refused: 'quick_assist.install_refused',
  },
};

/**
 * The Quick Assist concierge, portal side: readiness, launch, stop and install on a device, through its
 * agent. Every start, stop and install — requested, done or refused — is in the audit trail with the
 * technician, on the device and, when one is open, on the device's remote session. Start and install
 * reach the device only once their `requested` row is committed.
 */
@Injectable()
export class RemoteHelpService {
  private readonly logger = new Logger(RemoteHelpService.name);

  constructor(
    private readonly devices: DevicesService,
    private readonly agents: AgentControlService,
    private readonly audit: AuditService,
    private readonly remoteSessions: RemoteSessionsService,
    private readonly dataSource: DataSource,
  ) {}

  /** Read-only: answered even while the device's kill switch is on. */
  async status(deviceId: string): Promise<RemoteHelpStatusDto> {
    const device = await this.reachableDevice(deviceId);
    const state = await this.agents.remoteHelpStatus(device.id).catch((err: unknown) => {
      throw remoteHelpError(err);
    });
    return {
      deviceId: device.id,
      os: device.os,
      supported: device.os === 'windows',
      installed: state.installed,
      version: state.version,
      internetOk: state.internet_ok,
      interactiveSession: state.interactive_session,
      killSwitch: this.agents.presence(device.id)?.killSwitch ?? false,
      checkedAt: new Date().toISOString(),
    };
  }

  async start(actor: AuthUser, deviceId: string): Promise<RemoteHelpStartDto> {
    return this.act(actor, deviceId, 'start', async (device, remoteSessionId) => {
      const started = await this.agents.remoteHelpStart(device.id, QUICK_ASSIST_EXECUTABLE);
      const result = { launched: started.launched, pid: started.pid, note: started.note, remoteSessionId };
      return { result, details: { launched: started.launched, pid: started.pid } };
    });
  }

  async stop(actor: AuthUser, deviceId: string): Promise<RemoteHelpStopDto> {
    return this.act(actor, deviceId, 'stop', async (device, remoteSessionId) => {
      const { stopped } = await this.agents.remoteHelpStop(device.id, QUICK_ASSIST_EXECUTABLE);
      return { result: { stopped, remoteSessionId }, details: { stopped } };
    });
  }

  /** Quick Assist missing: winget installs it from the Microsoft Store on the user's desktop. */
  async install(actor: AuthUser, deviceId: string): Promise<RemoteHelpInstallDto> {
    return this.act(actor, deviceId, 'install', async (device, remoteSessionId) => {
      const started = await this.agents.wingetInstall(device.id, QUICK_ASSIST_STORE_ID);
      return {
        result: { packageId: started.packageId, pid: started.pid, note: started.note, remoteSessionId },
        details: { packageId: started.packageId },
      };
    });
  }

  /** Runs one mutating request and records its outcome, whichever it is. */
  private async act<T>(
    actor: AuthUser,
    deviceId: string,
    action: Action,
    run: (
      device: Device,
      remoteSessionId: string | null,
    ) => Promise<{ result: T; details: Record<string, unknown> }>,
  ): Promise<T> {
    const device = await this.devices.findById(deviceId);
    if (!device) throw deviceErrors.notFound();
    const remoteSessionId = await this.remoteSessions.latestOpenIdForDevice(device.id);
    const { requested, done, refused } = AUDIT_ACTIONS[action];
    try {
      this.checkReachable(device);
      if (requested) await this.record(actor, device.id, remoteSessionId, requested, {}, 'refuse');
      const { result, details } = await run(device, remoteSessionId);
      await this.record(actor, device.id, remoteSessionId, done, details, 'defer');
      return result;
    } catch (caught) {
      const err = remoteHelpError(caught);
      if (err instanceof DomainError && err.code !== ErrorCode.AuditUnavailable) {
        const details = { code: err.code, message: err.message.slice(0, 500) };
        await this.record(actor, device.id, remoteSessionId, refused, details, 'defer');
      }
      throw err;
    }
  }

  private async reachableDevice(deviceId: string): Promise<Device> {
    const device = await this.devices.findById(deviceId);
    if (!device) throw deviceErrors.notFound();
    this.checkReachable(device);
    return device;
  }

  /** Removed, offline, or an agent too old to know the remote-help messages: refuse before asking. */
  private checkReachable(device: Device): void {
    if (device.revokedAt) throw deviceErrors.gone();
    const presence = this.agents.presence(device.id);
    if (!presence) throw errors.deviceOffline();
    if (!protocolAtLeast(presence.protocolVersion, REMOTE_HELP_SINCE))
      throw errors.agentOutdated(presence.protocolVersion);
  }

  /**
   * One row on the device, and one on the open remote session when there is one, together. `refuse`:
   * committed when this resolves, else 503 `audit_unavailable`. `defer`: never fails the request.
   */
  private async record(
    actor: AuthUser,
    deviceId: string,
    remoteSessionId: string | null,
    action: string,
    details: Record<string, unknown>,
    mode: 'refuse' | 'defer',
  ): Promise<void> {
    const onDevice: AuditEntry = {
      actorType: 'user',
      actorId: actor.id,
      action,
      targetType: 'device',
      targetId: deviceId,
      details: { ...details, remoteSessionId },
    };
    const onSession: AuditEntry | null = remoteSessionId
      ? {
          actorType: 'user',
          actorId: actor.id,
          action,
          targetType: 'remote_session',
          targetId: remoteSessionId,
          details: { ...details, deviceId },
        }
      : null;
    try {
      await this.dataSource.transaction(async (m) => {
        for (const entry of onSession ? [onDevice, onSession] : [onDevice]) {
          if (mode === 'refuse') await this.audit.recordOrRefuse(entry, m);
          else await this.audit.recordOrDefer(entry, m);
        }
      });
    } catch (err) {
      if (mode === 'refuse') throw err;
      this.logger.error(
        `Could not record ${action} on device ${deviceId}: ${err instanceof Error ? err.message : 'unknown error'}`,
      );
    }
  }
}
