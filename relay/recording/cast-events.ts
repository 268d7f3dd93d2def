import {
  SCREEN_DIRECTION,
  SCREEN_RECORD_HEADER_BYTES,
  writeScreenRecordHeader,
} from '../../contracts/recording/format';

/**
 * What the recorder writes per relayed message, per channel: screen records (binary), or asciicast v2
 * lines for shell and commands. Pure functions of the message; the recorder owns chunks, hashes and time.
 */

/** Text frames larger than this are not parsed for shell/commands events (they are control JSON). */
export const CAST_TEXT_FRAME_MAX_BYTES = 1024 * 1024;
/** `run_command` lines shown in a commands recording are cut at this many characters. */
const COMMAND_MAX_CHARS = 8192;

export function screenHeader(fromAgent: boolean, atMs: number, length: number): Buffer {
  const header = Buffer.allocUnsafe(SCREEN_RECORD_HEADER_BYTES);
  writeScreenRecordHeader(
    header,
    0,
    fromAgent ? SCREEN_DIRECTION.agentToTech : SCREEN_DIRECTION.techToAgent,
    atMs,
    length,
  );
  return header;
}

/** The asciicast v2 header line that begins chunk 0 of a shell or commands recording. */
export function castHeader(startedAtMs: number): Buffer {
  const header = {
    version: 2,
    width: 80,
    height: 24,
    timestamp: Math.floor(startedAtMs / 1000),
    env: { TERM: 'xterm-256color' },
  };
  return Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
}

export type CastEventCode = 'o' | 'i' | 'r';

/**
 * Bytes of a shell frame turned into events at a time, and characters per event: one event line is at
 * most ~6× this (JSON escapes of control bytes), so no message builds a string of hundreds of MiB.
 */
export const CAST_SLICE_BYTES = 64 * 1024;

/** One asciicast event line: `[seconds, code, data]`. */
export function castLine(atMs: number, code: CastEventCode, text: string): Buffer {
  const seconds = (Math.max(0, atMs) / 1000).toFixed(6);
  return Buffer.from(`[${seconds},"${code}",${JSON.stringify(text)}]\n`, 'utf8');
}

/**
 * `text` as event lines at the same time, each at most CAST_SLICE_BYTES characters (a player shows
 * consecutive events of one time as one). A UTF-16 surrogate pair is never split. Empty text: none.
 */
export function castLines(atMs: number, code: CastEventCode, text: string): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + CAST_SLICE_BYTES);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    lines.push(castLine(atMs, code, text.slice(start, end)));
    start = end;
  }
  return lines;
}

/** Parses a bounded text frame as a JSON object; undefined for anything else (never throws). */
function parseObject(data: Buffer): Record<string, unknown> | undefined {
  if (data.length > CAST_TEXT_FRAME_MAX_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    // Not JSON: not a control frame the recording shows.
    return undefined;
  }
}

const isSize = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;

/** A shell text frame from the technician: a resize becomes an `r` event; anything else is not recorded. */
export function shellTextEvent(
  fromAgent: boolean,
  data: Buffer,
): { code: CastEventCode; text: string } | undefined {
  if (fromAgent || data.length > 1024) return undefined;
  const frame = parseObject(data);
  if (frame?.type !== 'resize' || !isSize(frame.cols, 10_000) || !isSize(frame.rows, 10_000))
    return undefined;
  return { code: 'r', text: `${frame.cols}x${frame.rows}` };
}

/**
 * A commands frame as terminal output: the technician's `run_command` as `$ <command>`, the device's
 * `command_output` data (bare LF as CRLF, so a player does not staircase), `command_exit` as `[exit N]`.
 */
export function commandsTextEvent(fromAgent: boolean, data: Buffer): string | undefined {
  const frame = parseObject(data);
  if (!frame) return undefined;
  if (!fromAgent) {
    if (frame.type !== 'run_command' || typeof frame.command !== 'string') return undefined;
    return `$ ${frame.command.slice(0, COMMAND_MAX_CHARS).replace(/\r?\n/g, '\r\n')}\r\n`;
  }
  if (frame.type === 'command_output' && typeof frame.data === 'string')
    return frame.data.replace(/\r?\n/g, '\r\n');
  if (frame.type === 'command_exit') {
    const code = frame.exitCode;
    const signal = frame.signal;
    const what =
      typeof code === 'number' && Number.isInteger(code)
        ? String(code)
        : typeof signal === 'string' && /^[A-Z0-9]{1,16}$/.test(signal)
          ? signal
          : '?';
    return `[exit ${what}]\r\n`;
  }
  return undefined;
}
