import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Node-only (node:http, node:stream): the browser never imports this module.
 *
 * Answers a WebSocket upgrade request that is refused before the upgrade with a plain HTTP error and
 * closes the socket: nothing is upgraded. The relay (`relay/responses.ts`) and the portal's agent
 * control gateway (`src/agent-control/agent-control.gateway.ts`) both refuse through this one writer,
 * so the two answer the same way: `Connection: close`, `Cache-Control: no-store`, a JSON body with its
 * byte length, the caller's extra headers, and the socket destroyed once the answer is flushed. A
 * socket already gone (or no longer writable) is just destroyed.
 */
export function writeUpgradeRefusal(
  socket: Duplex,
  status: number,
  body: object,
  headers: Readonly<Record<string, string | number>> = {},
): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify(body);
  const extra = Object.entries(headers).map(([name, value]) => {
    // Header names and values come from code, never from a request; a line break would split the head.
    if (/[\r\n]/.test(name) || /[\r\n]/.test(String(value))) throw new Error(`bad refusal header ${name}`);
    return `${name}: ${value}\r\n`;
  });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Cache-Control: no-store\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      extra.join('') +
      '\r\n' +
      text,
  );
}
