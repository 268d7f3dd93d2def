import type { ErrorRequestHandler, Express, Response } from 'express';
import { json, urlencoded } from 'express';
import type { IncomingMessage } from 'node:http';
import type { ApiErrorBody } from '../../../contracts/api/errors';
import { ErrorCode } from '../domain-error';

/** Requests under this path keep their raw body as `req.rawBody` (for signature checks). */
export const RAW_BODY_PREFIX = '/api/relay/';

/** Largest JSON or form body the portal accepts. */
export const BODY_LIMIT = '64kb';

/**
 * JSON and form parsers with a bounded size, followed by an error handler that turns their failures
 * into the portal's `{ code, message }` shape (400 malformed JSON, 413 too large), with no stack trace.
 */
export function installBodyParsers(app: Express): void {
  app.use(
    json({
      limit: BODY_LIMIT,
      strict: true,
      // Signed relay messages are verified over the exact bytes received.
      verify: (req: IncomingMessage & { rawBody?: Buffer }, _res, buf) => {
        if (req.url?.startsWith(RAW_BODY_PREFIX)) req.rawBody = Buffer.from(buf);
      },
    }),
  );
  app.use(urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 50 }));
  const onBodyError: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
    if (err.type === 'entity.too.large' || err.status === 413) {
      fail(res, 413, {
        code: ErrorCode.PayloadTooLarge,
        message: `The request body is larger than ${BODY_LIMIT}.`,
      });
      return;
    }
    if (err.type === 'entity.parse.failed') {
      fail(res, 400, { code: ErrorCode.MalformedJson, message: 'The request body is not valid JSON.' });
      return;
    }
    if (err.status && err.status >= 400 && err.status < 500) {
      fail(res, 400, { code: ErrorCode.ValidationFailed, message: 'The request body could not be read.' });
      return;
    }
    next(err);
  };
  app.use(onBodyError);
}

function fail(res: Response, status: number, body: ApiErrorBody): void {
  res.status(status).json(body);
}
