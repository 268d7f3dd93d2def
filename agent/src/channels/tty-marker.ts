/**
 * Strips the OSC marker the PTY bootstrap prints (`ESC ] 777 ; qs-tty ; <path> BEL`) from the start of
 * a shell's output and reports the PTY path. Bytes before the marker pass through; once the marker is
 * seen, or `maxBuffered` bytes went by without it, the filter is a no-op.
 */
const PREFIX = Buffer.from('\u001b]777;qs-tty;');
const BEL = 0x07;
const TTY_PATH = /^\/dev\/(pts\/\d{1,6}|ttys\d{1,6}|tty[A-Za-z0-9]{1,8})$/;

export class TtyMarkerFilter {
  private pending = Buffer.alloc(0);
  private done = false;
  ttyPath: string | undefined;

  constructor(private readonly maxBuffered = 4096) {}

  /** Output to forward for this chunk (possibly empty while the marker may still be arriving). */
  push(chunk: Buffer): Buffer {
    if (this.done) return chunk;
    this.pending = Buffer.concat([this.pending, chunk]);
    const start = this.pending.indexOf(PREFIX);
    if (start >= 0) {
      const end = this.pending.indexOf(BEL, start + PREFIX.length);
      if (end < 0) return this.pending.length > this.maxBuffered ? this.flush() : Buffer.alloc(0);
      const path = this.pending.subarray(start + PREFIX.length, end).toString('utf8');
      if (TTY_PATH.test(path)) this.ttyPath = path;
      const out = Buffer.concat([this.pending.subarray(0, start), this.pending.subarray(end + 1)]);
      this.pending = Buffer.alloc(0);
      this.done = true;
      return out;
    }
    // Keep only a tail that could be the start of the prefix; forward the rest.
    if (this.pending.length > this.maxBuffered) return this.flush();
    const keep = partialPrefixLength(this.pending);
    const out = this.pending.subarray(0, this.pending.length - keep);
    this.pending = this.pending.subarray(this.pending.length - keep);
    return Buffer.from(out);
  }

  /** Gives up on the marker and returns whatever was held back. */
  flush(): Buffer {
    const out = this.pending;
    this.pending = Buffer.alloc(0);
    this.done = true;
    return out;
  }
}

/** Length of the longest suffix of `buf` that is a proper prefix of the marker prefix. */
function partialPrefixLength(buf: Buffer): number {
  for (let n = Math.min(PREFIX.length - 1, buf.length); n > 0; n--) {
    if (buf.subarray(buf.length - n).equals(PREFIX.subarray(0, n))) return n;
  }
  return 0;
}
