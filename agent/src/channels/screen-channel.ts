import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { RelayCloseCode } from '../../../contracts/relay-close-codes';
import { safe } from '../core/logger';
import { ChannelLifecycle, type ActiveChannel, type ChannelContext } from './channel';
import { terminateRfbHandshake } from './rfb-handshake';
import { connectTcp } from './tcp';
import type { VncTarget, X11VncLauncher } from './vnc-launcher';

export const NO_VNC_SERVER_SENTENCE = 'No VNC server is running on this device.';
export const VNC_CLOSED_SENTENCE = 'The VNC server on this device closed the connection.';
export const VNC_HANDSHAKE_FAILED_SENTENCE = 'The screen sharing on this device could not be connected.';
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
 * The screen channel: RFB bytes between the relay and the local VNC server. A VNC server the customer
 * runs is piped raw from the first byte. The x11vnc the agent starts wants the session's password: the
 * agent answers it and offers the viewer no authentication (rfb-handshake.ts), then pipes the rest.
 * With no VNC server, the channel tells the viewer in words: relay close code 4102 and the sentence.
 */
export async function openScreenChannel(ctx: ChannelContext, options: ScreenOptions): Promise<ActiveChannel> {
  let usingLauncher = false;
  let password: Buffer | undefined;
  let socket: Socket | undefined;
  try {
    socket = await connectTcp(options.target.host, options.target.port);
  } catch (err) {
    ctx.logger.info(
      `no VNC server at ${safe(options.target.host)}:${options.target.port} (${safe((err as NodeJS.ErrnoException).code ?? err)})`,
    );
    if (options.launcher && (await options.offerVnc())) {
      try {
        const started = await options.launcher.acquire();
        usingLauncher = true;
        password = started.password;
        socket = await connectTcp(started.host, started.port);
      } catch (launchErr) {
        ctx.logger.warn(`could not start x11vnc: ${safe(launchErr)}`);
        if (usingLauncher) options.launcher.release();
        usingLauncher = false;
      }
    }
  }
  if (!socket) return noVncServer(ctx);
  return bridge(
    ctx,
    socket,
    () => {
      if (usingLauncher) options.launcher?.release();
    },
    password,
  );
}

function noVncServer(ctx: ChannelContext): ActiveChannel {
  const lifecycle = new ChannelLifecycle(ctx.ws, () => clearTimeout(timer));
  const close = (): void => lifecycle.close(RelayCloseCode.NoVncServer, NO_VNC_SERVER_SENTENCE);
  const timer = setTimeout(close, NO_VNC_HOLD_MS);
  ctx.ws.once('message', close);
  ctx.ws.send(RFB_GREETING, { binary: true });
  return { ref: ctx.ref, ended: lifecycle.ended, close: (code, reason) => lifecycle.close(code, reason) };
}

/** Pipes the two sides; with `password`, only after the agent has ended the RFB handshake on both. */
function bridge(ctx: ChannelContext, socket: Socket, released: () => void, password?: Buffer): ActiveChannel {
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
  const toServer = (data: Buffer): void => {
    if (!socket.write(data)) {
      ws.pause();
      socket.once('drain', () => ws.resume());
    }
  };
  const pipe = (): void => {
    socket.on('data', toViewer);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) toServer(data);
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
        if (rest.fromViewer.length > 0) toServer(rest.fromViewer);
      },
      (err: unknown) => {
        ctx.logger.warn(`VNC handshake failed: ${safe(err)}`);
        lifecycle.close(RelayCloseCode.VncConnectFailed, VNC_HANDSHAKE_FAILED_SENTENCE);
      },
    );
  }
  return { ref: ctx.ref, ended: lifecycle.ended, close: (code, reason) => lifecycle.close(code, reason) };
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
