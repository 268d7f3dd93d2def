import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { PORTAL_VERSION } from '../version';

/** How a scheduled job's run ended: done, threw, or not started because the previous run was still going. */
export type JobOutcome = 'success' | 'failure' | 'skipped';
/** What became of one relay event: recorded and applied, or already seen (a retried delivery). */
export type RelayEventOutcome = 'applied' | 'duplicate';
/** Why a whole batch from the relay was refused. */
export type RelayBatchRefusal = 'bad_signature' | 'invalid' | 'unknown_session';

/** A gauge read at scrape time: the current value of every label set. */
export interface ScrapeGauge<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  collect(): Promise<ReadonlyArray<{ labels: Record<L, string>; value: number }>>;
}

/**
 * The portal's Prometheus metrics, in a registry of its own (several portals can run in one test
 * process). Every label comes from a fixed set — route templates, enum states, job names — never from
 * a URL, an id or a token, so cardinality stays bounded. Feature modules add scrape-time gauges with
 * {@link addGauge} (their own cheap query), so this module depends on none of them.
 */
@Injectable()
export class PortalMetrics {
  readonly registry = new Registry();
  private readonly httpDuration = new Histogram({
    name: 'portal_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template, method and status code.',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly relayEvents = new Counter({
    name: 'portal_relay_events_received_total',
    help: 'Relay pair/close events received, by event type and outcome.',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly relayBatchesRefused = new Counter({
    name: 'portal_relay_event_batches_refused_total',
    help: 'Event batches from the relay refused whole, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly jobRuns = new Counter({
    name: 'portal_scheduled_job_runs_total',
    help: 'Runs of the periodic jobs, by job and outcome.',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly collectFailures = new Counter({
    name: 'portal_metrics_collect_failures_total',
    help: 'Scrape-time gauges that could not be read (their samples are left out of that scrape).',
    labelNames: ['gauge'] as const,
    registers: [this.registry],
  });
  private readonly jobLastSuccess = new Gauge({
    name: 'portal_scheduled_job_last_success_timestamp_seconds',
    help: 'Unix time of the last successful run of each periodic job.',
    labelNames: ['job'] as const,
    registers: [this.registry],
  });

  constructor(config: AppConfig) {
    new Gauge({
      name: 'portal_build_info',
      help: 'Portal version (always 1).',
      labelNames: ['version'] as const,
      registers: [this.registry],
    }).set({ version: PORTAL_VERSION }, 1);
    // Process metrics (CPU, memory, event-loop lag, handles) only when someone can read them.
    if (config.metrics.enabled) collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(route: string, method: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ route, method, status_code: String(statusCode) }, seconds);
  }

  relayEventReceived(type: string, outcome: RelayEventOutcome): void {
    this.relayEvents.inc({ type, outcome });
  }

  relayBatchRefused(reason: RelayBatchRefusal): void {
    this.relayBatchesRefused.inc({ reason });
  }

  jobRun(job: string, outcome: JobOutcome): void {
    this.jobRuns.inc({ job, outcome });
    if (outcome === 'success') this.jobLastSuccess.set({ job }, Date.now() / 1000);
  }

  /**
   * Registers a gauge whose values are read when /metrics is scraped. A read that fails (database
   * down) leaves the gauge without samples and counts in portal_metrics_collect_failures_total, so
   * the rest of the scrape still answers.
   */
  addGauge<L extends string>(gauge: ScrapeGauge<L>): void {
    const failures = this.collectFailures;
    new Gauge<L>({
      name: gauge.name,
      help: gauge.help,
      labelNames: gauge.labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const s of await gauge.collect()) this.set(s.labels, s.value);
        } catch {
          failures.inc({ gauge: gauge.name });
        }
      },
    });
  }

  /** The exposition text, and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
