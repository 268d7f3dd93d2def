import { Injectable } from '@nestjs/common';
import type { ConsentContext } from '../../contracts/agent-protocol/control-messages';
import type { ConsentPolicy } from '../../contracts/agent-protocol/enums';
import { CONSENT_SINCE, protocolAtLeast } from '../../contracts/agent-protocol/version';
import { cleanDisplayText } from '../../contracts/display-text';
import { AgentControlService } from '../agent-control/agent-control.service';
import type { AuthUser } from '../common/auth-user';
import { AppConfig } from '../config/app-config';
import { DevicesService } from '../devices/devices.service';
import type { RemoteSession } from './entities/remote-session.entity';

/**
 * What the device's consent prompt says (protocol 1.2): who asks (the requesting user's display name
 * from the portal's records), for which organisation, the session's reason, the device's consent
 * policy and how long the person has to answer. Sent only to agents that read it.
 */
@Injectable()
export class ConsentContexts {
  constructor(
    private readonly config: AppConfig,
    private readonly agents: AgentControlService,
    private readonly devices: DevicesService,
  ) {}

  /** The device's consent policy (quick-support devices always ask). */
  policyOf(deviceId: string): Promise<ConsentPolicy> {
    return this.devices.consentPolicy(deviceId);
  }

  /** Undefined for agents older than 1.2 (they do not ask). */
  async for(
    session: RemoteSession,
    actor: AuthUser,
    policy?: ConsentPolicy,
  ): Promise<ConsentContext | undefined> {
    const presence = this.agents.presence(session.deviceId);
    if (!presence || !protocolAtLeast(presence.protocolVersion, CONSENT_SINCE)) return undefined;
    const reason = session.reason ? cleanDisplayText(session.reason) : '';
    return {
      technician: cleanDisplayText(actor.displayName) || 'A technician',
      organisation: this.config.brand.name,
      ...(reason && { reason }),
      policy: policy ?? (await this.policyOf(session.deviceId)),
      timeoutSec: this.config.consentTimeoutSec,
    };
  }
}
