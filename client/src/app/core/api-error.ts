import { HttpErrorResponse } from '@angular/common/http';

import { binaryErrorBody, isErrorBody } from './error-body';

/** Seconds from a Retry-After header (delta-seconds or HTTP-date); null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Headers kept on an ApiError (lower-case names; values bounded). */
const DETAIL_HEADERS = ['x-recording-broken-at'] as const;

/**
 * Every failed API call reaches components as an ApiError (the interceptor converts them), so pages
 * branch on `code` and show `message` without knowing about HttpErrorResponse.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From Retry-After on 429 answers. */
    readonly retryAfterSeconds: number | null = null,
    /**
     * Headers of the answer that say more about the error (`X-Recording-Broken-At` on 409
     * `recording_broken`), by lower-case name; empty when none.
     */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static fromResponse(response: HttpErrorResponse): ApiError {
    if (response.status === 0) {
      return new ApiError(
        0,
        'network_error',
        'Cannot reach the server. Check your connection and try again.',
      );
    }
    const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
    if (response.status === 429) {
      const message =
        retryAfter === null
          ? 'Too many attempts — wait a moment and try again.'
          : `Too many attempts — try again in ${retryAfter} s.`;
      return new ApiError(429, 'rate_limited', message, retryAfter);
    }
    const body: unknown = binaryErrorBody(response.error) ?? response.error;
    if (isErrorBody(body)) {
      const details: Record<string, string> = {};
      for (const name of DETAIL_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) details[name] = value.slice(0, 100);
      }
      return new ApiError(response.status, body.code, body.message, retryAfter, details);
    }
    return new ApiError(
      response.status,
      'unexpected_response',
      `The server answered with an unexpected error (HTTP ${response.status}).`,
    );
  }
}

/** Normalises anything thrown by an API call into an ApiError (network failures, bugs included). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HttpErrorResponse) return ApiError.fromResponse(error);
  return new ApiError(
    0,
    'client_error',
    'Something went wrong in the dashboard. Reload the page and try again.',
  );
}
