/** Thrown when the environment is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  /** `subject` names whose configuration it is in the message ("relay configuration"). */
  constructor(
    readonly problems: readonly string[],
    subject = 'configuration',
  ) {
    super(`Invalid ${subject}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads environment variables with bounds, collecting every problem instead of stopping at the first.
 * Values are never echoed back in messages (some are secrets). The one reader of the portal
 * (src/config/app-config.ts) and the relay (relay/config.ts); the settings both read are parsed once,
 * in relay-settings.ts.
 */
export class EnvReader {
  private readonly problems: string[] = [];

  /** `subject` is what {@link ConfigError}'s message calls the configuration. */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly subject = 'configuration',
  ) {}

  fail(name: string, must: string): void {
    this.problems.push(`${name} ${must}`);
  }

  throwIfInvalid(): void {
    if (this.problems.length) throw new ConfigError(this.problems, this.subject);
  }

  /** The trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback: string, pattern: RegExp, what: string): string {
    return this.optionalString(name, pattern, what) ?? fallback;
  }

  optionalString(name: string, pattern: RegExp, what: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (!pattern.test(v)) {
      this.fail(name, `must be ${what}`);
      return undefined;
    }
    return v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = /^\d{1,16}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(name, `must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  /** `true`/`1`/`yes` or `false`/`0`/`no`. */
  flag(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(v)) return true;
    if (['0', 'false', 'no'].includes(v)) return false;
    this.fail(name, 'must be true or false');
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      this.fail(name, `must be one of: ${allowed.join(', ')}`);
      return fallback;
    }
    return v as T;
  }

  email(name: string, fallback: string): string {
    return this.string(name, fallback, /^[^\s@]{1,64}@[^\s@]{1,190}$/, 'an email address');
  }

  /** An origin (see {@link toOrigin}); required when there is no fallback. */
  origin(name: string, fallback: string | undefined): string | undefined {
    if (this.raw(name) === undefined) {
      if (fallback === undefined)
        this.fail(name, 'is required when NODE_ENV=production (e.g. https://portal.example.com)');
      return fallback;
    }
    return this.optionalOrigin(name) ?? fallback;
  }

  /** An origin (see {@link toOrigin}), or undefined when unset or invalid (then a problem is noted). */
  optionalOrigin(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const origin = toOrigin(v);
    if (origin === undefined)
      this.fail(name, 'must be an origin such as https://portal.example.com (no path)');
    return origin;
  }

  /** A comma-separated list of origins (`https://portal.example.com`, no path). */
  origins(name: string, fallback: readonly string[]): readonly string[] {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const origins = items.map(toOrigin);
    if (items.length === 0 || items.length > 50 || origins.some((o) => o === undefined)) {
      this.fail(
        name,
        'must be a comma-separated list of origins such as https://portal.example.com (no paths, at most 50)',
      );
      return fallback;
    }
    return origins as string[];
  }

  wsUrl(name: string, fallback: string): string {
    return this.url(name, fallback, ['ws:', 'wss:'], 'a ws:// or wss:// URL such as wss://relay.example.com');
  }

  httpUrl(name: string, fallback: string): string {
    return this.url(name, fallback, ['http:', 'https:'], 'an http:// or https:// URL');
  }

  /** A URL of one of `protocols`, without user, query or fragment; trailing slashes dropped. */
  private url(name: string, fallback: string, protocols: readonly string[], what: string): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const url = parseUrl(v);
    if (!url || !protocols.includes(url.protocol) || url.username || url.search || url.hash) {
      this.fail(name, `must be ${what}`);
      return fallback;
    }
    return v.replace(/\/+$/, '');
  }

  /** An http(s) URL, or `off` (returned as null). */
  optionalHttpUrl(name: string, fallback: string | null): string | null {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (v === 'off') return null;
    const url = parseUrl(v);
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.hash) {
      this.fail(name, 'must be an http:// or https:// URL, or off');
      return fallback;
    }
    return url.toString();
  }

  optionalDatabaseUrl(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const url = parseUrl(v);
    if (!url || !['postgres:', 'postgresql:'].includes(url.protocol)) {
      this.fail(name, 'must be a postgres:// URL (leave it unset to use the embedded database)');
      return undefined;
    }
    return v;
  }
}

/** The origin of an http(s) URL with no credentials, path, query or fragment; undefined otherwise. */
export function toOrigin(value: string): string | undefined {
  const url = parseUrl(value);
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password) return undefined;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return undefined;
  return url.origin;
}

function parseUrl(v: string): URL | undefined {
  try {
    return new URL(v);
  } catch {
    return undefined;
  }
}
