import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Subscription } from 'rxjs';
import type { RelayEvent } from '../../contracts/relay-events';
import { AccessWithdrawal, AccessWithdrawals } from '../access/access-withdrawals';
import { AgentControlService } from '../agent-control/agent-control.service';
import { LiveLoginsService } from '../auth/live-logins.service';
import { AppConfig } from '../config/app-config';
import { ScheduledJobs } from '../metrics/scheduled-jobs';
import { QuickSupportEvents } from '../quick-support/quick-support-events';
import { RelayEventsService } from '../relay-link/relay-events.service';
import { AccountRevocation, AccountRevocations } from '../users/account-revocations';
import type { EndReason } from './entities/remote-session.entity';
import { RemoteSessionEndingService } from './remote-session-ending.service';
import { RemoteSessionQueries } from './remote-session.queries';

/** The periodic sweep's name in the scheduler and in portal_scheduled_job_runs_total. */
const SWEEP_JOB = 'remote-session-sweep';

/** Relay close reasons that end the whole remote session (others, like a viewer reload, do not). */
const RELAY_END_REASONS: Readonly<Record<string, EndReason>> = {
  ttl_reached: 'ttl_reached',
  session_ttl: 'ttl_reached',
  pair_timeout: 'pair_timeout',
  recording_failed: 'recording_failed',
};

/**
 * Makes session state follow reality: relay events (paired → active; TTL and pair timeout → ended),
 * the agent saying goodbye, the quick-support session ending, the technician losing access (logout,
 * disabled, removed, role changed, password reset or changed), the technician losing reach to the
 * device (grant withdrawn, quick-support session reassigned), and a sweep for sessions older than the
 * relay's maximum pair lifetime, whose technician no longer holds any login, or who no longer reaches
 * the device.
 */
@Injectable()
export class RemoteSessionLifecycle implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RemoteSessionLifecycle.name);
  private readonly subs = new Subscription();

  constructor(
    private readonly config: AppConfig,
    private readonly ending: RemoteSessionEndingService,
    private readonly queries: RemoteSessionQueries,
    private readonly relayEvents: RelayEventsService,
    private readonly agents: AgentControlService,
    private readonly quickSupport: QuickSupportEvents,
    private readonly revocations: AccountRevocations,
    private readonly logins: LiveLoginsService,
    private readonly withdrawals: AccessWithdrawals,
    private readonly jobs: ScheduledJobs,
  ) {}

  onModuleInit(): void {
    this.subs.add(this.relayEvents.events$.subscribe((e) => this.guard(this.onRelayEvent(e))));
    this.subs.add(
      this.agents.events.subscribe((e) => {
        // Ctrl-C or End now on the device: its person ended it (the channels closed there first).
        if (e.type === 'agent.message' && e.message.type === 'goodbye')
          this.guard(
            this.endForDevices(
              [e.deviceId],
              e.message.reason === 'user_exit' ? 'ended_on_device' : 'agent_gone',
            ),
          );
      }),
    );
    this.subs.add(
      this.quickSupport.stream.subscribe((e) => {
        if (e.type === 'session.ended') this.guard(this.endForDevices(e.deviceIds, 'quick_support_ended'));
      }),
    );
    this.subs.add(this.revocations.stream.subscribe((e) => this.guard(this.onRevoked(e))));
    this.subs.add(this.withdrawals.stream.subscribe((e) => this.guard(this.onWithdrawn(e))));
  }

  onModuleDestroy(): void {
    this.subs.unsubscribe();
  }

  /**
   * Every minute: nothing can still flow through a session older than the relay's pair TTL, and none
   * may stay open for a technician who was removed or disabled, or who holds no login any more (signed
   * out, or every login deleted by a password reset or role change) — in case the revocation event was
   * missed: another portal instance, a restart between commit and event, or a session whose start
   * committed just after the revocation was handled. A technician who has since logged in again
   * (with the new password, in the new role) is not caught by this; the start itself re-checks its
   * login for that race (RemoteSessionsService.start).
   */
  @Interval(SWEEP_JOB, 60_000)
  tick(): Promise<void> {
    return this.jobs.run(SWEEP_JOB, () => this.sweep());
  }

  async sweep(): Promise<void> {
    for (const id of await this.queries.overdueIds(this.config.relay.sessionTtlSec + 60)) {
      await this.ending.end(id, 'ttl_reached', { actorType: 'system' });
    }
    const revoked = new Set(await this.queries.openIdsWithoutLiveTechnician());
    const open = await this.queries.openWithTechnician();
    const signedOut = new Set(
      await this.logins.withoutLiveLogin([...new Set(open.map((s) => s.technicianId))]),
    );
    for (const s of open) if (signedOut.has(s.technicianId)) revoked.add(s.id);
    for (const id of revoked) {
      await this.ending.end(id, 'technician_revoked', { actorType: 'system' });
    }
    // A withdrawal event missed, or a start that committed just after the withdrawal was handled.
    for (const id of await this.queries.openIdsOutOfReach()) {
      await this.ending.end(id, 'access_withdrawn', { actorType: 'system' });
    }
  }

  /**
   * A technician lost access: every session they still hold ends (in parallel, so the relay closes
   * all their pairs at once). Logout counts too: a technician who signs out expects nothing of theirs
   * to stay open on a customer's device. So does changing one's own password: a session is not tied
   * to the login that started it, and whoever else held the account may hold one of them.
   */
  private async onRevoked(e: AccountRevocation): Promise<void> {
    const actorId = 'actorId' in e ? e.actorId : e.userId;
    const ids = await this.queries.openIdsForTechnician(e.userId, { orphans: e.kind === 'removed' });
    await Promise.all(
      ids.map((id) => this.ending.end(id, 'technician_revoked', { actorType: 'user', actorId })),
    );
  }

  /**
   * A technician lost reach to devices: their sessions still open there end at once (in parallel, so
   * the relay closes every pair together). Reach is asked of the database again rather than taken from
   * the event, so a grant given back in the meantime, or an admin, keeps the session.
   */
  private async onWithdrawn(e: AccessWithdrawal): Promise<void> {
    const ids = await this.queries.openIdsOutOfReach({ userId: e.userId, deviceIds: e.deviceIds });
    await Promise.all(
      ids.map((id) => this.ending.end(id, 'access_withdrawn', { actorType: 'user', actorId: e.actorId })),
    );
  }

  private async onRelayEvent(e: RelayEvent): Promise<void> {
    if (e.type === 'paired') return this.ending.markConnected(e.sessionId);
    if (e.type !== 'closed') return;
    const reason = RELAY_END_REASONS[e.reason];
    if (reason) {
      await this.ending.end(
        e.sessionId,
        reason,
        { actorType: 'relay' },
        { onlyIfNeverConnected: reason === 'pair_timeout' },
      );
    }
  }

  private async endForDevices(deviceIds: string[], reason: EndReason): Promise<void> {
    for (const id of await this.queries.openIdsForDevices(deviceIds)) {
      await this.ending.end(id, reason, { actorType: 'system' });
    }
  }

  private guard(p: Promise<void>): void {
    p.catch((err: unknown) =>
      this.logger.error(
        `Remote session state update failed: ${err instanceof Error ? err.message : String(err)}`,
      ),
    );
  }
}
