import { Injectable, OnModuleInit } from '@nestjs/common';
import { SUPPORT_SESSION_STATUSES } from '../../contracts/api/quick-support';
import { PortalMetrics } from '../metrics/portal-metrics';
import { SupportSessionQueries } from './support-session.queries';

/** `portal_quick_support_sessions{state}`: quick-support sessions by status, counted at scrape time. */
@Injectable()
export class QuickSupportMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: PortalMetrics,
    private readonly queries: SupportSessionQueries,
  ) {}

  onModuleInit(): void {
    this.metrics.addGauge({
      name: 'portal_quick_support_sessions',
      help: 'Quick-support sessions by state (ended ones are kept for the retention period).',
      labelNames: ['state'],
      collect: async () => {
        const counts = await this.queries.counts();
        return SUPPORT_SESSION_STATUSES.map((state) => ({ labels: { state }, value: counts[state] }));
      },
    });
  }
}
