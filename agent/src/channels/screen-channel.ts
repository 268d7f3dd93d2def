import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { safe } from '../core/logger';
import { ChannelLifecycle, type ActiveChannel, type ChannelContext } from './channel';
import { connectTcp } from './tcp';
import type { VncTarget, X11VncLauncher } from './vnc-launcher';

export const NO_VNC_SERVER_SENTENCE = 'No VNC server is running on this device.';
export const VNC_CLOSED_SENTENCE = 'The VNC server on this device closed the connection.';
/** Sent to a viewer when there is no VNC server, so its reply proves it is there to read the close code. */
const RFB_GREETING = Buffer.from('RFB 003.008\n');
/** Below the relay's pair timeout: close even if no viewer ever answers. */
const NO_VNC_HOLD_MS = 50_000;
const HIGH_WATER = 4 * 1024 * 1024;

export interface ScreenOptions {
  target: VncTarget;
  /** Present on Linux when x11vnc and a display are available. */
  launcher?: X11VncLauncher;
  /** Asks (once per agent run) whether x11vnc may be started for the session. */
  offerVnc: () => Promise<boolean>;
}

/**
 * The screen channel: raw RFB bytes between the relay and the local VNC server. With no VNC server,
 * the channel tells the viewer in words: relay close code 4102 and the sentence.
 */
export async function openScreenChannel(ctx: ChannelContext, options: ScreenOptions): Promise<ActiveChannel> {
  let usingLauncher = false;
  let socket: Socket | undefined;
  try {
    socket = await connectTcp(options.target.host, options.target.port);
  } catch (err) {
    ctx.logger.info(`no VNC server at ${safe(options.target.host)}:${options.target.port} (${safe((err as NodeJS.ErrnoException).code ?? err)})`);
    if (options.launcher && (await options.offerVnc())) {
      try {
        const started = await options.launcher.acquire();
        usingLauncher = true;
        socket = await connectTcp(started.host, started.port);
      } catch (launchErr) {
        ctx.logger.warn(`could not start x11vnc: ${safe(launchErr)}`);
        if (usingLauncher) options.launcher.release();
        usingLauncher = false;
      }
    }
  }
  if (!socket) return noVncServer(ctx);
  return bridge(ctx, socket, () => {
    if (usingLauncher) options.launcher?.release();
  });
}

function noVncServer(ctx: ChannelContext): ActiveChannel {
  const lifecycle = new ChannelLifecycle(ctx.ws, () => clearTimeout(timer));
  const close = (): void => lifecycle.close(RelayCloseCode.NoVncServer, NO_VNC_SERVER_SENTENCE);
  const timer = setTimeout(close, NO_VNC_HOLD_MS);
  ctx.ws.once('message', close);
  ctx.ws.send(RFB_GREETING, { binary: true });
  return { ref: ctx.ref, ended: lifecycle.ended, close: (code, reason) => lifecycle.close(code, reason) };
}

function bridge(ctx: ChannelContext, socket: Socket, released: () => void): ActiveChannel {
  const { ws } = ctx;
  let drainPoll: NodeJS.Timeout | undefined;
  const lifecycle = new ChannelLifecycle(ws, () => {
    clearInterval(drainPoll);
    socket.destroy();
    released();
  });
  socket.setNoDelay(true);
  socket.on('data', (data: Buffer) => {
    ws.send(data, { binary: true });
    if (ws.bufferedAmount > HIGH_WATER && !drainPoll) pauseUntilDrained(ws, socket, (t) => (drainPoll = t));
  });
  socket.on('error', (err) => ctx.logger.debug(`VNC socket error: ${safe(err)}`));
  socket.on('close', () => lifecycle.close(RelayCloseCode.VncConnectFailed, VNC_CLOSED_SENTENCE));
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    if (!socket.write(data)) {
      ws.pause();
      socket.once('drain', () => ws.resume());
    }
  });
  return { ref: ctx.ref, ended: lifecycle.ended, close: (code, reason) => lifecycle.close(code, reason) };
}

/** The relay is slower than the VNC server: stop reading the server until the socket's queue drains. */
function pauseUntilDrained(ws: WebSocket, socket: Socket, setPoll: (t: NodeJS.Timeout | undefined) => void): void {
  socket.pause();
  const poll = setInterval(() => {
    if (ws.bufferedAmount > HIGH_WATER / 4) return;
    clearInterval(poll);
    setPoll(undefined);
    socket.resume();
  }, 20);
  setPoll(poll);
}
