/**
 * A tiny hand-written reader for untrusted JSON objects, used by the agent-protocol validators in this
 * folder (registration.ts, control-message-parser.ts, channel-frames.ts). Each accessor checks one
 * field and throws {@link ProtocolViolation} naming it; nothing unchecked is ever copied into the
 * result.
 */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

/**
 * C0 and C1 controls, DEL, line/paragraph separators and bidi overrides: never allowed in a string a
 * person will read (host names, reasons, messages), so a value cannot forge log lines or reorder text.
 */
const DISPLAY_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Like {@link DISPLAY_FORBIDDEN} but tab, LF and CR are allowed (command lines, terminal text). */
const MULTILINE_FORBIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

export interface StringRule {
  /** Longest accepted length in UTF-16 code units. */
  max: number;
  /** Shortest accepted length (default 1). */
  min?: number;
  /** When set, the whole value must match. */
  pattern?: RegExp;
  /** `display` (default): one line of text; `multiline`: tab/CR/LF allowed; `raw`: any text (output data). */
  text?: 'display' | 'multiline' | 'raw';
}

export interface IntRule {
  min: number;
  max: number;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class FieldReader {
  constructor(
    private readonly source: Record<string, unknown>,
    private readonly where: string,
  ) {}

  private fail(name: string, what: string): never {
    throw new ProtocolViolation(`${this.where}.${name} ${what}`);
  }

  has(name: string): boolean {
    return this.source[name] !== undefined && this.source[name] !== null;
  }

  string(name: string, rule: StringRule): string {
    const value = this.source[name];
    if (typeof value !== 'string') this.fail(name, 'must be a string');
    const min = rule.min ?? 1;
    if (value.length < min || value.length > rule.max)
      this.fail(name, `must be ${min}–${rule.max} characters`);
    const text = rule.text ?? 'display';
    if (text === 'display' && DISPLAY_FORBIDDEN.test(value)) this.fail(name, 'contains control characters');
    if (text === 'multiline' && MULTILINE_FORBIDDEN.test(value))
      this.fail(name, 'contains control characters');
    if (rule.pattern && !rule.pattern.test(value)) this.fail(name, 'has an invalid format');
    return value;
  }

  /** A string or null (a value that may be unknown, like a program's version). The field must be present. */
  nullableString(name: string, rule: StringRule): string | null {
    return this.source[name] === null ? null : this.string(name, rule);
  }

  optionalString(name: string, rule: StringRule): string | undefined {
    return this.has(name) ? this.string(name, rule) : undefined;
  }

  int(name: string, rule: IntRule): number {
    const value = this.source[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(name, 'must be an integer');
    if (value < rule.min || value > rule.max) this.fail(name, `must be between ${rule.min} and ${rule.max}`);
    return value;
  }

  optionalInt(name: string, rule: IntRule): number | undefined {
    return this.has(name) ? this.int(name, rule) : undefined;
  }

  /** An integer or null (exit codes of killed processes). */
  nullableInt(name: string, rule: IntRule): number | null {
    return this.source[name] === null ? null : this.int(name, rule);
  }

  boolean(name: string): boolean {
    const value = this.source[name];
    if (typeof value !== 'boolean') this.fail(name, 'must be true or false');
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.source[name];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(name, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    return this.has(name) ? this.oneOf(name, allowed) : undefined;
  }

  /** An array of at most `max` items, each read by `item`. */
  array<T>(name: string, max: number, item: (value: unknown, where: string) => T): T[] {
    const value = this.source[name];
    if (!Array.isArray(value)) this.fail(name, 'must be an array');
    if (value.length > max) this.fail(name, `must hold at most ${max} items`);
    return value.map((v, i) => item(v, `${this.where}.${name}[${i}]`));
  }

  object(name: string): FieldReader {
    const value = this.source[name];
    if (!isPlainObject(value)) this.fail(name, 'must be an object');
    return new FieldReader(value, `${this.where}.${name}`);
  }
}

/** A reader over `value`, or a violation when it is not a JSON object. */
export function readerFor(value: unknown, where: string): FieldReader {
  if (!isPlainObject(value)) throw new ProtocolViolation(`${where} must be a JSON object`);
  return new FieldReader(value, where);
}
