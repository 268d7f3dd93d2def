import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { RelayCloseCode, describeCloseCode } from '../contracts/relay-close-codes';
import type { RelayEvent } from '../contracts/relay-events';
import type { RelayTokenClaims } from '../contracts/node/relay-token';
import type { RelayLogger } from './logger';
import type { RelayMetrics } from './metrics';
import { Pair, type PairLimits, type PairListener, type PairOutcome } from './pair';
import type { Recordings } from './recording/recordings';
import type { Side } from './side';

/** One line of GET /stats. */
export interface PairStats {
  readonly sessionId: string;
  readonly channel: string;
  readonly agent: boolean;
  readonly tech: boolean;
  readonly since: string;
  readonly pairedAt: string | null;
  readonly bytesAgentToTech: number;
  readonly bytesTechToAgent: number;
}

export const STATS_MAX_PAIRS = 10_000;

/**
 * Every live pair, keyed by (session, channel), plus every open socket (for shutdown). Turns pair
 * lifecycle changes into portal events, metrics and log lines.
 */
export class PairRegistry implements PairListener {
  private readonly pairs = new Map<string, Pair>();
  private readonly sockets = new Set<WebSocket>();
  private pairedCount = 0;
  private closedBytesAgentToTech = 0;
  private closedBytesTechToAgent = 0;
  /** One shared 'close' listener (not a closure per socket). */
  private readonly untrack: (this: WebSocket) => void;

  constructor(
    private readonly limits: PairLimits,
    private readonly report: (event: RelayEvent) => void,
    private readonly metrics: RelayMetrics,
    private readonly logger: RelayLogger,
    /** Absent: nothing is recorded (unit tests of the registry alone). */
    private readonly recordings?: Recordings,
  ) {
    const sockets = this.sockets;
    this.untrack = function (this: WebSocket): void {
      sockets.delete(this);
    };
  }

  get connections(): number {
    return this.sockets.size;
  }

  get activePairs(): number {
    return this.pairedCount;
  }

  get waitingSides(): number {
    return this.pairs.size - this.pairedCount;
  }

  /** Places an authenticated socket in its pair; a second client for a taken role is closed with 4010. */
  join(claims: RelayTokenClaims, ws: WebSocket, socket: Socket): void {
    this.sockets.add(ws);
    ws.on('close', this.untrack);
    this.metrics.connectionsTotal++;
    const key = `${claims.sid}:${claims.ch}`;
    let pair = this.pairs.get(key);
    if (!pair) {
      pair = new Pair(claims.sid, claims.ch, this.limits, this);
      this.pairs.set(key, pair);
    }
    if (pair.attach(claims.role, ws, socket, claims.rec)) {
      this.logger.debug({ sid: claims.sid, ch: claims.ch, role: claims.role }, 'side connected');
      return;
    }
    this.metrics.refused('duplicate_side');
    this.logger.info(
      { sid: claims.sid, ch: claims.ch, role: claims.role },
      'refused a second client for a taken side',
    );
    ws.on('error', (err) => this.logger.debug({ err: err.message }, 'refused socket error'));
    ws.close(RelayCloseCode.DuplicateSide, describeCloseCode(RelayCloseCode.DuplicateSide).message);
  }

  /**
   * Closes the pairs of a session (one channel or all); returns how many. A scan: rare (portal
   * requests), and cheaper than an index that every idle pair would pay for in memory.
   */
  closeSession(
    sessionId: string,
    channel: string | undefined,
    code: number,
    initiator: PairOutcome['initiator'],
    reason?: string,
  ): number {
    const matching = [...this.pairs.values()].filter(
      (p) => p.sessionId === sessionId && (channel === undefined || p.channel === channel),
    );
    for (const pair of matching) pair.close(code, initiator, reason);
    return matching.length;
  }

  closeAll(code: number, initiator: PairOutcome['initiator']): void {
    for (const pair of [...this.pairs.values()]) pair.close(code, initiator);
  }

