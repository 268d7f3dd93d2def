import { ProtocolViolation } from './field-reader';
import { CONTROL_MAX_PAYLOAD } from './limits';

/** What every parser of the protocol answers: the checked value, or why it was refused. Never throws. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs a reader, turning a {@link ProtocolViolation} into a refusal; any other error is a bug and is thrown. */
export function attempt<T>(read: () => T): ParseResult<T> {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    if (err instanceof ProtocolViolation) return { ok: false, error: err.message };
    throw err;
  }
}

/** A frame as received (a JSON string, bounded by {@link CONTROL_MAX_PAYLOAD}) or an already decoded value. */
export function decode(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw.length > CONTROL_MAX_PAYLOAD) throw new ProtocolViolation('message is too large');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ProtocolViolation('message is not valid JSON');
  }
}
