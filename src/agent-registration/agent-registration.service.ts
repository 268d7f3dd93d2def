import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AGENT_CONTROL_PATH } from '../../contracts/agent-protocol/connection';
import { RegisterRequest, RegisterResponse } from '../../contracts/agent-protocol/registration';
import { AuditService } from '../audit/audit.service';
import { safeLogValue } from '../common/log-redaction';
import { AppConfig } from '../config/app-config';
import { DevicesService } from '../devices/devices.service';
import { InstallerTokensService } from '../installers/installer-tokens.service';
import { QuickSupportService } from '../quick-support/quick-support.service';

/**
 * Registration: redeems the installer token, creates the device and (quick-support) activates the
 * session — all in one transaction, so a failure anywhere leaves the token unused and nothing behind.
 */
@Injectable()
export class AgentRegistrationService {
  private readonly logger = new Logger(AgentRegistrationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: InstallerTokensService,
    private readonly devices: DevicesService,
    private readonly quickSupport: QuickSupportService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async register(req: RegisterRequest): Promise<RegisterResponse> {
    const { hostname, os, osVersion, arch, agentVersion, protocolVersion } = req;
    const result = await this.dataSource.transaction(async (m) => {
      const token = await this.tokens.lockForRedemption(m, req.installerToken, os);
      const kind = token.mode === 'quick' ? 'quick' : 'persistent';
      const { device, credential } = await this.devices.createInTransaction(
        m,
        kind,
        { hostname, os, osVersion, arch, agentVersion, protocolVersion },
        token.sessionId,
      );
      await this.tokens.markUsed(m, token.id, device.id);
      if (token.sessionId) await this.quickSupport.activateInTransaction(m, token.sessionId, device.id);
      await this.audit.record(
        {
          actorType: 'agent',
          actorId: device.id,
          action: 'device.registered',
          targetType: 'device',
          targetId: device.id,
          details: { kind, os, arch, agentVersion, protocolVersion, supportSessionId: token.sessionId },
        },
        m,
      );
      return { device, credential, sessionId: token.sessionId };
    });
    this.logger.log(
      `Device ${result.device.id} registered (${result.device.kind}, ${os}, "${safeLogValue(hostname, 80)}")`,
    );
    this.devices.publishRegistered(result.device);
    if (result.sessionId) await this.quickSupport.publishUpdated(result.sessionId);
    return { deviceId: result.device.id, deviceCredential: result.credential, controlUrl: this.controlUrl() };
  }

  /** The control channel's WebSocket URL on the portal's configured origin (never the Host header). */
  controlUrl(): string {
    return `${this.config.portalOrigin.replace(/^http/, 'ws')}${AGENT_CONTROL_PATH}`;
  }
}
