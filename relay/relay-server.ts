import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type ServerOptions } from 'ws';
import { RelayCloseCode } from '../contracts/relay-close-codes';
import { RELAY_SUBPROTOCOL } from '../contracts/relay-connect';
import type { RelayConfig } from './config';
import { EventReporter } from './event-reporter';
import { ExpiringIdSet } from './expiring-id-set';
import { FailureLimiter } from './failure-limiter';
import { authenticateUpgrade, type HandshakeDeps } from './handshake';
import { createRequestHandler } from './http-routes';
import { createRelayLogger, type RelayLogger } from './logger';
import { RelayMetrics } from './metrics';
import { PairRegistry } from './pair-registry';
import { refuseUpgrade } from './responses';
import { readRelayVersion } from './version';

export interface RelayServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** `http://<host>:<port>`; WebSocket clients use the same with `ws://`. */
  readonly url: string;
  readonly registry: PairRegistry;
  readonly metrics: RelayMetrics;
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

/** Starts the relay: plain HTTP + `ws` in noServer mode, every token checked before the upgrade. */
export async function startRelay(config: RelayConfig, options: StartRelayOptions = {}): Promise<RelayServer> {
  const logger = options.logger ?? createRelayLogger(config.logLevel);
  const version = readRelayVersion();
  const metrics = new RelayMetrics();
  const reporter = new EventReporter(config.eventsUrl, config.signingKeys.current, logger, metrics);
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
  );
  const handshakeDeps: HandshakeDeps = {
    tokenKeys: config.tokenKeys.accepted,
    allowedOrigins: new Set(config.allowedOrigins),
    usedTokenIds: new ExpiringIdSet(config.replayCacheMax),
    endedSessions: new ExpiringIdSet(ENDED_SESSIONS_MAX),
  };
  const controlIds = new ExpiringIdSet(CONTROL_IDS_MAX);
  const failures = new FailureLimiter(config.authFailuresPerMinute);
  // `closeTimeout` exists in ws 8.23 but not yet in @types/ws.
  const wsOptions: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: config.maxPayloadBytes,
    closeTimeout: CLOSE_HANDSHAKE_TIMEOUT_MS,
    handleProtocols: (offered: Set<string>) => (offered.has(RELAY_SUBPROTOCOL) ? RELAY_SUBPROTOCOL : false),
  };
  const wss = new WebSocketServer(wsOptions);
  const startedAt = Date.now();
  let closing = false;
  let pendingHandshakes = 0;

  const server: Server = createServer(
    {
      headersTimeout: config.handshakeTimeoutMs,
      requestTimeout: config.handshakeTimeoutMs * 2,
      connectionsCheckingInterval: Math.min(1000, config.handshakeTimeoutMs),
      keepAliveTimeout: 5000,
      maxHeaderSize: 8192,
    },
    createRequestHandler({
      registry,
      metrics,
      version,
      startedAt,
      isClosing: () => closing,
      metricsToken: config.metricsToken,
      signingKeys: config.signingKeys.accepted,
      controlIds,
      endedSessions: handshakeDeps.endedSessions,
      logger,
      gauges: () => ({
        connections: registry.connections,
        pairsActive: registry.activePairs,
        sidesWaiting: registry.waitingSides,
        pendingHandshakes,
        eventsQueued: reporter.queued,
      }),
    }),
  );

  // Raw TCP connections (WebSockets, handshakes in progress, health checks) are bounded too.
  server.maxConnections = config.maxConnections + CONNECTION_SLACK;

  const clientAddress = (req: IncomingMessage): string => {
    const forwarded = config.trustProxy ? req.headers['x-forwarded-for'] : undefined;
    const last = typeof forwarded === 'string' ? forwarded.split(',').pop()?.trim() : undefined;
    return last || req.socket.remoteAddress || 'unknown';
  };

  const refuse = (
    socket: Duplex,
    status: number,
    closeCode: number,
    reason: string,
    fields: Record<string, unknown> = {},
  ): void => {
    metrics.refused(reason);
    // An address over its failure limit is counted, not logged line by line (no log flooding).
    if (reason === 'rate_limited')
      logger.debug({ ...fields, status, closeCode, reason }, 'refused an upgrade');
    else logger.info({ ...fields, status, closeCode, reason }, 'refused an upgrade');
    refuseUpgrade(socket, status, closeCode);
  };

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const onEarlyError = (err: Error): void =>
      logger.debug({ err: err.message }, 'socket error during handshake');
    socket.on('error', onEarlyError);
    if (closing) return refuse(socket, 503, RelayCloseCode.ShuttingDown, 'shutting_down');
    if (!(socket instanceof Socket)) return refuse(socket, 400, RelayCloseCode.BadRequest, 'not_a_socket');
    if (registry.connections + pendingHandshakes >= config.maxConnections)
      return refuse(socket, 503, RelayCloseCode.RelayFull, 'relay_full');
    // The address costs a system call; it is needed only once some address has failures on record.
    if (failures.tracking && failures.isBlocked(clientAddress(req))) {
      return refuse(socket, 429, RelayCloseCode.RateLimited, 'rate_limited', { address: clientAddress(req) });
    }

    pendingHandshakes++;
    const result = await authenticateUpgrade(req, handshakeDeps).finally(() => pendingHandshakes--);
    if (socket.destroyed) return;
    if (!result.ok) {
      const address = clientAddress(req);
      if (result.status === 400 || result.status === 401 || result.status === 403)
        failures.recordFailure(address);
      return refuse(socket, result.status, result.closeCode, result.reason, { ...result.subject, address });
    }
    if (closing) return refuse(socket, 503, RelayCloseCode.ShuttingDown, 'shutting_down');
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onEarlyError);
      registry.join(result.claims, ws, socket);
    });
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch((err: unknown) => {
      logger.error({ err: (err as Error).message }, 'upgrade failed');
      refuseUpgrade(socket, 500, RelayCloseCode.InternalError);
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    logger.debug({ code: err.code }, 'client error');
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ECONNRESET' || !socket.writable)
      socket.destroy();
    else refuseUpgrade(socket, 400, RelayCloseCode.BadRequest);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const heartbeat = setInterval(() => registry.heartbeat(), config.heartbeatIntervalMs);
  const sweep = setInterval(() => {
    const now = Date.now();
    handshakeDeps.usedTokenIds.sweep(now);
    handshakeDeps.endedSessions.sweep(now);
    controlIds.sweep(now);
    failures.sweep(now);
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      closing = true;
      clearInterval(heartbeat);
      clearInterval(sweep);
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      logger.info({ connections: registry.connections }, 'relay shutting down');
      registry.closeAll(RelayCloseCode.ShuttingDown, 'relay');
      const delivered = reporter.drain(config.shutdownGraceMs);
      const deadline = Date.now() + config.shutdownGraceMs;
      while (registry.connections > 0 && Date.now() < deadline) await delay(25);
      registry.terminateAll();
      server.closeAllConnections();
      await Promise.all([serverClosed, delivered]);
      logger.info('relay stopped');
    })());

  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info(
    { host: config.host, port, version, eventsUrl: config.eventsUrl, allowedOrigins: config.allowedOrigins },
    'relay listening',
  );
  return { port, url: `http://${host}:${port}`, registry, metrics, close };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
