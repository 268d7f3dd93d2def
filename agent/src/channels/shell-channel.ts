import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { parseShellFrame, type ShellExitFrame } from '../../../contracts/agent-protocol/channel-frames';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { safe } from '../core/logger';
import type { PtySupport } from '../platform/platform';
import { ptyEnv } from '../platform/posix';
import { ChannelLifecycle, type ActiveChannel, type ChannelContext } from './channel';
import { TtyMarkerFilter } from './tty-marker';

export const SHELL_UNAVAILABLE_SENTENCE = 'A shell could not be started on this device.';
export const SHELL_ENDED_SENTENCE = 'The shell ended.';
const MAX_INPUT_FRAME = 64 * 1024;
const MARKER_WAIT_MS = 3000;

export interface ShellOptions {
  pty: PtySupport;
  shell: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  killTree: (child: ChildProcess) => void;
}

/**
 * The shell channel: a login shell on a real PTY (`script` or python's pty; no native addons), terminal
 * bytes in binary frames, `resize` text frames applied with `stty -F <pty>` (docs/protocol.md). With
 * `shellProfile: 'plain'` (protocol 1.3) the shell reads no profile or rc file, for a device whose
 * profile hangs every login shell. Nothing is sent until the shell prints (the PTY marker is
 * stripped), so the viewer can tell a shell that never started from one that is quiet.
 */
export function openShellChannel(ctx: ChannelContext, options: ShellOptions): ActiveChannel {
  const { ws, logger } = ctx;
  const profile = ctx.shellProfile ?? 'login';
  const spec = options.pty.spawnSpec({ shell: options.shell, rows: 24, cols: 80 });
  const env: NodeJS.ProcessEnv = { ...options.env, ...ptyEnv(options.shell, 24, 80, profile) };
  // An interactive POSIX shell reads $ENV as its rc file: a plain shell reads none.
  if (profile === 'plain') delete env.ENV;
  logger.info(`starting a ${profile} shell (${safe(options.shell)})`);
  const child = spawn(spec.file, spec.args, {
    cwd: options.cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const lifecycle = new ChannelLifecycle(ws, () => {
    clearTimeout(markerTimer);
    if (child.exitCode === null && child.signalCode === null) options.killTree(child);
  });
  const filter = new TtyMarkerFilter();
  let pendingSize: { rows: number; cols: number } | undefined;
  const send = (data: Buffer): void => {
    if (data.length > 0 && ws.readyState === ws.OPEN) ws.send(data, { binary: true });
  };
  const resize = (rows: number, cols: number): void => {
    if (!filter.ttyPath) {
      pendingSize = { rows, cols };
      return;
    }
    const cmd = options.pty.resizeCommand(filter.ttyPath, rows, cols);
    execFile(cmd.file, cmd.args, (err) => {
      if (err) logger.debug(`resize failed: ${safe(err)}`);
    });
  };
  const markerTimer = setTimeout(() => send(filter.flush()), MARKER_WAIT_MS);
  child.stdout.on('data', (chunk: Buffer) => {
    const hadPath = filter.ttyPath !== undefined;
    send(filter.push(chunk));
    if (!hadPath && filter.ttyPath && pendingSize) resize(pendingSize.rows, pendingSize.cols);
  });
  child.stderr.on('data', (chunk: Buffer) => send(chunk));
  child.stdin.on('error', (err) => logger.debug(`shell input closed: ${safe(err)}`));
  child.on('error', (err) => {
    logger.warn(`shell could not start: ${safe(err)}`);
    lifecycle.close(RelayCloseCode.ShellUnavailable, SHELL_UNAVAILABLE_SENTENCE);
  });
  child.on('close', (code) => {
    if (ws.readyState === ws.OPEN)
      ws.send(JSON.stringify({ type: 'exit', exitCode: code } satisfies ShellExitFrame));
    lifecycle.close(RelayCloseCode.Normal, SHELL_ENDED_SENTENCE);
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      if (data.length <= MAX_INPUT_FRAME && child.stdin.writable) child.stdin.write(data);
      return;
    }
    const frame = parseShellFrame(data.toString('utf8'));
    if (!frame.ok) logger.debug(`ignored a shell control frame: ${safe(frame.error)}`);
    else if (frame.value.type === 'resize') resize(frame.value.rows, frame.value.cols);
  });
  return {
    ref: ctx.ref,
    ended: lifecycle.ended,
    socketClosed: lifecycle.socketClosed,
    close: (code, reason) => lifecycle.close(code, reason),
  };
}
