import { HttpClient, HttpContext, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import {
  CreateSupportSessionRequest,
  QUICK_SUPPORT_EVENT_TYPES,
  QueueFilter,
  QuickSupportEvent,
  QuickSupportKpis,
  SupportSession,
  SupportSessionList,
} from './quick-support.model';

const BASE = '/api/quick-support';

interface RequestOptions {
  context?: HttpContext;
}

export interface ListQuery {
  filter: QueueFilter;
  limit: number;
  offset: number;
}

/** The state of the live connection, for the page's indicator. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export type LiveMessage =
  /** `resumed`: the stream came back after a break, so events may have been missed meanwhile. */
  { kind: 'status'; status: LiveStatus; resumed: boolean } | { kind: 'event'; event: QuickSupportEvent };

/** Reconnect delays: 1 s doubling to 30 s, ±25 % jitter so many dashboards do not return in step. */
function reconnectDelayMs(attempt: number): number {
  const base = Math.min(30_000, 1_000 * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** `/api/quick-support`: sessions, KPIs and the live event stream. */
@Injectable({ providedIn: 'root' })
export class QuickSupportApiService {
  private readonly http = inject(HttpClient);

  /** Newest first. */
  list(query: ListQuery, options: RequestOptions = {}): Observable<SupportSessionList> {
    let params = new HttpParams().set('limit', query.limit).set('offset', query.offset);
    if (query.filter !== 'all') params = params.set('status', query.filter);
    return this.http.get<SupportSessionList>(`${BASE}/sessions`, { params, ...options });
  }

  get(id: string, options: RequestOptions = {}): Observable<SupportSession> {
    return this.http.get<SupportSession>(`${BASE}/sessions/${encodeURIComponent(id)}`, options);
  }

  /** 201 → the waiting session with its customer link (`url`); 400 `validation_failed`. */
  create(body: CreateSupportSessionRequest, options: RequestOptions = {}): Observable<SupportSession> {
    return this.http.post<SupportSession>(`${BASE}/sessions`, body, options);
  }

  /** Idempotent: ending an ended session returns it unchanged. 404 when it does not exist. */
  end(id: string, options: RequestOptions = {}): Observable<SupportSession> {
    return this.http.post<SupportSession>(`${BASE}/sessions/${encodeURIComponent(id)}/end`, null, options);
  }

  kpis(options: RequestOptions = {}): Observable<QuickSupportKpis> {
    return this.http.get<QuickSupportKpis>(`${BASE}/kpis`, options);
  }

  /**
   * Live updates from `GET /api/quick-support/events` (server-sent events, authenticated by the
   * session cookie). Opens an EventSource on subscribe and closes it on unsubscribe. After any error
   * (network break, portal restart, a refused request) it closes the source and opens a new one with
   * backoff, reporting the connection state as it goes.
   */
  events(): Observable<LiveMessage> {
    return new Observable<LiveMessage>((subscriber) => {
      let source: EventSource | null = null;
      let retry: ReturnType<typeof setTimeout> | undefined;
      let attempt = 0;
      let opened = false;

      const connect = (): void => {
        source = new EventSource(`${BASE}/events`);
        source.onopen = () => {
          attempt = 0;
          subscriber.next({ kind: 'status', status: 'live', resumed: opened });
          opened = true;
        };
        for (const type of QUICK_SUPPORT_EVENT_TYPES) {
          source.addEventListener(type, (message) => {
            const event = parseEvent(type, (message as MessageEvent<unknown>).data);
            if (event) subscriber.next({ kind: 'event', event });
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
}

function parseEvent(type: QuickSupportEvent['type'], raw: unknown): QuickSupportEvent | null {
  if (typeof raw !== 'string') return null;
  try {
    const data: unknown = JSON.parse(raw);
    if (typeof data !== 'object' || data === null) return null;
    // The portal's own DTOs (see quick-support.model.ts); strings in them stay untrusted text.
    return { type, data } as QuickSupportEvent;
  } catch (error: unknown) {
    console.warn(`Ignoring an unreadable ${type} event`, error);
    return null;
  }
}
