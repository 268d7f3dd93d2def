import { isRelayChannel, isRelaySessionId } from './relay-subject';
import {
  RECORDING_INCOMPLETE_REASONS,
  RECORDING_MAX_CHUNKS,
  isRecordedChannel,
  isRecordingId,
  type RecordingIncompleteReason,
  type RecordingMode,
} from './recording/format';

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

/** Why the relay could not record (contracts/node/recording-store.ts `RecordingStoreFailure`). */
export const RECORDING_FAILURES = ['unavailable', 'full', 'read_only', 'exists', 'bad_name', 'io'] as const;
export type RecordingFailure = (typeof RECORDING_FAILURES)[number];

interface RecordingEventBase extends RelayEventBase {
  /** The recording's id (its folder or object prefix in the store). */
  readonly recordingId: string;
}

/** The relay started recording a paired channel (before the first byte was forwarded). */
export interface RecordingStartedEvent extends RecordingEventBase {
  readonly type: 'recording_started';
  readonly mode: RecordingMode;
  readonly technicianId: string | null;
  readonly deviceId: string | null;
}

/**
 * A chunk was closed durably and the manifest names it. `head` is the hash-chain link after chunk
 * `chunks - 1` (contracts/node/recording-chain.ts): the portal keeps the latest, so a manifest rewritten
 * in the store afterwards no longer reaches it.
 */
export interface RecordingProgressEvent extends RecordingEventBase {
  readonly type: 'recording_progress';
  readonly chunks: number;
  readonly bytes: number;
  readonly head: string;
}

/**
 * The store refused the recording's bytes. In `required` mode the relay has closed the channel with
 * 4016 `recording_failed` (the portal ends the session with that reason); in `optional` mode the channel
 * goes on and the recording is finished as incomplete.
 */
export interface RecordingFailedEvent extends RecordingEventBase {
  readonly type: 'recording_failed';
  readonly mode: RecordingMode;
  readonly failure: RecordingFailure;
}

/** The recording was closed: its final chunk count, bytes and head, and whether it is whole. */
export interface RecordingFinishedEvent extends RecordingEventBase {
  readonly type: 'recording_finished';
  readonly chunks: number;
  readonly bytes: number;
  readonly head: string;
  readonly complete: boolean;
  readonly incompleteReason: RecordingIncompleteReason | null;
  /** Milliseconds from the recording's start to its end. */
  readonly durationMs: number;
}

export type RecordingEvent =
  RecordingStartedEvent | RecordingProgressEvent | RecordingFailedEvent | RecordingFinishedEvent;

export type RelayEvent = RelayPairedEvent | RelayClosedEvent | RecordingEvent;
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
  if (typeof type === 'string' && type.startsWith('recording_'))
    return parseRecordingEvent(value, base, fail);
  if (type !== 'closed') return fail('type must be paired, closed or recording_*');
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

const HEX64 = /^[0-9a-f]{64}$/;
const ID_OR_NULL = (v: unknown): boolean => v === null || isRelaySessionId(v);

function parseRecordingEvent(
  value: Record<string, unknown>,
  base: RelayEventBase,
  fail: (what: string) => never,
): RecordingEvent {
  // Destructured (not `value.x`), so the dashboard's stricter tsconfig accepts the reads.
  const { type, recordingId, mode: modeValue, technicianId, deviceId, failure } = value;
  if (!isRecordedChannel(base.channel)) fail('channel is not a recorded channel');
  if (!isRecordingId(recordingId)) fail('recordingId is invalid');
  const rec = { ...base, recordingId: recordingId };
  const counters = (): { chunks: number; bytes: number; head: string } => {
    const { chunks, bytes, head } = value;
    if (!isCount(chunks) || chunks > RECORDING_MAX_CHUNKS || !isCount(bytes))
      fail('chunks and bytes must be whole numbers');
    if (typeof head !== 'string' || !HEX64.test(head)) fail('head must be a hex SHA-256');
    return { chunks: chunks, bytes: bytes, head: head };
  };
  const mode = (): RecordingMode =>
    modeValue === 'optional' || modeValue === 'required' ? modeValue : fail('mode is invalid');
  switch (type) {
    case 'recording_started':
      if (!ID_OR_NULL(technicianId) || !ID_OR_NULL(deviceId))
        fail('technicianId and deviceId must be ids or null');
      return {
        ...rec,
        type,
        mode: mode(),
        technicianId: technicianId as string | null,
        deviceId: deviceId as string | null,
      };
    case 'recording_progress':
      return { ...rec, type, ...counters() };
    case 'recording_failed':
      if (!(RECORDING_FAILURES as readonly unknown[]).includes(failure)) fail('failure is invalid');
      return { ...rec, type, mode: mode(), failure: failure as RecordingFailure };
    case 'recording_finished': {
      const { complete, incompleteReason, durationMs } = value;
      if (typeof complete !== 'boolean') fail('complete must be a boolean');
      if (
        incompleteReason !== null &&
        !(RECORDING_INCOMPLETE_REASONS as readonly unknown[]).includes(incompleteReason)
      )
        fail('incompleteReason is invalid');
      if (complete === (incompleteReason !== null)) fail('complete and incompleteReason disagree');
      if (!isCount(durationMs)) fail('durationMs must be a whole number');
      return {
        ...rec,
        type,
        ...counters(),
        complete: complete,
        incompleteReason: incompleteReason as RecordingIncompleteReason | null,
        durationMs: durationMs,
      };
    }
    default:
      return fail('type is not a known recording event');
  }
}

/** Validates a parsed events body; throws {@link RelayMessageError} naming the first problem. */
export function parseRelayEventBatch(value: unknown): RelayEvent[] {
  const { events } = isRecord(value) ? value : { events: undefined };
  if (!Array.isArray(events)) throw new RelayMessageError('body must be { events: [...] }');
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
