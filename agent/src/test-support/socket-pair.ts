import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { AgentLogger } from '../core/logger';

/** A connected pair of real WebSockets on loopback: `agent` (client side) and `viewer` (server side). */
export async function socketPair(): Promise<{
  agent: WebSocket;
  viewer: WebSocket;
  close: () => Promise<void>;
}> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const viewerP = new Promise<WebSocket>((resolve) => wss.once('connection', (ws) => resolve(ws)));
  const agent = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise<void>((resolve, reject) => {
    agent.once('open', () => resolve());
    agent.once('error', reject);
  });
  const viewer = await viewerP;
  return {
    agent,
    viewer,
    close: async () => {
      agent.terminate();
      viewer.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Resolves with the close code and reason of a socket. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
}

/** Collects frames until `until` holds for the concatenated binary text. */
export function collectUntil(
  ws: WebSocket,
  until: (text: string) => boolean,
  timeoutMs = 10_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out; got ${JSON.stringify(text.slice(-500))}`)),
      timeoutMs,
    );
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      if (isBinary) text += data.toString('utf8');
      if (until(text)) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(text);
      }
    };
    ws.on('message', onMessage);
  });
}

export const silentLogger: AgentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
