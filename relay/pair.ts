import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { RelayCloseCode, describeCloseCode, isEndpointCloseCode } from '../contracts/relay-close-codes';
import { isSafeCloseReason, type RelayClosedEvent } from '../contracts/relay-events';
import type { RelayRecordingClaim, RelayRole } from '../contracts/node/relay-token';
import type { Recorder } from './recording/recorder';
import { PAUSE_BACKPRESSURE, PAUSE_RATE, PAUSE_TURN, PAUSE_UNPAIRED, Side } from './side';

export interface PairLimits {
  readonly pairTimeoutMs: number;
  readonly sessionTtlMs: number;
  readonly highWatermarkBytes: number;
  /** Both directions together; 0 = unlimited. */
  readonly rateBytesPerSec: number;
}

export interface PairOutcome {
  readonly closeCode: number;
  readonly reason: string;
  readonly initiator: RelayClosedEvent['initiator'];
}

/** What a pair tells its registry. */
export interface PairListener {
  paired(pair: Pair): void;
  closed(pair: Pair, outcome: PairOutcome): void;
  sideError(pair: Pair, side: Side, err: Error): void;
  paused(kind: 'backpressure' | 'rate'): void;
}

/**
 * Bytes one side may forward before it yields the event loop for a turn. Without it, one bulk socket
 * can be read for several milliseconds per loop iteration (libuv reads a ready socket up to 32 times),
 * delaying every interactive message behind it.
 */
export const TURN_BYTES = 256 * 1024;

const SEND_BINARY = { binary: true } as const;
const SEND_TEXT = { binary: false } as const;

/*
 * WebSocket listeners are shared functions that find their side through this map, not closures per
 * socket: at thousands of idle pairs, eight closures per pair are a visible part of the memory.
 */
const sides = new WeakMap<object, Side>();

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const side = sides.get(this);
  if (side) side.pair.forward(side, data as Buffer, isBinary);
}

function onPong(this: WebSocket): void {
  sides.get(this)?.markPong();
}

function onError(this: WebSocket, err: Error): void {
  const side = sides.get(this);
  if (side) side.pair.sideFailed(side, err);
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  const side = sides.get(this);
  if (side) side.pair.sideClosed(side, code, reason);
}

const onPairTimeout = (pair: Pair): void => pair.close(RelayCloseCode.PairTimeout, 'relay');
const onSessionTtl = (pair: Pair): void => pair.close(RelayCloseCode.SessionTtl, 'relay');
const resumeTurn = (side: Side): void => side.resume(PAUSE_TURN);

/**
 * One (session, channel): an agent side and a tech side and the bytes between them. Every message from
 * one side is sent to the other as is; when the receiver's queue passes the watermark the sender is
 * paused until the receiver's socket drains. A single timer runs at a time: the pair timeout while
 * waiting, the TTL once paired.
 */
export class Pair {
  agent: Side | undefined;
  tech: Side | undefined;
  readonly createdAt = Date.now();
  pairedAt = 0;
  bytesAgentToTech = 0;
  bytesTechToAgent = 0;
  private state: 'waiting' | 'paired' | 'closed' = 'waiting';
  private timer: NodeJS.Timeout | undefined;
  private held: Array<{ from: Side; data: Buffer; isBinary: boolean }> | undefined;
  private heldBytes = 0;
  /** Paired, but messages are held until the recorder has its first objects in the store (required). */
  private gated = false;
  private rateTokens: number;
  private rateAt = Date.now();
  private rateTimer: NodeJS.Timeout | undefined;
  /** Set when either side's token carries `rec` (the stricter mode wins). */
  recording: RelayRecordingClaim | undefined;
  /** The pair's recorder, from pairing to close (relay/recording/). */
  recorder: Recorder | undefined;

  constructor(
    readonly sessionId: string,
    readonly channel: string,
    private readonly limits: PairLimits,
    private readonly listener: PairListener,
  ) {
    this.rateTokens = limits.rateBytesPerSec;
    this.timer = setTimeout(onPairTimeout, limits.pairTimeoutMs, this);
  }

