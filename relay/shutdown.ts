import type { Server } from 'node:http';
import { RelayCloseCode } from '../contracts/relay-close-codes';
import type { EventReporter } from './event-reporter';
import type { RelayLogger } from './logger';
import type { PairRegistry } from './pair-registry';
import type { Recordings } from './recording/recordings';

export interface ShutdownParts {
  readonly server: Server;
  readonly registry: PairRegistry;
  readonly reporter: EventReporter;
  readonly recordings: Recordings;
  readonly logger: RelayLogger;
  /** How long pairs and queued events get to finish (RELAY_SHUTDOWN_GRACE_MS). */
  readonly graceMs: number;
  /** The relay's intervals (heartbeat, sweep), cleared first. */
  readonly timers: readonly NodeJS.Timeout[];
}

/**
 * Shutdown: stops accepting, closes every pair with 1001, lets open recordings write their final
 * manifest (incomplete, `relay_shutdown`) within three quarters of the grace, lets the event reporter
 * deliver what it has queued, waits up to the grace period for the sides to go, then cuts what is left. The caller marks
 * itself closing first, so admission refuses new upgrades (503) meanwhile.
 */
export async function shutDownRelay(parts: ShutdownParts): Promise<void> {
  const { server, registry, reporter, recordings, logger, graceMs } = parts;
  for (const timer of parts.timers) clearInterval(timer);
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  logger.info({ connections: registry.connections }, 'relay shutting down');
  const deadline = Date.now() + graceMs;
  recordings.shuttingDown = true;
  registry.closeAll(RelayCloseCode.ShuttingDown, 'relay');
  // Recordings first (their last events join the queue), then the reporter gets what is left of the
  // grace: a quarter of it (up to 2 s) is kept for delivering those events.
  await recordings.settle(Math.max(0, graceMs - Math.min(2000, Math.floor(graceMs / 4))));
  recordings.stop();
  const delivered = reporter.drain(Math.max(1, deadline - Date.now()));
  while (registry.connections > 0 && Date.now() < deadline) await delay(25);
  registry.terminateAll();
  server.closeAllConnections();
  await Promise.all([serverClosed, delivered]);
  await recordings.store.close().catch(() => undefined);
  logger.info('relay stopped');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
