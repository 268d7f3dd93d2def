/**
 * The agent's diagnostic log: one line per event on stderr, never a token or credential. Values that
 * came from the portal, a relay or a process are passed through {@link safe} so they cannot forge lines.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface AgentLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** One line of printable text: control characters become `?`, long values are cut. */
export function safe(value: unknown, max = 200): string {
  const text = value instanceof Error ? value.message : String(value);
  return redactSecrets(
    text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?'),
  ).slice(0, max);
}

/** Defence in depth: anything shaped like a JWT or a bearer credential is masked. */
export function redactSecrets(text: string): string {
  return text
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\b[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g, '[redacted-token]');
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
): AgentLogger {
  const at = ORDER[level];
  const emit = (l: Exclude<LogLevel, 'silent'>, message: string): void => {
    if (ORDER[l] < at) return;
    write(`${new Date().toISOString()} ${l.toUpperCase()} ${redactSecrets(message)}\n`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}
