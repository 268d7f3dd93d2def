import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { showsOwnErrors } from '../core/http-context';

import { RECORDING_LIMITS } from '../../../../contracts/api/recordings';
import type {
  ListRecordingsQuery,
  RecordingListView,
  RecordingPlaybackView,
  RecordingSettingsView,
  RecordingView,
  SetLegalHoldRequest,
} from '../../../../contracts/api/recordings';

export type {
  ListRecordingsQuery,
  RecordingChunkView,
  RecordingListView,
  RecordingPlaybackView,
  RecordingSettingsView,
  RecordingView,
} from '../../../../contracts/api/recordings';

function params(query: ListRecordingsQuery): HttpParams {
  let p = new HttpParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') p = p.set(key, String(value));
  return p;
}

const base = (id: string): string => `/api/recordings/${encodeURIComponent(id)}`;

/**
 * `/api/recordings` (contracts/api/recordings.ts): the list, one recording, what its player needs,
 * its chunks, the export, legal hold and verification; and `/api/recordings/settings`. Errors reach
 * callers as ApiError (`recording_not_found`, `recording_broken`, `validation_failed`…); every call
 * here is shown by its caller (inline), so the interceptor's snack-bar stays quiet.
 */
@Injectable({ providedIn: 'root' })
export class RecordingsApiService {
  private readonly http = inject(HttpClient);

  list(query: ListRecordingsQuery): Observable<RecordingListView> {
    return this.http.get<RecordingListView>('/api/recordings', {
      params: params(query),
      context: showsOwnErrors(),
    });
  }

  /** One session's recordings (the list filtered by `sessionId`, the shape the contract names). */
  forSession(sessionId: string): Observable<RecordingListView> {
    return this.list({ sessionId, limit: RECORDING_LIMITS.pageMax });
  }

  get(id: string): Observable<RecordingView> {
    return this.http.get<RecordingView>(base(id), { context: showsOwnErrors() });
  }

  /** Audited as `recording.viewed`. */
  playback(id: string): Observable<RecordingPlaybackView> {
    return this.http.get<RecordingPlaybackView>(`${base(id)}/playback`, { context: showsOwnErrors() });
  }

  chunk(id: string, index: number): Observable<ArrayBuffer> {
    return this.http.get(`${base(id)}/chunks/${index}`, {
      responseType: 'arraybuffer',
      context: showsOwnErrors(),
    });
  }

  /** The export's address for a download link (administrators; the browser sends the cookie itself). */
  exportHref(id: string): string {
    return `${base(id)}/export.zip`;
  }

  /** The answer's body is not relied on: callers read the recording again. */
  setLegalHold(id: string, body: SetLegalHoldRequest): Observable<unknown> {
    return this.http.put(`${base(id)}/legal-hold`, body, { context: showsOwnErrors() });
  }

  /** Checks every chunk against the chain now (administrators and auditors). */
  verify(id: string): Observable<unknown> {
    return this.http.post(`${base(id)}/verify`, {}, { context: showsOwnErrors() });
  }

  settings(): Observable<RecordingSettingsView> {
    return this.http.get<RecordingSettingsView>('/api/recordings/settings', { context: showsOwnErrors() });
  }
}
