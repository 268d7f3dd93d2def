import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { RelayCloseCode } from '../contracts/relay-close-codes';
import type { RelayConfig } from './config';
import type { FailureLimiter } from './failure-limiter';
import { authenticateUpgrade, type HandshakeDeps } from './handshake';
import type { RelayLogger } from './logger';
import type { RelayMetrics } from './metrics';
import type { PairRegistry } from './pair-registry';
import { refuseUpgrade } from './responses';

export interface AdmissionDeps {
  readonly config: Pick<RelayConfig, 'maxConnections' | 'trustProxy'>;
  readonly registry: PairRegistry;
  readonly metrics: RelayMetrics;
  readonly logger: RelayLogger;
  readonly handshake: HandshakeDeps;
  readonly failures: FailureLimiter;
  readonly wss: WebSocketServer;
  readonly isClosing: () => boolean;
}

/**
 * Admission: decides, before anything is upgraded, whether an upgrade request may become a side of a
 * pair — the relay is not shutting down or full, the address is not over its failure limit, and the
 * token passes the handshake checks. A refusal is an HTTP error on the raw socket (counted in the
 * metrics and logged without the token); an admitted socket is upgraded and joined to its pair.
 */
export class UpgradeAdmission {
  private pending = 0;

  constructor(private readonly deps: AdmissionDeps) {}

  /** Handshakes being checked right now (they count against RELAY_MAX_CONNECTIONS). */
  get pendingHandshakes(): number {
    return this.pending;
  }

  /** The server's `upgrade` listener. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.admit(req, socket, head).catch((err: unknown) => {
      this.deps.logger.error({ err: (err as Error).message }, 'upgrade failed');
      refuseUpgrade(socket, 500, RelayCloseCode.InternalError);
    });
  };

  /** The server's `clientError` listener: a malformed request gets a 400 where it can still be answered. */
  readonly onClientError = (err: NodeJS.ErrnoException, socket: Duplex): void => {
    this.deps.logger.debug({ code: err.code }, 'client error');
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ECONNRESET' || !socket.writable)
      socket.destroy();
    else refuseUpgrade(socket, 400, RelayCloseCode.BadRequest);
  };

  private async admit(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { config, registry, logger, failures, isClosing } = this.deps;
    const onEarlyError = (err: Error): void =>
      logger.debug({ err: err.message }, 'socket error during handshake');
    socket.on('error', onEarlyError);
    if (isClosing()) return this.refuse(socket, 503, RelayCloseCode.ShuttingDown, 'shutting_down');
    if (!(socket instanceof Socket))
      return this.refuse(socket, 400, RelayCloseCode.BadRequest, 'not_a_socket');
    if (registry.connections + this.pending >= config.maxConnections)
      return this.refuse(socket, 503, RelayCloseCode.RelayFull, 'relay_full');
    // The address costs a system call; it is needed only once some address has failures on record.
    if (failures.tracking && failures.isBlocked(this.clientAddress(req))) {
      return this.refuse(socket, 429, RelayCloseCode.RateLimited, 'rate_limited', {
        address: this.clientAddress(req),
      });
    }

    this.pending++;
    const result = await authenticateUpgrade(req, this.deps.handshake).finally(() => this.pending--);
    if (socket.destroyed) return;
    if (!result.ok) {
      const address = this.clientAddress(req);
      if (result.status === 400 || result.status === 401 || result.status === 403)
        failures.recordFailure(address);
      return this.refuse(socket, result.status, result.closeCode, result.reason, {
        ...result.subject,
        address,
      });
    }
    if (isClosing()) return this.refuse(socket, 503, RelayCloseCode.ShuttingDown, 'shutting_down');
    this.deps.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onEarlyError);
      registry.join(result.claims, ws, socket);
    });
  }

  private refuse(
    socket: Duplex,
    status: number,
    closeCode: number,
    reason: string,
    fields: Record<string, unknown> = {},
  ): void {
    this.deps.metrics.refused(reason);
    // An address over its failure limit is counted, not logged line by line (no log flooding).
    if (reason === 'rate_limited')
      this.deps.logger.debug({ ...fields, status, closeCode, reason }, 'refused an upgrade');
    else this.deps.logger.info({ ...fields, status, closeCode, reason }, 'refused an upgrade');
    refuseUpgrade(socket, status, closeCode);
  }

  private clientAddress(req: IncomingMessage): string {
    const forwarded = this.deps.config.trustProxy ? req.headers['x-forwarded-for'] : undefined;
    const last = typeof forwarded === 'string' ? forwarded.split(',').pop()?.trim() : undefined;
    return last || req.socket.remoteAddress || 'unknown';
  }
}
