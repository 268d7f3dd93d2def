import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MetricsController } from './metrics.controller';
import { PortalMetrics } from './portal-metrics';
import { ScheduledJobs } from './scheduled-jobs';

/**
 * The portal's Prometheus metrics. Global: every module counts into {@link PortalMetrics} and runs its
 * periodic jobs through {@link ScheduledJobs}. `GET /metrics` exists only when PORTAL_METRICS is on.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MetricsModule,
      controllers: config.metrics.enabled ? [MetricsController] : [],
      providers: [PortalMetrics, ScheduledJobs],
      exports: [PortalMetrics, ScheduledJobs],
    };
  }
}