  get isPaired(): boolean {
    return this.state === 'paired';
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Adds a side; undefined when that role is already taken (the caller refuses the newcomer). */
  attach(role: RelayRole, ws: WebSocket, socket: Socket, rec?: RelayRecordingClaim): Side | undefined {
    if (this.state !== 'waiting' || this[role]) return undefined;
    if (rec && (!this.recording || (rec.mode === 'required' && this.recording.mode !== 'required')))
      this.recording = rec;
    const side = new Side(this, role, ws, socket);
    this[role] = side;
    sides.set(ws, side);
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
    if (this.agent && this.tech) this.startPiping(this.agent, this.tech);
    return side;
  }

  /** The relay ends the pair (timeout, TTL, portal, shutdown). Idempotent. */
  close(
    code: number,
    initiator: PairOutcome['initiator'],
    reason: string = describeCloseCode(code).message,
  ): void {
    if (this.state === 'closed') return;
    this.finish(
      { closeCode: code, reason: describeCloseCode(code).name, initiator },
      code,
      reason,
      undefined,
    );
  }

  sides(): Side[] {
    const out: Side[] = [];
    if (this.agent) out.push(this.agent);
    if (this.tech) out.push(this.tech);
    return out;
  }

  private startPiping(agent: Side, tech: Side): void {
    this.state = 'paired';
    this.pairedAt = Date.now();
    clearTimeout(this.timer);
    this.timer = setTimeout(onSessionTtl, this.limits.sessionTtlMs, this);
    agent.peer = tech;
    tech.peer = agent;
    this.listener.paired(this);
    if (!this.gated && this.state === 'paired') this.flushHeld();
  }

  /**
   * Called by the recorder while pairing: keep holding messages (both ways) until {@link release}, so
   * nothing reaches a peer before the recording is known to be writable.
   */
  holdUntilReleased(): void {
    if (this.state !== 'closed') this.gated = true;
  }

  /** Forwards the messages held so far and lets the sides be read again. */
  release(): void {
    if (!this.gated) return;
    this.gated = false;
    if (this.state === 'paired') this.flushHeld();
  }

  /** A message from `from`: to its peer, or held until the peer arrives. */
  forward(from: Side, data: Buffer, isBinary: boolean): void {
    if (this.state !== 'paired' || this.gated) {
      if (this.state !== 'closed') this.hold(from, data, isBinary);
      return;
    }
    const to = from.peer;
    if (!to) return;
    to.ws.send(data, isBinary ? SEND_BINARY : SEND_TEXT);
    const recorder = this.recorder;
    if (recorder !== undefined) {
      recorder.record(from, data, isBinary);
      if (this.state !== 'paired') return;
    }
    if (from.role === 'agent') this.bytesAgentToTech += data.length;
    else this.bytesTechToAgent += data.length;
    if (to.ws.bufferedAmount >= this.limits.highWatermarkBytes) this.throttle(from, to);
    if (this.limits.rateBytesPerSec > 0) this.spend(data.length);
    if ((from.turnBytes += data.length) >= TURN_BYTES) this.yieldTurn(from);
  }

  private yieldTurn(side: Side): void {
    side.turnBytes = 0;
    side.pause(PAUSE_TURN);
    setImmediate(resumeTurn, side);
  }

  /**
   * The receiver is behind: stop reading the sender until the receiver's socket drains. The drain
   * listener exists only while a sender waits, so idle pairs carry none.
   */
  private throttle(from: Side, to: Side): void {
    if (!to.socket.writableNeedDrain) return;
    if (from.pause(PAUSE_BACKPRESSURE)) this.listener.paused('backpressure');
    if (to.awaitingDrain) return;
    to.awaitingDrain = true;
    to.socket.once('drain', () => {
      to.awaitingDrain = false;
      from.resume(PAUSE_BACKPRESSURE);
    });
  }

  /** Token bucket over both directions; when empty, both sides wait for the refill. */
  private spend(bytes: number): void {
    const rate = this.limits.rateBytesPerSec;
    const now = Date.now();
    this.rateTokens = Math.min(rate, this.rateTokens + ((now - this.rateAt) * rate) / 1000) - bytes;
    this.rateAt = now;
    if (this.rateTokens >= 0 || this.rateTimer) return;
    for (const side of this.sides()) side.pause(PAUSE_RATE);
    this.listener.paused('rate');
    this.rateTimer = setTimeout(
      () => {
        this.rateTimer = undefined;
        for (const side of this.sides()) side.resume(PAUSE_RATE);
      },
      Math.ceil((-this.rateTokens / rate) * 1000),
    );
  }

  /** Messages sent before the peer arrived wait here (bounded by the watermark, then reading pauses). */
  private hold(from: Side, data: Buffer, isBinary: boolean): void {
    (this.held ??= []).push({ from, data, isBinary });
    this.heldBytes += data.length;
    if (this.heldBytes >= this.limits.highWatermarkBytes) from.pause(PAUSE_UNPAIRED);
  }

  private flushHeld(): void {
    const { held } = this;
    this.held = undefined;
    this.heldBytes = 0;
    if (held) for (const m of held) if (this.state === 'paired') this.forward(m.from, m.data, m.isBinary);
    for (const side of this.sides()) side.resume(PAUSE_UNPAIRED);
  }

  sideFailed(side: Side, err: Error): void {
    if ((err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') side.sentTooBig = true;
    this.listener.sideError(this, side, err);
  }

  sideClosed(side: Side, code: number, reason: Buffer): void {
    if (this.state === 'closed') return;
    if (side.unresponsive) {
      this.finish(
        { closeCode: RelayCloseCode.PeerUnresponsive, reason: 'peer_unresponsive', initiator: 'relay' },
        RelayCloseCode.PeerUnresponsive,
        undefined,
        side,
      );
    } else if (side.sentTooBig) {
      this.finish(
        { closeCode: RelayCloseCode.MessageTooBig, reason: 'message_too_big', initiator: 'relay' },
        RelayCloseCode.PeerLeft,
        undefined,
        side,
      );
    } else if (isEndpointCloseCode(code)) {
      const text = reason.toString('utf8');
      const forwarded = text && isSafeCloseReason(text) ? text : describeCloseCode(code).message;
      this.finish(
        { closeCode: code, reason: describeCloseCode(code).name, initiator: side.role },
        code,
        forwarded,
        side,
      );
    } else {
      this.finish(
        { closeCode: RelayCloseCode.PeerLeft, reason: 'peer_left', initiator: side.role },
        RelayCloseCode.PeerLeft,
        undefined,
        side,
      );
    }
  }

  private finish(
    outcome: PairOutcome,
    peerCode: number,
    peerReason: string | undefined,
    gone: Side | undefined,
  ): void {
    this.state = 'closed';
    clearTimeout(this.timer);
    clearTimeout(this.rateTimer);
    this.held = undefined;
    this.gated = false;
    const reason = peerReason ?? describeCloseCode(peerCode).message;
    for (const side of this.sides()) if (side !== gone) side.close(peerCode, reason);
    this.listener.closed(this, outcome);
  }
}
