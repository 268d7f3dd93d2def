import { Injectable, OnModuleInit } from '@nestjs/common';
import { REMOTE_SESSION_STATUSES } from '../../contracts/api/remote-sessions';
import { PortalMetrics } from '../metrics/portal-metrics';
import { RemoteSessionQueries } from './remote-session.queries';

/** `portal_remote_sessions{state}`: remote sessions by status, counted at scrape time. */
@Injectable()
export class RemoteSessionsMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: PortalMetrics,
    private readonly queries: RemoteSessionQueries,
  ) {}

  onModuleInit(): void {
    this.metrics.addGauge({
      name: 'portal_remote_sessions',
      help: 'Remote sessions by state (ended ones are kept for the retention period).',
      labelNames: ['state'],
      collect: async () => {
        const counts = new Map((await this.queries.countsByStatus()).map((r) => [r.status, r.count]));
        return REMOTE_SESSION_STATUSES.map((state) => ({ labels: { state }, value: counts.get(state) ?? 0 }));
      },
    });
  }
}
