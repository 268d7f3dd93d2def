import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { ChannelRef } from '../../../contracts/agent-protocol/control-messages';
import { RELAY_CLOSE_CODE_HEADER, describeCloseCode } from '../../../contracts/relay-close-codes';
import { relayConnectUrl } from '../../../contracts/relay-connect';

/** Largest frame the agent accepts from a relay (the relay enforces its own limit too). */
export const RELAY_MAX_PAYLOAD = 4 * 1024 * 1024;

/** The relay refused the connection; `message` is the relay's sentence for its close code. */
export class RelayDialError extends Error {
  constructor(
    message: string,
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = 'RelayDialError';
  }
}

/**
 * Dials the agent side of one channel: `<relayUrl>/ws?sid&ch&role=agent` with the agent token in the
 * Authorization header (docs/relay.md). Resolves once the relay accepted the upgrade.
 */
export function dialRelay(
  relayUrl: string,
  ref: ChannelRef,
  token: string,
  timeoutMs = 15_000,
): Promise<WebSocket> {
  const url = relayConnectUrl(relayUrl, { sid: ref.sessionId, ch: ref.channel, role: 'agent' });
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      maxPayload: RELAY_MAX_PAYLOAD,
      handshakeTimeout: timeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
    });
    let settled = false;
    const fail = (err: RelayDialError): void => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      const header = Number(res.headers[RELAY_CLOSE_CODE_HEADER]);
      ws.terminate();
      if (Number.isInteger(header) && header > 0)
        fail(new RelayDialError(describeCloseCode(header).message, header));
      else fail(new RelayDialError(`The relay refused the connection (HTTP ${res.statusCode ?? 0}).`));
    });
    ws.once('open', () => {
      settled = true;
      resolve(ws);
    });
    ws.on('error', (err) => fail(new RelayDialError(`The relay could not be reached (${err.message}).`)));
  });
}
