import { RELAY_EVENT_BATCH_MAX, type RelayEvent } from '../contracts/relay-events';
import type { RelayKey } from '../contracts/node/relay-keys';
import { signRelayRequest } from '../contracts/node/relay-signature';
import type { RelayLogger } from './logger';
import type { RelayMetrics } from './metrics';

export interface EventReporterOptions {
  /** Events waiting at most; past it new events are dropped (and counted). */
  readonly maxQueued: number;
  /** Wait this long after the first queued event so bursts travel in one request. */
  readonly batchDelayMs: number;
  readonly maxAttempts: number;
  readonly requestTimeoutMs: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

export const EVENT_REPORTER_DEFAULTS: EventReporterOptions = {
  maxQueued: 10_000,
  batchDelayMs: 100,
  maxAttempts: 6,
  requestTimeoutMs: 5000,
  backoffMs: 500,
  maxBackoffMs: 8000,
};

/**
 * Delivers events to the portal, signed, in batches, fire-and-forget: `report` only appends to a bounded
 * queue, so the data path never waits on the portal. One request is in flight at a time; a failed batch
 * is retried with exponential backoff (events are idempotent by id, so a resend is safe) and dropped
 * after `maxAttempts`, or at once when the portal answers with a 4xx other than 401/408/429.
 */
export class EventReporter {
  private readonly queue: RelayEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private attempts = 0;
  private stopped = false;

  constructor(
    private readonly url: string | null,
    private readonly key: RelayKey,
    private readonly logger: RelayLogger,
    private readonly metrics: RelayMetrics,
    private readonly options: EventReporterOptions = EVENT_REPORTER_DEFAULTS,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  report(event: RelayEvent): void {
    if (this.url === null || this.stopped) return;
    if (this.queue.length >= this.options.maxQueued) {
      this.metrics.eventsDropped++;
      if (this.metrics.eventsDropped % 1000 === 1)
        this.logger.warn({ dropped: this.metrics.eventsDropped }, 'event queue full; dropping events');
      return;
    }
    this.queue.push(event);
    this.schedule(this.options.batchDelayMs);
  }

  /** Tries to deliver what is queued within `budgetMs`, then stops. Used at shutdown. */
  async drain(budgetMs: number): Promise<void> {
    const deadline = Date.now() + budgetMs;
    while (this.queue.length > 0 && Date.now() < deadline && this.attempts === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await (this.sending ?? this.sendBatch(deadline - Date.now()));
    }
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length > 0) {
      this.metrics.eventsDropped += this.queue.length;
      this.logger.warn({ dropped: this.queue.length }, 'relay stopping with undelivered events');
      this.queue.length = 0;
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.sending || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sendBatch(this.options.requestTimeoutMs);
    }, delayMs);
    this.timer.unref();
  }

  private sendBatch(timeoutMs: number): Promise<void> {
    const batch = this.queue.slice(0, RELAY_EVENT_BATCH_MAX);
    this.sending = this.post(batch, Math.max(1, Math.min(timeoutMs, this.options.requestTimeoutMs)))
      .then((outcome) => this.settle(batch.length, outcome))
      .finally(() => {
        this.sending = undefined;
        if (this.queue.length > 0) this.schedule(this.attempts === 0 ? 0 : this.backoff());
      });
    return this.sending;
  }

  private settle(count: number, outcome: 'delivered' | 'retry' | 'rejected'): void {
    if (outcome === 'delivered' || outcome === 'rejected' || this.attempts + 1 >= this.options.maxAttempts) {
      if (outcome === 'delivered') this.metrics.eventsSent += count;
      else {
        this.metrics.eventsDropped += count;
        this.logger.error({ count, outcome }, 'dropping relay events the portal did not accept');
      }
      this.queue.splice(0, count);
      this.attempts = 0;
      return;
    }
    this.attempts++;
  }

  private backoff(): number {
    return Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (this.attempts - 1));
  }

  private async post(
    events: readonly RelayEvent[],
    timeoutMs: number,
  ): Promise<'delivered' | 'retry' | 'rejected'> {
    const body = JSON.stringify({ events });
    try {
      const res = await fetch(this.url ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signRelayRequest(this.key, 'events', body) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (res.ok) return 'delivered';
      this.metrics.eventDeliveryFailures++;
      this.logger.warn({ status: res.status, attempt: this.attempts + 1 }, 'portal refused relay events');
      // 401 is retried: during a secret rotation the portal may briefly not know the new key yet.
      return res.status >= 400 && res.status < 500 && ![401, 408, 429].includes(res.status)
        ? 'rejected'
        : 'retry';
    } catch (err) {
      this.metrics.eventDeliveryFailures++;
      const cause = (err as { cause?: { code?: unknown } }).cause?.code;
      this.logger.warn(
        { err: (err as Error).message, cause, attempt: this.attempts + 1 },
        'could not deliver relay events',
      );
      return 'retry';
    }
  }
}
