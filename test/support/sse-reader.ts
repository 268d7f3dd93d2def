import { get, IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  data: unknown;
}

/** A live EventSource-like reader on a real socket. */
export class SseReader {
  readonly events: SseEvent[] = [];
  private buffer = '';
  private waiters: (() => void)[] = [];
  constructor(readonly res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\n\n')) >= 0) {
        const block = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) this.events.push({ event, data: JSON.parse(data) });
        this.waiters.splice(0).forEach((w) => w());
      }
    });
  }

  async waitFor(predicate: (e: SseEvent) => boolean, ms = 5000): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching event; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  close(): void {
    this.res.destroy();
  }
}

/** Opens an SSE route (`/api/...`) with a session cookie, as the dashboard's EventSource does. */
export function openStream(
  baseUrl: string,
  cookie: string | undefined,
  path = '/api/quick-support/events',
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = get(
      `${baseUrl}${path}`,
      { headers: cookie ? { cookie, accept: 'text/event-stream' } : {} },
      resolve,
    );
    req.on('error', reject);
  });
}
