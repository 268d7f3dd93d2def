import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FILES_SINCE, protocolAtLeast } from '../../contracts/agent-protocol/version';
import { AgentControlService } from '../agent-control/agent-control.service';
import { AuditService } from '../audit/audit.service';
import type { RelayAccessDto } from './dto/remote-session.dto';
import type { RemoteProtocol, RemoteSession } from './entities/remote-session.entity';
import { RemoteSessionChannels, type ChannelRequester } from './remote-session-channels';
import { RemoteSessionQueries } from './remote-session.queries';
import { remoteSessionErrors as errors } from './remote-sessions.errors';

/** The session protocols a files channel joins: those whose agent runs on the device's own desktop. */
export const FILES_PROTOCOLS: readonly RemoteProtocol[] = ['web', 'ssh'];

/**
 * The files channel (protocol 1.4), opened on demand: a session starts with the channels of its
 * protocol, and the viewer's Files tab asks for this one when the technician first opens it. From then
 * on it is one of the session's channels like the others (its consent state, reconnects, ask-again).
 */
@Injectable()
export class RemoteSessionFiles {
  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: AgentControlService,
    private readonly audit: AuditService,
    private readonly queries: RemoteSessionQueries,
    private readonly channels: RemoteSessionChannels,
  ) {}

  /**
   * Adds `files` to the session and asks the device to open it (the device asks its person: the
   * channel's state goes `opening` → `asking` → `open`). The first time it is `remote_session.files_opened`;
   * when the session already has it, this is a reconnect of the files channel alone (the viewer's
   * Reconnect, or a second click), recorded as `remote_session.reconnected`. Either way the line is
   * written in the same transaction as the channel is added, before anything is asked of the device:
   * no line, no channel (503 `audit_unavailable`).
   */
  async open(session: RemoteSession, by: ChannelRequester): Promise<RelayAccessDto> {
    if (!FILES_PROTOCOLS.includes(session.protocol)) throw errors.filesUnavailable(session.protocol);
    const presence = this.agents.presence(session.deviceId);
    if (!presence) throw errors.deviceOffline();
    if (!protocolAtLeast(presence.protocolVersion, FILES_SINCE))
      throw errors.filesOutdated(presence.protocolVersion);
    if (presence.killSwitch) throw errors.killSwitch();

    const first = await this.dataSource.transaction(async (m) => {
      const added = await this.queries.addChannel(session.id, 'files', m);
      if (!added) {
        const row = await this.queries.findRow(session.id, m);
        if (!row) throw errors.notFound();
        if (row.status === 'ended') throw errors.ended();
      }
      await this.audit.recordOrRefuse(
        {
          actorType: 'user',
          actorId: by.actor.id,
          action: added ? 'remote_session.files_opened' : 'remote_session.reconnected',
          targetType: 'remote_session',
          targetId: session.id,
          details: { deviceId: session.deviceId, channels: ['files'] },
        },
        m,
      );
      return added;
    });
    const updated = (await this.queries.findRow(session.id)) ?? session;
    return this.channels.open(updated, by, first ? 'start' : 'reconnect', ['files']);
  }
}
