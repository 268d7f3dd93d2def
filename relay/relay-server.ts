import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ServerOptions } from 'ws';
import { RELAY_SUBPROTOCOL } from '../contracts/relay-connect';
import { UpgradeAdmission } from './admission';
import type { RelayConfig } from './config';
import { EventReporter } from './event-reporter';
import { ExpiringIdSet } from './expiring-id-set';
import { FailureLimiter } from './failure-limiter';
import type { HandshakeDeps } from './handshake';
import { createRequestHandler } from './http-routes';
import { createRelayLogger, type RelayLogger } from './logger';
import { RelayMetrics } from './metrics';
import { PairRegistry } from './pair-registry';
import { Recordings } from './recording/recordings';
import { openRecordingStore } from '../contracts/node/recording-settings';
import { shutDownRelay } from './shutdown';
import { readRelayVersion } from './version';

export interface RelayServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** `http://<host>:<port>`; WebSocket clients use the same with `ws://`. */
  readonly url: string;
  readonly registry: PairRegistry;
  readonly metrics: RelayMetrics;
  readonly recordings: Recordings;
  /** Resolves once the start-up sweep of recordings left open by a crash is done (how many it closed). */
  readonly recordingSweep: Promise<number>;
  /** Stops accepting, closes every pair with 1001, waits up to the grace period, then cuts what is left. */
  close(): Promise<void>;
}

export interface StartRelayOptions {
  readonly logger?: RelayLogger;
}

const SWEEP_INTERVAL_MS = 10_000;
/** Time a closing WebSocket waits for the client's close frame before the socket is destroyed. */
const CLOSE_HANDSHAKE_TIMEOUT_MS = 5000;
const CONTROL_IDS_MAX = 10_000;
const ENDED_SESSIONS_MAX = 50_000;
/** TCP connections allowed beyond RELAY_MAX_CONNECTIONS, so refusals and /health still get answers. */
const CONNECTION_SLACK = 256;

/**
 * Starts the relay: plain HTTP + `ws` in noServer mode, every token checked before the upgrade. This
 * is the wiring; what is let in is decided in `admission.ts`, and how it stops in `shutdown.ts`.
 */
export async function startRelay(config: RelayConfig, options: StartRelayOptions = {}): Promise<RelayServer> {
  const logger = options.logger ?? createRelayLogger(config.logLevel);
  const version = readRelayVersion();
  const metrics = new RelayMetrics();
  const reporter = new EventReporter(config.eventsUrl, config.signingKeys.current, logger, metrics);
  const recordings = new Recordings(
    openRecordingStore(config.recordingStore),
    (event) => reporter.report(event),
    metrics,
    logger,
  );
  await recordings.prepare();
  const registry = new PairRegistry(
    {
      pairTimeoutMs: config.pairTimeoutMs,
      sessionTtlMs: config.sessionTtlMs,
      highWatermarkBytes: config.highWatermarkBytes,
      rateBytesPerSec: config.sessionRateBytesPerSec,
    },
    (event) => reporter.report(event),
    metrics,
    logger,
    recordings,
  );
  const handshake: HandshakeDeps = {
    tokenKeys: config.tokenKeys.accepted,
    allowedOrigins: new Set(config.allowedOrigins),
    usedTokenIds: new ExpiringIdSet(config.replayCacheMax),
    endedSessions: new ExpiringIdSet(ENDED_SESSIONS_MAX),
  };
  const controlIds = new ExpiringIdSet(CONTROL_IDS_MAX);
  const failures = new FailureLimiter(config.authFailuresPerMinute);
  let closing = false;
  const isClosing = (): boolean => closing;
  const wss = new WebSocketServer(webSocketOptions(config));
  const admission = new UpgradeAdmission({
    config,
    registry,
    metrics,
    logger,
    handshake,
    failures,
    wss,
    isClosing,
  });
  const startedAt = Date.now();

  const server = createHttpServer(
    config,
    createRequestHandler({
      registry,
      metrics,
      version,
      startedAt,
      isClosing,
      metricsToken: config.metricsToken,
      signingKeys: config.signingKeys.accepted,
      controlIds,
      endedSessions: handshake.endedSessions,
      logger,
      gauges: () => ({
        connections: registry.connections,
        pairsActive: registry.activePairs,
        sidesWaiting: registry.waitingSides,
        pendingHandshakes: admission.pendingHandshakes,
        eventsQueued: reporter.queued,
        recordingsActive: recordings.activeCount,
      }),
    }),
  );
  server.on('upgrade', admission.onUpgrade);
  server.on('clientError', admission.onClientError);

  const port = await listen(server, config.port, config.host);

  const heartbeat = setInterval(() => registry.heartbeat(), config.heartbeatIntervalMs);
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const ids of [handshake.usedTokenIds, handshake.endedSessions, controlIds]) ids.sweep(now);
    failures.sweep(now);
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing = true;
    const graceMs = config.shutdownGraceMs;
    return (closed ??= shutDownRelay({
      server,
      registry,
      reporter,
      recordings,
      logger,
      graceMs,
      timers: [heartbeat, sweep],
    }));
  };

  const recordingSweep = recordings.sweepCrashed();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info(
    {
      host: config.host,
      port,
      version,
      eventsUrl: config.eventsUrl,
      allowedOrigins: config.allowedOrigins,
      recordings: recordings.store.location,
    },
    'relay listening',
  );
  return { port, url: `http://${host}:${port}`, registry, metrics, recordings, recordingSweep, close };
}

/** Plain HTTP with tight header limits and timeouts, so a slow or oversized handshake cannot linger. */
function createHttpServer(config: RelayConfig, handler: RequestListener): Server {
  const server = createServer(
    {
      headersTimeout: config.handshakeTimeoutMs,
      requestTimeout: config.handshakeTimeoutMs * 2,
      connectionsCheckingInterval: Math.min(1000, config.handshakeTimeoutMs),
      keepAliveTimeout: 5000,
      maxHeaderSize: 8192,
    },
    handler,
  );
  // Raw TCP connections (WebSockets, handshakes in progress, health checks) are bounded too.
  server.maxConnections = config.maxConnections + CONNECTION_SLACK;
  return server;
}

/** `ws` in noServer mode: no tracking (the registry tracks), no compression, bounded frames. */
function webSocketOptions(config: RelayConfig): ServerOptions {
  // `closeTimeout` exists in ws 8.23 but not yet in @types/ws.
  const options: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: config.maxPayloadBytes,
    closeTimeout: CLOSE_HANDSHAKE_TIMEOUT_MS,
    handleProtocols: (offered: Set<string>) => (offered.has(RELAY_SUBPROTOCOL) ? RELAY_SUBPROTOCOL : false),
  };
  return options;
}

/** Binds the server; resolves with the bound port (the configured one, or the one picked for port 0). */
async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
