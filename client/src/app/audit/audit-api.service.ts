import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import type {
  AuditEventPageView,
  ExportAuditEventsQuery,
  ListAuditEventsQuery,
  RemoteSessionTimelineView,
} from '../../../../contracts/api/audit';

export type {
  AuditEventPageView,
  AuditEventView,
  ExportAuditEventsQuery,
  ListAuditEventsQuery,
  RemoteSessionTimelineView,
} from '../../../../contracts/api/audit';

function params(query: ListAuditEventsQuery): HttpParams {
  let p = new HttpParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') p = p.set(key, String(value));
  return p;
}

/** `/api/audit-events` (the list and its CSV export) and `/api/remote-sessions/:id/timeline`. */
@Injectable({ providedIn: 'root' })
export class AuditApiService {
  private readonly http = inject(HttpClient);

  /** Newest first; 400 `validation_failed` with a sentence for a bad filter. */
  page(query: ListAuditEventsQuery): Observable<AuditEventPageView> {
    return this.http.get<AuditEventPageView>('/api/audit-events', { params: params(query) });
  }

  /** The export's address for a download link (the browser sends the login cookie itself). */
  csvHref(query: ExportAuditEventsQuery): string {
    const q = params(query).toString();
    return `/api/audit-events.csv${q ? `?${q}` : ''}`;
  }

  timeline(sessionId: string): Observable<RemoteSessionTimelineView> {
    return this.http.get<RemoteSessionTimelineView>(
      `/api/remote-sessions/${encodeURIComponent(sessionId)}/timeline`,
    );
  }
}
