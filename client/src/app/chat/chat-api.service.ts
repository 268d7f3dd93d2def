import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable, share } from 'rxjs';

import type { ChatMessageListView, ChatMessageView } from '../../../../contracts/api/chat';
import type { QuickSupportStreamEvent } from '../../../../contracts/api/quick-support';
import { showsOwnErrors } from '../core/http-context';
import { serverEvents, ServerEventMessage } from '../core/server-events';

const LIVE_TYPES = [
  'chat.message',
  'note.added',
] as const satisfies readonly QuickSupportStreamEvent['type'][];

/** What the chat follows on the dashboard's live stream (those events of QuickSupportStreamEvent). */
export type ChatLiveEvent = Extract<QuickSupportStreamEvent, { type: (typeof LIVE_TYPES)[number] }>;

/**
 * The chat of a quick-support session (`/api/quick-support/sessions/:id/chat`), and its live updates
 * from the dashboard's one event stream (`/api/quick-support/events`), opened once per window and
 * shared by every chat panel in it. Bodies are untrusted text: bind them as text only.
 */
@Injectable({ providedIn: 'root' })
export class ChatApiService {
  private readonly http = inject(HttpClient);
  private liveStream: Observable<ServerEventMessage<ChatLiveEvent>> | undefined;

  /** Oldest first; with `after`, only what came after that message. */
  list(sessionId: string, after?: string): Observable<ChatMessageListView> {
    let params = new HttpParams().set('limit', 200);
    if (after) params = params.set('after', after);
    return this.http.get<ChatMessageListView>(this.url(sessionId), { params, context: showsOwnErrors() });
  }

  /** 201 → the stored message; 400, 409 `session_closed` / `chat_limit_reached`, 429 are shown inline. */
  send(sessionId: string, body: string): Observable<ChatMessageView> {
    return this.http.post<ChatMessageView>(this.url(sessionId), { body }, { context: showsOwnErrors() });
  }

  /** The quick-support session behind a remote session (404 for persistent devices). */
  supportSessionOf(remoteSessionId: string): Observable<{ supportSessionId: string }> {
    return this.http.get<{ supportSessionId: string }>(
      `/api/remote-sessions/${encodeURIComponent(remoteSessionId)}/support-session`,
      { context: showsOwnErrors() },
    );
  }

  /** Chat messages and notes as they arrive (owner and admins only; the portal filters). */
  live(): Observable<ServerEventMessage<ChatLiveEvent>> {
    this.liveStream ??= serverEvents(
      '/api/quick-support/events',
      LIVE_TYPES,
      (type, data) => ({ type, data }) as ChatLiveEvent,
    ).pipe(share());
    return this.liveStream;
  }

  private url(sessionId: string): string {
    return `/api/quick-support/sessions/${encodeURIComponent(sessionId)}/chat`;
  }
}
