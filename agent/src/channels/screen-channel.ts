import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { safe } from '../core/logger';
import { ChannelLifecycle, type ActiveChannel, type ChannelContext } from './channel';
import { terminateRfbHandshake } from './rfb-handshake';
import { RfbFilterError, RfbInputFilter, type RfbInputMode } from './rfb-input-filter';
import { connectTcp } from './tcp';
import type { VncTarget, X11VncLauncher } from './vnc-launcher';

export const NO_VNC_SERVER_SENTENCE = 'No VNC server is running on this device.';
export const VNC_CLOSED_SENTENCE = 'The VNC server on this device closed the connection.';
export const VNC_HANDSHAKE_FAILED_SENTENCE = 'The screen sharing on this device could not be connected.';
export const VIEWER_INPUT_REJECTED_SENTENCE = 'The viewer sent screen input this device does not accept.';
export const VIEW_ONLY_UNSUPPORTED_SENTENCE = 'View-only cannot be enforced with this VNC server.';
/** Sent to a viewer when there is no VNC server, so its reply proves it is there to read the close code. */
const RFB_GREETING = Buffer.from('RFB 003.008\n');
/** Below the relay's pair timeout: close even if no viewer ever answers. */
const NO_VNC_HOLD_MS = 50_000;
const HIGH_WATER = 4 * 1024 * 1024;

export interface ScreenOptions {
  target: VncTarget;
  /**
   * Present on Linux when x11vnc and a display are available and the agent may start it (not with
   * `--no-start-vnc`; persistent: `startVnc` in agent.json). The person at the device already allowed
   * the screen, so it starts without another question when no VNC server runs.
   */
  launcher?: X11VncLauncher;
}

/** A running screen channel: the viewer's input can be switched between control and view-only. */
export interface ScreenChannel extends ActiveChannel {
  /**
   * Switches the viewer's input live (rfb-input-filter.ts): the person at the device's switch. It
   * starts in the mode they allowed (`ctx.mode`). If view-only cannot be enforced (a security type the
   * filter cannot follow), the channel closes with 4105.
   */
  setInputMode(mode: RfbInputMode): void;
}

/**
 * The screen channel: RFB bytes between the relay and the local VNC server. A VNC server the customer
 * runs is piped raw from the first byte. The x11vnc the agent starts wants the session's password: the
 * agent answers it and offers the viewer no authentication (rfb-handshake.ts), then pipes the rest.
 * Either way the viewer→server bytes go through an RfbInputFilter (view-only enforcement); input it
 * rejects closes the channel with 4106 and a sentence.
 * With no VNC server, the channel tells the viewer in words: relay close code 4102 and the sentence.
 */
export async function openScreenChannel(ctx: ChannelContext, options: ScreenOptions): Promise<ScreenChannel> {
  // 1.3: the monitors the agent can share one at a time (with its own x11vnc), for the technician's
  // choice; a chosen monitor that is no longer there shows the whole desktop.
  const monitors = options.launcher ? await options.launcher.listMonitors() : [];
  const monitor = ctx.monitor !== undefined && ctx.monitor < monitors.length ? ctx.monitor : undefined;
  const opened: ScreenChannel['opened'] = {
    ...(monitors.length > 0 && { monitors }),
    ...(monitor !== undefined && { monitor }),
  };
  let launcher: X11VncLauncher | undefined;
  let password: Buffer | undefined;
  let socket: Socket | undefined;
  const launch = async (from: X11VncLauncher): Promise<void> => {
    try {
      const started = await from.acquire();
      launcher = from;
      password = started.password;
      socket = await connectTcp(started.host, started.port);
    } catch (launchErr) {
      ctx.logger.warn(`could not start x11vnc: ${safe(launchErr)}`);
      launcher?.release();
      launcher = undefined;
    }
  };
  if (monitor !== undefined && options.launcher) {
    // One monitor alone: only an x11vnc the agent starts with -clip can show it.
    await launch(options.launcher.forMonitor(monitor));
    if (!socket) return noVncServer(ctx, opened);
    return bridge(ctx, socket, () => launcher?.release(), password, opened);
  }
  try {
    socket = await connectTcp(options.target.host, options.target.port);
  } catch (err) {
    ctx.logger.info(
      `no VNC server at ${safe(options.target.host)}:${options.target.port} (${safe((err as NodeJS.ErrnoException).code ?? err)})`,
    );
    if (options.launcher) await launch(options.launcher);
  }
  if (!socket) return noVncServer(ctx, opened);
  return bridge(ctx, socket, () => launcher?.release(), password, opened);
}

