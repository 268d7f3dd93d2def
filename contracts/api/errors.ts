/**
 * The body of every error answer from the portal's HTTP API: the global exception filter
 * (src/common/filters/all-exceptions.filter.ts) and the few handlers that answer before it (body
 * parsers, database outage, the API docs' 404) all send it.
 */
export interface ApiErrorBody {
  /** Stable: callers may branch on it (the portal's `ErrorCode` values, src/common/domain-error.ts). */
  code: string;
  /** For people, safe to show: never a secret or an internal detail. */
  message: string;
}
