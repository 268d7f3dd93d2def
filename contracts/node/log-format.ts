import { pino, type LoggerOptions } from 'pino';

/** Which process wrote a log line (`service` on every line). */
export type LogService = 'portal' | 'relay';

/**
 * What every log line of the portal and the relay shares: `service` and `pid` on each line, and
 * `time` as ISO-8601 in UTC (`"time":"2026-01-31T12:00:00.000Z"`), so one query reads both.
 */
export function baseLogOptions(service: LogService): Pick<LoggerOptions, 'base' | 'timestamp'> {
  return { base: { service, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
}

/** The process exit code for bad configuration (sysexits EX_CONFIG): a restart will not help. */
export const EXIT_CONFIG = 78;

/**
 * Ends the process because it cannot start: ONE JSON line at level `fatal`, in the format of every
 * other line, on stderr (written synchronously, so it is out before the exit), then `exit(code)`.
 * `msg` is one sentence a person can act on; it must name no secret.
 */
export function exitWithFatal(
  service: LogService,
  msg: string,
  fields: Record<string, unknown> = {},
  code = EXIT_CONFIG,
): never {
  pino({ ...baseLogOptions(service), level: 'fatal' }, pino.destination({ dest: 2, sync: true })).fatal(
    fields,
    msg,
  );
  process.exit(code);
}
