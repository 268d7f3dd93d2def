import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { DataSource } from 'typeorm';
import { AgentControlService } from '../agent-control/agent-control.service';
import { AuditService } from '../audit/audit.service';
import type { AuditActorType } from '../audit/entities/audit-event.entity';
import { CommandRecorder } from '../recordings/command-recorder';
import { RelayControlService } from '../relay-link/relay-control.service';
import type { EndReason } from './entities/remote-session.entity';
import { RemoteCommandsService } from './remote-commands.service';
import { RemoteSessionEvents } from './remote-session-events';
import { RemoteSessionQueries } from './remote-session.queries';

export interface EndActor {
  actorType: AuditActorType;
  actorId?: string;
}

/**
 * The one state transition every end path converges on: viewer or API end, relay TTL and pair
 * timeout, the agent leaving, the quick-support session ending, the device going away. It is guarded
 * in SQL, so whichever path comes first records the reason and time — once — and the rest are no-ops.
 * The winner then tells the relay and the agent (best effort: both also time out on their own), and
 * has the agent cancel every command still running in the session: nothing the technician started
 * outlives the session, whatever ended it (a revoked technician's `sleep 600; rm …` included).
 */
@Injectable()
export class RemoteSessionEndingService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RemoteSessionEndingService.name);
  private readonly subs = new Subscription();

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly queries: RemoteSessionQueries,
    private readonly events: RemoteSessionEvents,
    private readonly relay: RelayControlService,
    private readonly agents: AgentControlService,
    private readonly commands: RemoteCommandsService,
    private readonly recorder: CommandRecorder,
  ) {}

  /**
   * A required commands recording (written by the portal) failed mid-command: the session ends with
   * `recording_failed`, which cancels what still runs in it, as the relay does for its channels.
   */
  onModuleInit(): void {
    this.subs.add(
      this.recorder.failures$.subscribe((f) => {
        this.logger.warn(`Remote session ${f.sessionId} ends: its commands recording failed (${f.message})`);
        void this.end(f.sessionId, 'recording_failed', { actorType: 'system' }).catch((err: unknown) =>
          this.logger.error(`Could not end remote session ${f.sessionId}: ${String(err)}`),
        );
      }),
    );
  }

  onModuleDestroy(): void {
    this.subs.unsubscribe();
  }

  /**
   * Ends the session; returns false when it had already ended (nothing is recorded twice).
   * `onlyIfNeverConnected` ends it only while it is still pending (a pair timeout after the viewer
   * once connected is a reconnect that did not happen, not the end of the session).
   */
  async end(
    id: string,
    reason: EndReason,
    actor: EndActor,
    opts: { onlyIfNeverConnected?: boolean } = {},
  ): Promise<boolean> {
    const ended = await this.dataSource.transaction(async (m) => {
      const row = await this.queries.end(id, reason, { onlyIfPending: opts.onlyIfNeverConnected }, m);
      if (!row) return null;
      // Ending is a safety action: it commits even when the audit trail refuses the line, which then
      // follows through the outbox.
      await this.audit.recordOrDefer(
        {
          actorType: actor.actorType,
          actorId: actor.actorId ?? null,
          action: 'remote_session.ended',
          targetType: 'remote_session',
          targetId: id,
          details: { reason },
        },
        m,
      );
      return row.deviceId;
    });
    if (!ended) return false;
    this.logger.log(`Remote session ${id} ended (${reason})`);
    this.events.publish({ type: 'remote_session.updated', session: await this.queries.dto(id) });
    await Promise.all([
      this.relay
        .closeSession(id, 'session ended')
        .catch((err: unknown) => this.logger.warn(`Relay not told of ${id} ending: ${String(err)}`)),
      this.agents.isConnected(ended)
        ? this.agents
            .closeChannel(ended, id, undefined, 'session ended')
            .catch((err: unknown) => this.logger.debug(`Agent not told of ${id} ending: ${String(err)}`))
        : Promise.resolve(),
      this.commands.cancelForSession(id, actor),
    ]);
    return true;
  }

  /** First pairing on any channel: pending → active (guarded, so only the first counts). */
  async markConnected(id: string): Promise<void> {
    if (await this.queries.markConnected(id))
      this.events.publish({ type: 'remote_session.updated', session: await this.queries.dto(id) });
  }
}
