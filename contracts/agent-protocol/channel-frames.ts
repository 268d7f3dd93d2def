import { readerFor } from './field-reader';
import { attempt, decode, type ParseResult } from './parse-result';

/**
 * Relay channel framing (docs/protocol.md § Channels). Binary frames carry the channel's bytes; text
 * frames carry the small JSON control messages below.
 */
/** viewer → agent on a `shell` channel: the terminal's new size, applied with `stty -F <pty>`. */
export interface ShellResizeFrame {
  type: 'resize';
  cols: number;
  rows: number;
}
/** agent → viewer on a `shell` channel: the shell ended (the agent then closes with 1000). */
export interface ShellExitFrame {
  type: 'exit';
  exitCode: number | null;
}
export type ShellFrame = ShellResizeFrame | ShellExitFrame;

export const SHELL_MAX_COLS = 1000;
export const SHELL_MAX_ROWS = 500;

export function parseShellFrame(raw: unknown): ParseResult<ShellFrame> {
  return attempt(() => {
    const value = decode(raw);
    const r = readerFor(value, 'shell');
    const type = r.oneOf('type', ['resize', 'exit'] as const);
    if (type === 'exit')
      return { type, exitCode: r.nullableInt('exitCode', { min: -2147483648, max: 4294967295 }) };
    return {
      type,
      cols: r.int('cols', { min: 1, max: SHELL_MAX_COLS }),
      rows: r.int('rows', { min: 1, max: SHELL_MAX_ROWS }),
    };
  });
}
