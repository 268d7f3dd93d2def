/**
 * A small strict JSON checker for signed data. `JSON.parse` keeps the last of two equal keys, so
 * `{"role":"agent","role":"tech"}` reads as `tech` here and perhaps as `agent` in another parser; a
 * signed object must mean one thing. {@link findJsonProblem} scans the text once (no evaluation) and
 * reports a duplicate key (at any depth), a syntax error or excessive nesting.
 */
const MAX_DEPTH = 32;
const PRIMITIVE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;

class StrictJsonError extends Error {}

/** `undefined` when `text` is one well-formed JSON value without duplicate object keys; else why not. */
export function findJsonProblem(text: string): string | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (err) {
    if (err instanceof StrictJsonError || err instanceof SyntaxError) return err.message;
    throw err;
  }
}

class Scanner {
  private i = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.value(0);
    this.space();
    if (this.i !== this.text.length) this.fail('unexpected text after the value');
  }

  private fail(what: string): never {
    throw new StrictJsonError(`${what} at offset ${this.i}`);
  }

  private space(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i])) this.i++;
  }

  private value(depth: number): void {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') {
      this.string();
      return;
    }
    PRIMITIVE.lastIndex = this.i;
    const m = PRIMITIVE.exec(this.text);
    if (!m) this.fail('expected a value');
    this.i += m[0].length;
  }

  private object(depth: number): void {
    this.i++; // {
    const keys = new Set<string>();
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.fail('expected a key');
      const key = this.string();
      if (keys.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      keys.add(key);
      this.space();
      if (this.text[this.i] !== ':') this.fail('expected ":"');
      this.i++;
      this.value(depth + 1);
      this.space();
      const next = this.text[this.i++];
      if (next === '}') return;
      if (next !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(depth: number): void {
    this.i++; // [
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.value(depth + 1);
      this.space();
      const next = this.text[this.i++];
      if (next === ']') return;
      if (next !== ',') this.fail('expected "," or "]"');
    }
  }

  /** Reads a string literal and returns its decoded value (escapes resolved, as JSON.parse would). */
  private string(): string {
    const start = this.i++;
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === '\\') this.i += 2;
      else if (c === '"') {
        this.i++;
        return JSON.parse(this.text.slice(start, this.i)) as string;
      } else this.i++;
    }
    return this.fail('unterminated string');
  }
}
