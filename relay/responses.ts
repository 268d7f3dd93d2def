import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  RELAY_CLOSE_CODE_HEADER,
  describeCloseCode,
  type RelayHttpError,
} from '../contracts/relay-close-codes';

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** `{ code, closeCode, message }` for a close code from the shared table. */
export function httpError(closeCode: number, message?: string): RelayHttpError {
  const info = describeCloseCode(closeCode);
  return { code: info.name, closeCode, message: message ?? info.message };
}

/**
 * Answers an upgrade request with a plain HTTP error and closes the socket: nothing is upgraded.
 * The close code travels in `X-Relay-Close-Code` and in the JSON body.
 */
export function refuseUpgrade(socket: Duplex, status: number, closeCode: number): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(httpError(closeCode));
  const extra =
    status === 401
      ? 'WWW-Authenticate: Bearer realm="relay"\r\n'
      : status === 429
        ? 'Retry-After: 60\r\n'
        : status === 503
          ? 'Retry-After: 5\r\n'
          : '';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Cache-Control: no-store\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `${RELAY_CLOSE_CODE_HEADER}: ${closeCode}\r\n` +
      extra +
      '\r\n' +
      body,
  );
}
