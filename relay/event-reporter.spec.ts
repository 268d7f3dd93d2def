import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { parseRelayEventBatch, type RelayEvent } from '../contracts/relay-events';
import { createRelayKeyring } from '../contracts/node/relay-keys';
import {
  RELAY_SIGNATURE_HEADER,
  RELAY_TIMESTAMP_HEADER,
  verifyRelayRequest,
} from '../contracts/node/relay-signature';
import { EventReporter, type EventReporterOptions } from './event-reporter';
import { RelayMetrics } from './metrics';

const keys = createRelayKeyring('event-reporter-secret-0123456789abcdef-012345', undefined, 'signing');
const silent = pino({ level: 'silent' });
const fast: EventReporterOptions = {
  maxQueued: 5,
  batchDelayMs: 5,
  maxAttempts: 3,
  requestTimeoutMs: 1000,
  backoffMs: 10,
  maxBackoffMs: 20,
};

const event = (n: number): RelayEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'paired',
  sessionId: 'session-1',
  channel: 'screen',
  at: new Date(0).toISOString(),
});

interface Received {
  verified: string;
  events: RelayEvent[];
}

async function sink(statuses: number[]): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verified = verifyRelayRequest(
        keys.accepted,
        'events',
        { timestamp: req.headers[RELAY_TIMESTAMP_HEADER], signature: req.headers[RELAY_SIGNATURE_HEADER] },
        body,
      );
      received.push({ verified, events: parseRelayEventBatch(JSON.parse(body.toString())) });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/relay/events`,
    received,
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('EventReporter', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r) ?? r(undefined));
  });

  it('sends queued events in one signed batch', async () => {
    const s = await sink([]);
    server = s.server;
    const metrics = new RelayMetrics();
    const reporter = new EventReporter(s.url, keys.current, silent, metrics, fast);
    reporter.report(event(1));
    reporter.report(event(2));
    await until(() => metrics.eventsSent === 2);
    expect(s.received).toHaveLength(1);
    expect(s.received[0]).toEqual({ verified: 'ok', events: [event(1), event(2)] });
    reporter.stop();
  });

  it('retries a failed batch (server error, or a signature the portal does not know yet) and then delivers it', async () => {
    const s = await sink([500, 401]);
    server = s.server;
    const metrics = new RelayMetrics();
    const reporter = new EventReporter(s.url, keys.current, silent, metrics, fast);
    reporter.report(event(1));
    await until(() => metrics.eventsSent === 1);
    expect(s.received.map((r) => r.events[0].id)).toEqual([event(1).id, event(1).id, event(1).id]);
    expect(metrics.eventDeliveryFailures).toBe(2);
    reporter.stop();
  });

  it('drops a batch the portal rejects as invalid, and events past the queue bound', async () => {
    const s = await sink([400]);
    server = s.server;
    const metrics = new RelayMetrics();
    const reporter = new EventReporter(s.url, keys.current, silent, metrics, fast);
    for (let i = 0; i < 7; i++) reporter.report(event(i));
    expect(reporter.queued).toBe(5);
    await until(() => metrics.eventsDropped === 7);
    expect(s.received).toHaveLength(1);
    reporter.stop();
  });

  it('gives up after the last attempt when the portal is unreachable', async () => {
    const metrics = new RelayMetrics();
    const reporter = new EventReporter('http://127.0.0.1:9/unreachable', keys.current, silent, metrics, fast);
    reporter.report(event(1));
    await until(() => metrics.eventsDropped === 1);
    expect(metrics.eventDeliveryFailures).toBe(3);
    reporter.stop();
  });

  it('does nothing when reporting is off', () => {
    const metrics = new RelayMetrics();
    const reporter = new EventReporter(null, keys.current, silent, metrics, fast);
    reporter.report(event(1));
    expect(reporter.queued).toBe(0);
  });
});
