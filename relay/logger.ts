import { pino, type Logger } from 'pino';
import type { RelayLogLevel } from './config';

export type RelayLogger = Logger;

/**
 * Structured JSON lines on stdout. Call sites never pass tokens, secrets or raw headers; the redaction
 * list is a second line of defence should a header object ever be logged by mistake.
 * Writes are asynchronous (lines logged in one tick leave in one write): a synchronous write per line
 * cost more than a quarter of a pair setup. main.ts flushes before exiting.
 */
export function createRelayLogger(level: RelayLogLevel): RelayLogger {
  return pino(
    {
      level,
      base: { service: 'relay', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'token',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'headers["sec-websocket-protocol"]',
          '*.headers.authorization',
          '*.headers["sec-websocket-protocol"]',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: 1, sync: false }),
  );
}
