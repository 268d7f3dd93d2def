/** Thrown when the environment is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads environment variables with bounds, collecting every problem instead of stopping at the first.
 * Values are never echoed back in messages (some are secrets).
 */
export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  fail(name: string, must: string): void {
    this.problems.push(`${name} ${must}`);
  }

  throwIfInvalid(): void {
    if (this.problems.length) throw new ConfigError(this.problems);
  }

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback: string, pattern: RegExp, what: string): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!pattern.test(v)) {
      this.fail(name, `must be ${what}`);
      return fallback;
    }
    return v;
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
    const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
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

  /** An origin: scheme http/https, host, optional port; no path, query or credentials. */
  origin(name: string, fallback: string | undefined): string | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (fallback === undefined)
        this.fail(name, 'is required when NODE_ENV=production (e.g. https://portal.example.com)');
      return fallback;
    }
    const url = this.parseUrl(v);
    if (
      !url ||
      !['http:', 'https:'].includes(url.protocol) ||
      url.username ||
      url.password ||
      (url.pathname !== '/' && url.pathname !== '') ||
      url.search ||
      url.hash
    ) {
      this.fail(name, 'must be an origin such as https://portal.example.com (no path)');
      return fallback;
    }
    return url.origin;
  }

  wsUrl(name: string, fallback: string): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const url = this.parseUrl(v);
    if (!url || !['ws:', 'wss:'].includes(url.protocol) || url.username || url.search || url.hash) {
      this.fail(name, 'must be a ws:// or wss:// URL such as wss://relay.example.com');
      return fallback;
    }
    return v.replace(/\/+$/, '');
  }

  httpUrl(name: string, fallback: string): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const url = this.parseUrl(v);
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.search || url.hash) {
      this.fail(name, 'must be an http:// or https:// URL');
      return fallback;
    }
    return v.replace(/\/+$/, '');
  }

  optionalDatabaseUrl(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const url = this.parseUrl(v);
    if (!url || !['postgres:', 'postgresql:'].includes(url.protocol)) {
      this.fail(name, 'must be a postgres:// URL (leave it unset to use the embedded database)');
      return undefined;
    }
    return v;
  }

  private parseUrl(v: string): URL | undefined {
    try {
      return new URL(v);
    } catch {
      return undefined;
    }
  }
}
