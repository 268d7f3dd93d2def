/*
 * The portal's `{code, message}` error bodies, recognised in what Angular hands over. Plain
 * TypeScript without Angular, so a unit test can import it.
 */
import type { ApiErrorBody } from '../../../../contracts/api/errors';

export function isErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ApiErrorBody>).code === 'string' &&
    typeof (value as Partial<ApiErrorBody>).message === 'string'
  );
}

/**
 * The error body of a failed request made for bytes (`responseType: 'arraybuffer'`, a recording's
 * chunks): Angular hands the JSON over undecoded. Null when it is not JSON (or too long to be a body).
 */
export function binaryErrorBody(value: unknown): unknown {
  if (!(value instanceof ArrayBuffer) || value.byteLength > 4096) return null;
  try {
    return JSON.parse(new TextDecoder().decode(value)) as unknown;
  } catch {
    return null;
  }
}
