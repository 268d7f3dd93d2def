/** Thrown when the relay's environment is invalid; the message names every bad variable. */
export class RelayConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid relay configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RelayConfigError';
  }
}

/**
 * Reads environment variables with bounds, collecting every problem. Values are never echoed back in
 * messages (some are secrets). The relay keeps its own small reader: it imports nothing from the portal.
 */
export class RelayEnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  fail(name: string, must: string): void {
    this.problems.push(`${name} ${must}`);
  }

  throwIfInvalid(): void {
    if (this.problems.length) throw new RelayConfigError(this.problems);
  }

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

  flag(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(v.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(v.toLowerCase())) return false;
    this.fail(name, 'must be 1 or 0 (true or false)');
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
}

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
