import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type {
  AgentToPortalMessage,
  RunCommandMessage,
} from '../../../contracts/agent-protocol/control-messages';
import type { OutputStream } from '../../../contracts/agent-protocol/enums';
import {
  COMMAND_OUTPUT_CHUNK_CHARS,
  DEFAULT_COMMAND_MAX_OUTPUT_BYTES,
  DEFAULT_COMMAND_TIMEOUT_SEC,
} from '../../../contracts/agent-protocol/limits';
import { safe, type AgentLogger } from './logger';

/** How the platform shell runs one command line (`/bin/sh -c`, `powershell -Command`, …). */
export interface ShellInvocation {
  file: string;
  args: string[];
}

export interface CommandRunnerOptions {
  shell: (command: string) => ShellInvocation;
  /** Ends a process and everything it started. */
  killTree: (child: ChildProcess) => void;
  cwd: string;
  logger: AgentLogger;
  maxConcurrent?: number;
}

export type StartResult =
  { ok: true } | { ok: false; code: 'duplicate' | 'limit_reached' | 'internal'; message: string };

interface Running {
  child: ChildProcess;
  startedAt: number;
  seq: number;
  outputBytes: number;
  truncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  timer: NodeJS.Timeout;
  send: (message: AgentToPortalMessage) => void;
}

/**
 * Runs command lines with the platform shell, streaming stdout/stderr as `command_output` and ending
 * with exactly one `command_exit`. Each command has a timeout (kills the process tree), an output cap
 * (the rest is dropped, `truncated` set) and can be cancelled. The caller has already passed the gate.
 */
export class CommandRunner {
  private readonly running = new Map<string, Running>();

  constructor(private readonly options: CommandRunnerOptions) {}

  get count(): number {
    return this.running.size;
  }

  start(request: RunCommandMessage, send: (message: AgentToPortalMessage) => void): StartResult {
    if (this.running.has(request.commandId))
      return { ok: false, code: 'duplicate', message: 'A command with this id is already running.' };
    if (this.running.size >= (this.options.maxConcurrent ?? 8)) {
      return { ok: false, code: 'limit_reached', message: 'Too many commands are running on this device.' };
    }
    const { file, args } = this.options.shell(request.command);
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        cwd: this.options.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (err) {
      return { ok: false, code: 'internal', message: `The command could not start: ${safe(err)}` };
    }
    const timeoutMs = (request.timeoutSec ?? DEFAULT_COMMAND_TIMEOUT_SEC) * 1000;
    const entry: Running = {
      child,
      startedAt: Date.now(),
      seq: 0,
      outputBytes: 0,
      truncated: false,
      timedOut: false,
      cancelled: false,
      send,
      timer: setTimeout(() => {
        entry.timedOut = true;
        this.options.killTree(child);
      }, timeoutMs),
    };
    this.running.set(request.commandId, entry);
    const cap = request.maxOutputBytes ?? DEFAULT_COMMAND_MAX_OUTPUT_BYTES;
    this.pipe(request.commandId, entry, 'stdout', cap);
    this.pipe(request.commandId, entry, 'stderr', cap);
    let finished = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (finished) return;
      finished = true;
      clearTimeout(entry.timer);
      this.running.delete(request.commandId);
      entry.send({
        type: 'command_exit',
        commandId: request.commandId,
        exitCode: code,
        signal,
        timedOut: entry.timedOut,
        cancelled: entry.cancelled,
        truncated: entry.truncated,
        durationMs: Date.now() - entry.startedAt,
      });
    };
    child.on('error', (err) => {
      this.options.logger.warn(`command ${request.commandId} failed to run: ${safe(err)}`);
      if (child.pid === undefined) {
        this.emit(request.commandId, entry, 'stderr', `The command could not start: ${safe(err)}\n`);
        finish(127, null);
      }
    });
    child.on('close', (code, signal) => finish(code, signal));
    return { ok: true };
  }

  /** Cancels one command; false when it is not running. */
  cancel(commandId: string): boolean {
    const entry = this.running.get(commandId);
    if (!entry) return false;
    entry.cancelled = true;
    this.options.killTree(entry.child);
    return true;
  }

  cancelAll(): void {
    for (const id of [...this.running.keys()]) this.cancel(id);
  }

  /** Resolves when no command is running (after cancelAll), or after `timeoutMs`. */
  async drain(timeoutMs = 3000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }

  private pipe(commandId: string, entry: Running, stream: OutputStream, cap: number): void {
    const source = entry.child[stream];
    if (!source) return;
    const decoder = new StringDecoder('utf8');
    source.on('data', (chunk: Buffer) => {
      if (entry.truncated) return;
      let bytes = chunk;
      if (entry.outputBytes + chunk.length > cap) {
        bytes = chunk.subarray(0, Math.max(0, cap - entry.outputBytes));
        entry.truncated = true;
      }
      entry.outputBytes += bytes.length;
      this.emit(commandId, entry, stream, decoder.write(bytes));
    });
    source.on('end', () => this.emit(commandId, entry, stream, decoder.end()));
  }

  private emit(commandId: string, entry: Running, stream: OutputStream, text: string): void {
    let start = 0;
    while (start < text.length) {
      let end = Math.min(text.length, start + COMMAND_OUTPUT_CHUNK_CHARS);
      // Never split a surrogate pair across two messages.
      if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1])) end -= 1;
      entry.send({
        type: 'command_output',
        commandId,
        stream,
        seq: entry.seq++,
        data: text.slice(start, end),
      });
      start = end;
    }
  }
}
