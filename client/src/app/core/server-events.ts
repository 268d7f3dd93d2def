import { Observable } from 'rxjs';

/** The state of a live connection, for a page's indicator. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export type ServerEventMessage<E> =
  /** `resumed`: the stream came back after a break, so events may have been missed meanwhile. */
  { kind: 'status'; status: LiveStatus; resumed: boolean } | { kind: 'event'; event: E };

/** Reconnect delays: 1 s doubling to 30 s, ±25 % jitter so many dashboards do not return in step. */
export function reconnectDelayMs(attempt: number, random = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * A long-lived server-sent event stream (authenticated by the session cookie) as an Observable:
 * opens an EventSource on subscribe and closes it on unsubscribe. After any error (network break,
 * portal restart, a refused request) it closes the source and opens a new one with backoff, reporting
 * the connection state as it goes. `parse` turns one named event's JSON into the caller's type, or
 * null to skip it. The JSON comes from the portal, but strings in it may come from agents and
 * customers: callers render them as text only.
 */
export function serverEvents<T extends string, E>(
  url: string,
  types: readonly T[],
  parse: (type: T, data: unknown) => E | null,
): Observable<ServerEventMessage<E>> {
  return new Observable<ServerEventMessage<E>>((subscriber) => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let opened = false;

    const connect = (): void => {
      source = new EventSource(url);
      source.onopen = () => {
        attempt = 0;
        subscriber.next({ kind: 'status', status: 'live', resumed: opened });
        opened = true;
      };
      for (const type of types) {
        source.addEventListener(type, (message) => {
          const data = readJson(type, (message as MessageEvent<unknown>).data);
          const event = data === undefined ? null : parse(type, data);
          if (event !== null) subscriber.next({ kind: 'event', event });
        });
      }
      source.onerror = () => {
        source?.close();
        source = null;
        subscriber.next({ kind: 'status', status: 'reconnecting', resumed: false });
        retry = setTimeout(connect, reconnectDelayMs(attempt++));
      };
    };

    subscriber.next({ kind: 'status', status: 'connecting', resumed: false });
    connect();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  });
}

/** The parsed JSON object of one event, or undefined (logged) when it is not one. */
export function readJson(type: string, raw: unknown): object | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const data: unknown = JSON.parse(raw);
    if (typeof data === 'object' && data !== null) return data;
  } catch (error: unknown) {
    console.warn(`Ignoring an unreadable ${type} event`, error);
    return undefined;
  }
  console.warn(`Ignoring a ${type} event that is not an object`);
  return undefined;
}