  /** Cuts every socket still open (the end of a graceful shutdown). */
  terminateAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  heartbeat(): void {
    for (const pair of this.pairs.values()) {
      for (const side of pair.sides()) {
        if (side.heartbeat()) continue;
        side.unresponsive = true;
        this.metrics.heartbeatTerminations++;
        this.logger.info(
          { sid: pair.sessionId, ch: pair.channel, role: side.role },
          'cutting an unresponsive side',
        );
        side.ws.terminate();
      }
    }
  }

  bytesTotals(): { agentToTech: number; techToAgent: number } {
    let agentToTech = this.closedBytesAgentToTech;
    let techToAgent = this.closedBytesTechToAgent;
    for (const pair of this.pairs.values()) {
      agentToTech += pair.bytesAgentToTech;
      techToAgent += pair.bytesTechToAgent;
    }
    return { agentToTech, techToAgent };
  }

  stats(max: number = STATS_MAX_PAIRS): { pairs: PairStats[]; truncated: boolean } {
    const pairs: PairStats[] = [];
    for (const pair of this.pairs.values()) {
      if (pairs.length >= max) return { pairs, truncated: true };
      pairs.push({
        sessionId: pair.sessionId,
        channel: pair.channel,
        agent: pair.agent !== undefined,
        tech: pair.tech !== undefined,
        since: new Date(pair.createdAt).toISOString(),
        pairedAt: pair.pairedAt ? new Date(pair.pairedAt).toISOString() : null,
        bytesAgentToTech: pair.bytesAgentToTech,
        bytesTechToAgent: pair.bytesTechToAgent,
      });
    }
    return { pairs, truncated: false };
  }

  // PairListener

  paired(pair: Pair): void {
    this.pairedCount++;
    this.metrics.pairsTotal++;
    // One info line per pair, at its close (it carries everything); pairing itself is debug.
    this.logger.debug({ sid: pair.sessionId, ch: pair.channel }, 'paired');
    this.report({
      id: randomUUID(),
      type: 'paired',
      sessionId: pair.sessionId,
      channel: pair.channel,
      at: new Date(pair.pairedAt).toISOString(),
    });
    // Before the held messages are flushed, so the recording starts with the first byte.
    if (pair.recording && this.recordings) this.recordings.start(pair);
  }

  closed(pair: Pair, outcome: PairOutcome): void {
    const key = `${pair.sessionId}:${pair.channel}`;
    if (this.pairs.get(key) === pair) this.pairs.delete(key);
    const wasPaired = pair.pairedAt !== 0;
    if (wasPaired) this.pairedCount--;
    this.closedBytesAgentToTech += pair.bytesAgentToTech;
    this.closedBytesTechToAgent += pair.bytesTechToAgent;
    this.metrics.closed(outcome.closeCode);
    const now = Date.now();
    const event = {
      id: randomUUID(),
      type: 'closed',
      sessionId: pair.sessionId,
      channel: pair.channel,
      at: new Date(now).toISOString(),
      paired: wasPaired,
      closeCode: outcome.closeCode,
      reason: outcome.reason,
      initiator: outcome.initiator,
      bytesAgentToTech: pair.bytesAgentToTech,
      bytesTechToAgent: pair.bytesTechToAgent,
      durationMs: now - pair.createdAt,
    } as const;
    this.logger.info(
      {
        sid: event.sessionId,
        ch: event.channel,
        paired: wasPaired,
        code: event.closeCode,
        reason: event.reason,
        initiator: event.initiator,
        durationMs: event.durationMs,
      },
      'closed',
    );
    this.report(event);
    pair.recorder?.end();
  }

  sideError(pair: Pair, side: Side, err: Error): void {
    this.logger.debug(
      { sid: pair.sessionId, ch: pair.channel, role: side.role, err: err.message },
      'socket error',
    );
  }

  paused(kind: 'backpressure' | 'rate'): void {
    if (kind === 'backpressure') this.metrics.backpressurePauses++;
    else this.metrics.ratePauses++;
  }
}
