import { Injectable, Logger } from '@nestjs/common';
import { PortalMetrics } from './portal-metrics';

/**
 * Runs the body of a periodic job (`@Interval`) the same way for every job: never two runs of one job
 * at once (a run still going when the next tick comes counts as `skipped`), a failure logged with the
 * job's name rather than thrown into the scheduler, and every run counted by outcome in
 * `portal_scheduled_job_runs_total`.
 */
@Injectable()
export class ScheduledJobs {
  private readonly logger = new Logger(ScheduledJobs.name);
  private readonly running = new Set<string>();

  constructor(private readonly metrics: PortalMetrics) {}

  async run(job: string, body: () => Promise<unknown>): Promise<void> {
    if (this.running.has(job)) {
      this.metrics.jobRun(job, 'skipped');
      return;
    }
    this.running.add(job);
    try {
      await body();
      this.metrics.jobRun(job, 'success');
    } catch (err) {
      this.metrics.jobRun(job, 'failure');
      this.logger.error(`Scheduled job ${job} failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running.delete(job);
    }
  }
}
