import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRelayEventBatch, type RelayEvent } from '../../../contracts/relay-events';

/** A stand-in for the portal's POST /api/relay/events: keeps every event the relay delivers. */
export interface EventSink {
  readonly url: string;
  readonly events: RelayEvent[];
  close(): Promise<void>;
}

export async function startEventSink(): Promise<EventSink> {
  const events: RelayEvent[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      events.push(...parseRelayEventBatch(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/relay/events`,
    events,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
