import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ApiErrorBody } from '../../../contracts/api/errors';
import { isDatabaseUnavailable } from '../../database/database-unavailable';
import { DomainError, ErrorCode } from '../domain-error';

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  410: ErrorCode.Gone,
  413: ErrorCode.PayloadTooLarge,
  429: ErrorCode.RateLimited,
  503: ErrorCode.Unavailable,
};

/** The answer to any request that fails because the database is unreachable (also used by app-setup). */
export const DATABASE_UNAVAILABLE = {
  status: HttpStatus.SERVICE_UNAVAILABLE,
  code: ErrorCode.Unavailable,
  message: 'The portal cannot reach its database right now. Please try again in a moment.',
  headers: { 'Retry-After': '30' },
} as const;

const INTERNAL_MESSAGE =
  'Something went wrong on our side. Try again; if it keeps happening, ask your administrator to check the portal logs.';

/** The one place errors become HTTP: `{ code, message }`, never a stack trace or internal detail. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const { status, code, message, headers } = this.describe(exception);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(status).json({ code, message } satisfies ApiErrorBody);
  }

  private describe(exception: unknown): {
    status: number;
    code: string;
    message: string;
    headers: Readonly<Record<string, string>>;
  } {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) this.logger.error(exception.message, exception.stack);
      const code = STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed);
      return { status, code, message: this.httpMessage(exception, status), headers: {} };
    }
    if (isDatabaseUnavailable(exception)) return this.databaseUnavailable(exception);
    this.logger.error(
      exception instanceof Error ? exception.message : 'Non-error thrown',
      exception instanceof Error ? exception.stack : undefined,
    );
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCode.Internal,
      message: INTERNAL_MESSAGE,
      headers: {},
    };
  }

  /** A database outage is temporary: 503 with Retry-After, logged once per request as a warning. */
  private databaseUnavailable(exception: unknown): ReturnType<AllExceptionsFilter['describe']> {
    this.logger.warn(`Database unavailable: ${exception instanceof Error ? exception.message : 'unknown'}`);
    return DATABASE_UNAVAILABLE;
  }

  private httpMessage(exception: HttpException, status: number): string {
    if (status === 404) return 'Nothing was found at this address.';
    if (status >= 500) return INTERNAL_MESSAGE;
    const body = exception.getResponse();
    if (typeof body === 'object' && body && 'message' in body) {
      const m = body.message;
      if (Array.isArray(m)) return m.map(String).join('; ');
      if (typeof m === 'string') return m;
    }
    return exception.message;
  }
}
