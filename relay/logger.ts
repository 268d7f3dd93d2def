import { pino, type Logger } from 'pino';
import { baseLogOptions } from '../contracts/node/log-format';
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
      ...baseLogOptions('relay'),
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
