import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Observable, Subject } from 'rxjs';
import type { RelayEvent, RelayEventsAcceptedResponse } from '../../contracts/relay-events';
import { PortalMetrics } from '../metrics/portal-metrics';
import { ScheduledJobs } from '../metrics/scheduled-jobs';
import { RelayEventQueries } from './relay-event.queries';

/** How long applied event ids are kept for de-duplication (well past the relay's retry window). */
const KEEP_IDS_HOURS = 24;
const PRUNE_JOB = 'relay-events-prune';

/**
 * Applies the relay's signed pair/close events once each (idempotent by event id) and republishes them
 * in-process through {@link events$}, so remote-session state follows what really happened on the relay.
 */
@Injectable()
export class RelayEventsService implements OnModuleDestroy {
  private readonly logger = new Logger(RelayEventsService.name);
  private readonly subject = new Subject<RelayEvent>();

  constructor(
    private readonly queries: RelayEventQueries,
    private readonly metrics: PortalMetrics,
    private readonly jobs: ScheduledJobs,
  ) {}

  /** Each accepted event, once, in the order the relay sent them. */
  get events$(): Observable<RelayEvent> {
    return this.subject.asObservable();
  }

  /**
   * Records a (verified) batch in one statement; ids already recorded are skipped, so a retried
   * delivery changes nothing. Returns how many events were new.
   */
  async accept(events: readonly RelayEvent[]): Promise<RelayEventsAcceptedResponse> {
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    const inserted = new Set(await this.queries.insertNew(events));
    const fresh = events.filter((e) => inserted.delete(e.id));
    for (const e of events)
      this.metrics.relayEventReceived(e.type, fresh.includes(e) ? 'applied' : 'duplicate');
    for (const e of fresh) this.subject.next(e);
    if (fresh.length < events.length)
      this.logger.debug(`Ignored ${events.length - fresh.length} relay event(s) already applied`);
    return { accepted: fresh.length, duplicates: events.length - fresh.length };
  }

  @Interval(PRUNE_JOB, 3600_000)
  prune(): Promise<void> {
    return this.jobs.run(PRUNE_JOB, () =>
      this.queries.deleteReceivedBefore(new Date(Date.now() - KEEP_IDS_HOURS * 3600_000)),
    );
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
