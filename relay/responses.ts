import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  RELAY_CLOSE_CODE_HEADER,
  describeCloseCode,
  type RelayHttpError,
} from '../contracts/relay-close-codes';
import { writeUpgradeRefusal } from '../contracts/node/upgrade-refusal';

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

/** Extra headers a refusal carries by status: how to authenticate, or when to try again. */
const REFUSAL_HEADERS: Readonly<Record<number, Record<string, string>>> = {
  401: { 'WWW-Authenticate': 'Bearer realm="relay"' },
  429: { 'Retry-After': '60' },
  503: { 'Retry-After': '5' },
};

/**
 * Answers an upgrade request with a plain HTTP error and closes the socket: nothing is upgraded.
 * The close code travels in `X-Relay-Close-Code` and in the JSON body.
 */
export function refuseUpgrade(socket: Duplex, status: number, closeCode: number): void {
  writeUpgradeRefusal(socket, status, httpError(closeCode), {
    [RELAY_CLOSE_CODE_HEADER]: closeCode,
    ...REFUSAL_HEADERS[status],
  });
}
