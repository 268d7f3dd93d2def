import { isRelayChannel, isRelaySessionId } from './relay-subject';

/**
 * Messages between the relay and the portal, signed as described in node/relay-signature.ts:
 * - relay → portal `POST /api/relay/events` with a {@link RelayEventBatch} (purpose `events`);
 * - portal → relay `POST /control/close` with a {@link RelayCloseRequest} (purpose `control`).
 * Every message carries a UUID `id`; receivers process an id at most once.
 */
export const RELAY_EVENTS_PATH = '/api/relay/events';
export const RELAY_CONTROL_CLOSE_PATH = '/control/close';
export const RELAY_EVENT_BATCH_MAX = 100;
/** Largest accepted body of either message, in bytes. */
export const RELAY_MESSAGE_MAX_BYTES = 64 * 1024;
export const RELAY_CLOSE_REASON_MAX_CHARS = 100;

export type RelaySide = 'agent' | 'tech';

interface RelayEventBase {
  /** UUID, unique per event: the idempotency key. */
  readonly id: string;
  readonly sessionId: string;
  readonly channel: string;
  /** ISO-8601 time the relay observed the event. */
  readonly at: string;
}

/** Both sides of (session, channel) are connected; bytes now flow. */
export interface RelayPairedEvent extends RelayEventBase {
  readonly type: 'paired';
}

/** A pair (or a lone side that never paired) was closed. */
export interface RelayClosedEvent extends RelayEventBase {
  readonly type: 'closed';
  readonly paired: boolean;
  /** Close code from relay-close-codes.ts and its name (e.g. 4013 / `peer_left`). */
  readonly closeCode: number;
  readonly reason: string;
  /** Who ended it: a side leaving or sending an endpoint code, the relay (timeouts, limits), or the portal. */
  readonly initiator: RelaySide | 'relay' | 'portal';
  readonly bytesAgentToTech: number;
  readonly bytesTechToAgent: number;
  /** Milliseconds from the first side's arrival to the close. */
  readonly durationMs: number;
}

export type RelayEvent = RelayPairedEvent | RelayClosedEvent;
export type RelayEventType = RelayEvent['type'];

export interface RelayEventBatch {
  readonly events: readonly RelayEvent[];
}

/** The portal's answer to a {@link RelayEventBatch}: events applied now, and ids it had already seen. */
export interface RelayEventsAcceptedResponse {
  readonly accepted: number;
  readonly duplicates: number;
}

/** Ask the relay to close every pair of a session (or one channel of it). */
export interface RelayCloseRequest {
  readonly id: string;
  readonly sessionId: string;
  readonly channel?: string;
  /** Shown to both sides as the WebSocket close reason (code 4015). */
  readonly reason: string;
}

export interface RelayCloseResponse {
  /** Pairs (or lone sides) closed by this request; 0 for a repeated request. */
  readonly closed: number;
}

export class RelayMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayMessageError';
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const INITIATORS = new Set(['agent', 'tech', 'relay', 'portal']);
/** Close reasons are counted in UTF-8 bytes (TextEncoder, not Buffer: this module runs in browsers too). */
const UTF8 = new TextEncoder();

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** A close reason safe to put in a close frame and a log line: printable, ≤ 100 chars, ≤ 123 bytes. */
export function isSafeCloseReason(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= RELAY_CLOSE_REASON_MAX_CHARS &&
    UTF8.encode(value).length <= 123 &&
    !CONTROL_CHARS.test(value)
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isIsoTime = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));

function parseEvent(value: unknown, index: number): RelayEvent {
  const fail = (what: string): never => {
    throw new RelayMessageError(`events[${index}]: ${what}`);
  };
  if (!isRecord(value)) return fail('must be an object');
  const { id, type, sessionId, channel, at } = value;
  if (!isUuid(id)) fail('id must be a UUID');
  if (!isRelaySessionId(sessionId)) fail('sessionId is invalid');
  if (!isRelayChannel(channel)) fail('channel is invalid');
  if (!isIsoTime(at)) fail('at must be an ISO time');
  const base = {
    id: id as string,
    sessionId: sessionId as string,
    channel: channel as string,
    at: at as string,
  };
  if (type === 'paired') return { ...base, type };
  if (type !== 'closed') return fail('type must be paired or closed');
  const { paired, closeCode, reason, initiator, bytesAgentToTech, bytesTechToAgent, durationMs } = value;
  if (typeof paired !== 'boolean') fail('paired must be a boolean');
  if (!Number.isInteger(closeCode) || (closeCode as number) < 1000 || (closeCode as number) > 4999)
    fail('closeCode is invalid');
  if (typeof reason !== 'string' || !NAME_PATTERN.test(reason)) fail('reason is invalid');
  if (typeof initiator !== 'string' || !INITIATORS.has(initiator)) fail('initiator is invalid');
  if (!isCount(bytesAgentToTech) || !isCount(bytesTechToAgent) || !isCount(durationMs))
    fail('counters must be whole numbers');
  return {
    ...base,
    type,
    paired: paired as boolean,
    closeCode: closeCode as number,
    reason: reason as string,
    initiator: initiator as RelayClosedEvent['initiator'],
    bytesAgentToTech: bytesAgentToTech as number,
    bytesTechToAgent: bytesTechToAgent as number,
    durationMs: durationMs as number,
  };
}

/** Validates a parsed events body; throws {@link RelayMessageError} naming the first problem. */
export function parseRelayEventBatch(value: unknown): RelayEvent[] {
  if (!isRecord(value) || !Array.isArray(value.events))
    throw new RelayMessageError('body must be { events: [...] }');
  const events: unknown[] = value.events;
  if (events.length < 1 || events.length > RELAY_EVENT_BATCH_MAX) {
    throw new RelayMessageError(`events must hold 1 to ${RELAY_EVENT_BATCH_MAX} items`);
  }
  return events.map(parseEvent);
}

/** Validates a parsed close request; throws {@link RelayMessageError}. */
export function parseRelayCloseRequest(value: unknown): RelayCloseRequest {
  if (!isRecord(value)) throw new RelayMessageError('body must be an object');
  const { id, sessionId, channel, reason } = value;
  if (!isUuid(id)) throw new RelayMessageError('id must be a UUID');
  if (!isRelaySessionId(sessionId)) throw new RelayMessageError('sessionId is invalid');
  if (channel !== undefined && !isRelayChannel(channel)) throw new RelayMessageError('channel is invalid');
  if (!isSafeCloseReason(reason))
    throw new RelayMessageError(
      `reason must be printable text of at most ${RELAY_CLOSE_REASON_MAX_CHARS} characters`,
    );
  return channel === undefined ? { id, sessionId, reason } : { id, sessionId, channel, reason };
}