function noVncServer(ctx: ChannelContext, opened: ScreenChannel['opened']): ScreenChannel {
  const lifecycle = new ChannelLifecycle(ctx.ws, () => clearTimeout(timer));
  const close = (): void => lifecycle.close(RelayCloseCode.NoVncServer, NO_VNC_SERVER_SENTENCE);
  const timer = setTimeout(close, NO_VNC_HOLD_MS);
  ctx.ws.once('message', close);
  ctx.ws.send(RFB_GREETING, { binary: true });
  return {
    ref: ctx.ref,
    ended: lifecycle.ended,
    socketClosed: lifecycle.socketClosed,
    close: (code, reason) => lifecycle.close(code, reason),
    setInputMode: () => undefined, // no input reaches anything here
    ...reported(opened),
  };
}

/** Pipes the two sides; with `password`, only after the agent has ended the RFB handshake on both. */
function bridge(
  ctx: ChannelContext,
  socket: Socket,
  released: () => void,
  password: Buffer | undefined,
  opened: ScreenChannel['opened'],
): ScreenChannel {
  const { ws } = ctx;
  let drainPoll: NodeJS.Timeout | undefined;
  const lifecycle = new ChannelLifecycle(ws, () => {
    clearInterval(drainPoll);
    socket.destroy();
    released();
  });
  socket.setNoDelay(true);
  socket.on('error', (err) => ctx.logger.debug(`VNC socket error: ${safe(err)}`));
  socket.on('close', () => lifecycle.close(RelayCloseCode.VncConnectFailed, VNC_CLOSED_SENTENCE));
  const toViewer = (data: Buffer): void => {
    ws.send(data, { binary: true });
    if (ws.bufferedAmount > HIGH_WATER && !drainPoll) pauseUntilDrained(ws, socket, (t) => (drainPoll = t));
  };
  let draining = false;
  const toServer = (data: Buffer): void => {
    if (!socket.write(data) && !draining) {
      draining = true;
      ws.pause();
      socket.once('drain', () => {
        draining = false;
        ws.resume();
      });
    }
  };
  /** After rfb-handshake.ts the viewer's next byte is ClientInit; a raw pipe starts at its version. */
  const filter = new RfbInputFilter({
    start: password ? 'client-init' : 'version',
    emit: toServer,
    mode: ctx.mode ?? 'control',
  });
  /**
   * Input the filter refuses ends the channel, in words. Any other error (a bug) ends it the same way
   * rather than throwing out of a socket handler and taking the whole agent down.
   */
  const refuse = (err: unknown, code: number, sentence: string): void => {
    if (err instanceof RfbFilterError) ctx.logger.warn(`viewer input refused: ${safe(err.message)}`);
    else ctx.logger.error(`screen input filter failed: ${safe(err)}`);
    lifecycle.close(code, sentence);
  };
  const fromViewer = (data: Buffer): void => {
    if (lifecycle.isDone) return;
    try {
      filter.push(data);
    } catch (err) {
      refuse(err, RelayCloseCode.InputRefused, VIEWER_INPUT_REJECTED_SENTENCE);
    }
  };
  const pipe = (): void => {
    socket.on('data', (data: Buffer) => {
      if (filter.watchingServer) filter.observeServer(data);
      toViewer(data);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) fromViewer(data);
    });
  };
  if (!password) {
    pipe();
  } else {
    terminateRfbHandshake(socket, ws, password).then(
      (rest) => {
        if (lifecycle.isDone) return;
        pipe();
        socket.resume();
        ws.resume();
        if (rest.fromServer.length > 0) toViewer(rest.fromServer);
        if (rest.fromViewer.length > 0) fromViewer(rest.fromViewer);
      },
      (err: unknown) => {
        ctx.logger.warn(`VNC handshake failed: ${safe(err)}`);
        lifecycle.close(RelayCloseCode.VncConnectFailed, VNC_HANDSHAKE_FAILED_SENTENCE);
      },
    );
  }
  const setInputMode = (mode: RfbInputMode): void => {
    if (lifecycle.isDone) return;
    try {
      filter.setMode(mode);
    } catch (err) {
      refuse(err, RelayCloseCode.ChannelUnsupported, VIEW_ONLY_UNSUPPORTED_SENTENCE);
    }
  };
  return {
    ref: ctx.ref,
    ended: lifecycle.ended,
    socketClosed: lifecycle.socketClosed,
    close: (code, reason) => lifecycle.close(code, reason),
    setInputMode,
    ...reported(opened),
  };
}

/** `opened` on the channel only when it says something (a device with no monitor list says nothing). */
function reported(opened: ScreenChannel['opened']): Pick<ScreenChannel, 'opened'> {
  return opened && (opened.monitors || opened.monitor !== undefined) ? { opened } : {};
}

/** The relay is slower than the VNC server: stop reading the server until the socket's queue drains. */
function pauseUntilDrained(
  ws: WebSocket,
  socket: Socket,
  setPoll: (t: NodeJS.Timeout | undefined) => void,
): void {
  socket.pause();
  const poll = setInterval(() => {
    if (ws.bufferedAmount > HIGH_WATER / 4) return;
    clearInterval(poll);
    setPoll(undefined);
    socket.resume();
  }, 20);
  setPoll(poll);
}
