import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { pino, type Logger } from 'pino';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import { baseLogOptions } from '../../contracts/node/log-format';
import { redactUrl } from '../common/log-redaction';
import type { AppConfig } from '../config/app-config';

/** Paths whose values are replaced by "[redacted]" wherever they appear in a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

/** One pino logger per portal (per config: tests run several portals in one process). */
const loggers = new WeakMap<AppConfig, Logger>();

/** The portal's structured JSON logger on stdout; same line format as the relay's (contracts/node/log-format.ts). */
export function portalLogger(config: AppConfig): Logger {
  let logger = loggers.get(config);
  if (!logger) {
    logger = pino({
      ...baseLogOptions('portal'),
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    });
    loggers.set(config, logger);
  }
  return logger;
}

function httpLogOptions(config: AppConfig): Options {
  return {
    logger: portalLogger(config),
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    quietReqLogger: true,
  };
}

/**
 * The one "request completed" line per request: mounted by app-setup.ts as the first middleware, so
 * it sees everything (API, connect page, dashboard, files, 404s), once. Request lines carry no
 * headers, bodies or tokens (the connect-page token in the path becomes `[token]`).
 */
export function requestLogger(config: AppConfig): HttpLogger {
  return pinoHttp({
    ...httpLogOptions(config),
    autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/api/health') },
  });
}

/**
 * nestjs-pino, for the request context of the logs Nest code writes (`reqId` on them). It writes no
 * request lines itself: Nest mounts its middleware twice on routes outside the /api prefix (the
 * prefix's exclusions plus the controller routes they cover), which used to log every connect-page
 * request twice.
 */
export function loggerOptions(config: AppConfig): Params {
  return { pinoHttp: { ...httpLogOptions(config), autoLogging: false } };
}
