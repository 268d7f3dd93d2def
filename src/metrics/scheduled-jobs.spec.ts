import type { AppConfig } from '../config/app-config';
import { PortalMetrics } from './portal-metrics';
import { ScheduledJobs } from './scheduled-jobs';

describe('ScheduledJobs', () => {
  const setup = (): { jobs: ScheduledJobs; text: () => Promise<string> } => {
    const metrics = new PortalMetrics({ metrics: { enabled: false, token: null } } as unknown as AppConfig);
    return { jobs: new ScheduledJobs(metrics), text: async () => (await metrics.render()).body };
  };

  it('counts each run by outcome, never runs one job twice at once, and does not throw a failure', async () => {
    const { jobs, text } = setup();
    let release: () => void = () => undefined;
    const first = jobs.run('sweep', () => new Promise<void>((resolve) => (release = resolve)));
    await jobs.run('sweep', () => Promise.reject(new Error('must not start while the first runs')));
    release();
    await first;
    await jobs.run('sweep', () => Promise.reject(new Error('database down')));
    await jobs.run('other', () => Promise.resolve());

    const out = await text();
    expect(out).toContain('portal_scheduled_job_runs_total{job="sweep",outcome="skipped"} 1\n');
    expect(out).toContain('portal_scheduled_job_runs_total{job="sweep",outcome="success"} 1\n');
    expect(out).toContain('portal_scheduled_job_runs_total{job="sweep",outcome="failure"} 1\n');
    expect(out).toContain('portal_scheduled_job_runs_total{job="other",outcome="success"} 1\n');
    expect(out).toMatch(/portal_scheduled_job_last_success_timestamp_seconds\{job="other"\} \d+/);
    // Metrics off: no process metrics are collected.
    expect(out).not.toContain('process_cpu_user_seconds_total');
  });
});
