import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { RelayRole } from '../contracts/node/relay-token';
import type { Pair } from './pair';

/** Why a side's reading is paused; a side reads again only when no reason is left. */
export const PAUSE_UNPAIRED = 1;
export const PAUSE_BACKPRESSURE = 2;
export const PAUSE_RATE = 4;
export const PAUSE_TURN = 8;
/** The recording store has not taken the bytes yet (relay/recording/recorder.ts). */
export const PAUSE_RECORDING = 16;

/**
 * One connected client of a pair: its WebSocket, the raw TCP socket under it (for drain events and
 * byte counters), pause reasons and heartbeat bookkeeping.
 */
export class Side {
  private pausedBy = 0;
  private pongSeen = true;
  private lastBytesRead = 0;
  private lastFlushed = 0;
  /** Set when the heartbeat cut this side, so its peer is told "unresponsive" rather than "left". */
  unresponsive = false;
  /** Set when this side sent a message larger than maxPayload (ws closes it with 1009). */
  sentTooBig = false;
  /** Bytes forwarded from this side since it last yielded its turn. */
  turnBytes = 0;
  /** The other side, once both are connected. */
  peer: Side | undefined;
  /** A sender waits for this side's socket to drain. */
  awaitingDrain = false;

  constructor(
    readonly pair: Pair,
    readonly role: RelayRole,
    readonly ws: WebSocket,
    readonly socket: Socket,
  ) {}

  get isPaused(): boolean {
    return this.pausedBy !== 0;
  }

  /** Returns true when this call paused the socket (it was reading before). */
  pause(reason: number): boolean {
    const wasReading = this.pausedBy === 0;
    this.pausedBy |= reason;
    if (wasReading) this.ws.pause();
    return wasReading;
  }

  resume(reason: number): void {
    if ((this.pausedBy & reason) === 0) return;
    this.pausedBy &= ~reason;
    if (this.pausedBy === 0 && this.ws.readyState === WebSocket.OPEN) this.ws.resume();
  }

  markPong(): void {
    this.pongSeen = true;
  }

  /**
   * One heartbeat tick. A side is alive if, since the previous tick, it answered a ping, sent anything,
   * or accepted queued bytes (a slow reader behind a long queue cannot answer pings in time). A side we
   * paused is not judged: we stopped reading it. Returns false for a side to cut; otherwise pings it.
   */
  heartbeat(): boolean {
    const s = this.socket;
    const flushed = s.bytesWritten - s.writableLength;
    const alive =
      this.pausedBy !== 0 ||
      this.pongSeen ||
      s.bytesRead !== this.lastBytesRead ||
      (s.writableLength > 0 && flushed !== this.lastFlushed);
    if (!alive) return false;
    this.pongSeen = false;
    if (this.pausedBy === 0 && this.ws.readyState === WebSocket.OPEN) this.ws.ping();
    this.lastBytesRead = s.bytesRead;
    this.lastFlushed = s.bytesWritten - s.writableLength;
    return true;
  }

  /** Closes with a code and reason, reading again so the client's closing frame is seen. */
  close(code: number, reason: string): void {
    this.pausedBy = 0;
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.resume();
      this.ws.close(code, reason);
    }
  }
}
