import { HttpClient, HttpContext, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import type { ListSupportSessionsQuery } from '../../../../contracts/api/quick-support';

import { serverEvents, ServerEventMessage } from '../core/server-events';
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

/** The portal's query (`status`, `limit`, `offset`) with the queue's filter in place of `status`. */
export type ListQuery = Required<Pick<ListSupportSessionsQuery, 'limit' | 'offset'>> & {
  filter: QueueFilter;
};

/** `/api/quick-support`: sessions, KPIs and the live event stream. */
@Injectable({ providedIn: 'root' })
export class QuickSupportApiService {
  private readonly http = inject(HttpClient);

  /** Newest first. */
  list(query: ListQuery, options: RequestOptions = {}): Observable<SupportSessionList> {
    let params = new HttpParams().set('limit', query.limit).set('offset', query.offset);
    if (query.filter !== 'all') {
      const status: ListSupportSessionsQuery['status'] = query.filter;
      params = params.set('status', status);
    }
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

  /**
   * Hands the session to a technician (yourself when `userId` is left out). The owner or an
   * administrator only (403 `not_session_owner`); 400 `validation_failed` for someone who cannot hold
   * it; 409 once it has ended. The previous owner's remote sessions on its device end.
   */
  assign(id: string, userId: string | undefined, options: RequestOptions = {}): Observable<SupportSession> {
    return this.http.post<SupportSession>(
      `${BASE}/sessions/${encodeURIComponent(id)}/assign`,
      userId ? { userId } : {},
      options,
    );
  }

  kpis(options: RequestOptions = {}): Observable<QuickSupportKpis> {
    return this.http.get<QuickSupportKpis>(`${BASE}/kpis`, options);
  }

  /**
   * Live updates from `GET /api/quick-support/events` (server-sent events), with reconnects and the
   * connection state: see {@link serverEvents}.
   */
  events(): Observable<ServerEventMessage<QuickSupportEvent>> {
    // The portal's own DTOs (see quick-support.model.ts); strings in them stay untrusted text.
    return serverEvents(
      `${BASE}/events`,
      QUICK_SUPPORT_EVENT_TYPES,
      (type, data) => ({ type, data }) as QuickSupportEvent,
    );
  }
}
