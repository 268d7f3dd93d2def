import { HttpClient, HttpContext, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import type {
  RemoteSessionHistoryPageQuery,
  RemoteSessionHistoryQuery,
  RemoteSessionHistoryView as RemoteSessionHistory,
  CommandExitView,
  CommandOutputView,
  CommandStartedView,
  RunCommandRequest,
  SelectMonitorRequest,
} from '../../../../contracts/api/remote-sessions';
import { readJson, serverEvents, ServerEventMessage } from '../core/server-events';
import {
  RelayAccess,
  REMOTE_SESSION_EVENT_TYPES,
  RemoteSession,
  RemoteSessionEvent,
  RemoteSessionList,
  SessionFilter,
  StartedRemoteSession,
  StartRemoteSessionRequest,
} from './remote-sessions.model';

const BASE = '/api/remote-sessions';

interface RequestOptions {
  context?: HttpContext;
}

/** The portal's own shapes (contracts/api/remote-sessions.ts); COMMAND_LIMITS are RunCommandDto's. */
export {
  COMMAND_LIMITS,
  type CommandExitView as CommandExit,
  type CommandOutputView as CommandOutput,
  type RunCommandRequest,
} from '../../../../contracts/api/remote-sessions';

export type CommandEvent =
  { type: 'output'; output: CommandOutputView } | { type: 'exit'; exit: CommandExitView };

const id = encodeURIComponent;

function historyParams(query: RemoteSessionHistoryPageQuery): HttpParams {
  let params = new HttpParams();
  if (query.q) params = params.set('q', query.q);
  if (query.endReason) params = params.set('endReason', query.endReason);
  if (query.limit !== undefined) params = params.set('limit', query.limit);
  if (query.offset) params = params.set('offset', query.offset);
  return params;
}

/** What a session's own stream (`…/:id/events`) delivers besides keepalives. */
const SESSION_EVENT_TYPES = [
  'remote_session.updated',
] as const satisfies readonly RemoteSessionEvent['type'][];

/** Reconnects of a command's output stream before giving up on it. */
const MAX_OUTPUT_BREAKS = 5;

/** `/api/remote-sessions`: start, list, connect (relay tokens), end, commands, live events. */
@Injectable({ providedIn: 'root' })
export class RemoteSessionsApiService {
  private readonly http = inject(HttpClient);

  /** Active: pending or connected, newest first. Recent: ended in the past 24 hours. */
  list(filter: SessionFilter, options: RequestOptions = {}): Observable<RemoteSessionList> {
    return this.http.get<RemoteSessionList>(BASE, {
      params: new HttpParams().set('filter', filter),
      ...options,
    });
  }

  /** Ended sessions of any age, newest end first, searched and paged (yours only, unless you read everyone's). */
  history(
    query: RemoteSessionHistoryPageQuery,
    options: RequestOptions = {},
  ): Observable<RemoteSessionHistory> {
    return this.http.get<RemoteSessionHistory>(`${BASE}/history`, {
      params: historyParams(query),
      ...options,
    });
  }

  /** Where the CSV export of the history with these filters downloads from. */
  exportUrl(query: RemoteSessionHistoryQuery): string {
    const params = historyParams(query).toString();
    return `${BASE}/export.csv${params ? `?${params}` : ''}`;
  }

  get(sessionId: string, options: RequestOptions = {}): Observable<RemoteSession> {
    return this.http.get<RemoteSession>(`${BASE}/${id(sessionId)}`, options);
  }

  /**
   * 201 → the pending session and relay tokens, at once: the device then asks the person at it for
   * each channel, and each channel's state follows in `channelStates` (dial a channel once it is
   * `open`).
   * 400 `protocol_unavailable` (RDP; a shell on Windows), 409 `device_offline` / `kill_switch_on`,
   * 503 `audit_unavailable` (it could not be recorded, so nothing was asked of the device; also for
   * `tokens` and `runCommand`).
   */
  start(body: StartRemoteSessionRequest, options: RequestOptions = {}): Observable<StartedRemoteSession> {
    return this.http.post<StartedRemoteSession>(BASE, body, options);
  }

  /**
   * Fresh tech-side tokens for every channel of the session; the agent is asked to open them again
   * (each channel is `opening` when this answers), so whatever the previous tokens connected is
   * replaced. Only the session's technician (403 otherwise).
   */
  tokens(sessionId: string, options: RequestOptions = {}): Observable<RelayAccess> {
    return this.http.post<RelayAccess>(`${BASE}/${id(sessionId)}/tokens`, null, options);
  }

  /**
   * Asks the person at the device again for one channel after a no; answers that channel's fresh
   * token (the channel is `opening` when this answers). 409 `channel_not_askable`, 429
   * `ask_again_too_soon` (Retry-After), 409 `ask_again_limit`.
   */
  askAgain(sessionId: string, channel: string, options: RequestOptions = {}): Observable<RelayAccess> {
    return this.http.post<RelayAccess>(`${BASE}/${id(sessionId)}/channels/${id(channel)}/ask`, null, options);
  }

  /**
   * Opens the session's shell again without the login profile (for a device whose profile hangs every
   * login shell); answers the shell's fresh token. 409 `agent_outdated` (agent older than protocol 1.3).
   */
  plainShell(sessionId: string, options: RequestOptions = {}): Observable<RelayAccess> {
    return this.http.post<RelayAccess>(`${BASE}/${id(sessionId)}/channels/shell/plain`, null, options);
  }

  /**
   * Opens the session's files channel on demand (the Files tab): the device asks the person at it,
   * and the channel's state follows in `channelStates`; answers the files channel's fresh token.
   */
  openFiles(sessionId: string, options: RequestOptions = {}): Observable<RelayAccess> {
    return this.http.post<RelayAccess>(`${BASE}/${id(sessionId)}/channels/files`, null, options);
  }

  /**
   * Shows one of the device's monitors on the screen (null: the whole desktop); answers the screen's
   * fresh token (the screen is `opening` when this answers). 409 `monitor_unavailable`.
   */
  selectMonitor(
    sessionId: string,
    monitor: number | null,
    options: RequestOptions = {},
  ): Observable<RelayAccess> {
    const body: SelectMonitorRequest = { monitor };
    return this.http.post<RelayAccess>(`${BASE}/${id(sessionId)}/screen/monitor`, body, options);
  }

  /** Ends the session for everyone. Idempotent; never refused because of the audit trail. */
  end(sessionId: string, options: RequestOptions = {}): Observable<RemoteSession> {
    return this.http.post<RemoteSession>(`${BASE}/${id(sessionId)}/end`, null, options);
  }

  runCommand(
    sessionId: string,
    body: RunCommandRequest,
    options: RequestOptions = {},
  ): Observable<CommandStartedView> {
    return this.http.post<CommandStartedView>(`${BASE}/${id(sessionId)}/commands`, body, options);
  }

  cancelCommand(sessionId: string, commandId: string, options: RequestOptions = {}): Observable<void> {
    return this.http.post<void>(`${BASE}/${id(sessionId)}/commands/${id(commandId)}/cancel`, null, options);
  }

  /**
   * A command's output from its start (server-sent events), completing after its exit. The portal
   * replays the output to a late or reconnecting listener, so chunks already seen (by `seq`) are
   * skipped. Errors when the stream cannot be read (the command is unknown, the session gone).
   */
  commandOutput(sessionId: string, commandId: string): Observable<CommandEvent> {
    return new Observable<CommandEvent>((subscriber) => {
      const source = new EventSource(`${BASE}/${id(sessionId)}/commands/${id(commandId)}/output`);
      const seen = new Set<string>();
      let breaks = 0;
      source.addEventListener('command_output', (message) => {
        const data = readJson('command_output', (message as MessageEvent<unknown>).data) as
          CommandOutputView | undefined;
        if (!data || typeof data.data !== 'string') return;
        const key = `${data.stream}:${data.seq}`;
        if (seen.has(key)) return;
        seen.add(key);
        subscriber.next({ type: 'output', output: data });
      });
      source.addEventListener('command_exit', (message) => {
        const data = readJson('command_exit', (message as MessageEvent<unknown>).data) as
          CommandExitView | undefined;
        source.close();
        if (data) subscriber.next({ type: 'exit', exit: data });
        subscriber.complete();
      });
      source.onerror = () => {
        // EventSource retries by itself after a network break (and the portal replays); a refused
        // request (404, 401) closes it for good.
        if (source.readyState === EventSource.CLOSED || ++breaks > MAX_OUTPUT_BREAKS) {
          source.close();
          subscriber.error(new Error('The command’s output could not be read.'));
        }
      };
      return () => source.close();
    });
  }

  /**
   * One session's `remote_session.updated` as its channels' states change (server-sent events), with
   * reconnects; for its technician or an administrator.
   */
  sessionEvents(sessionId: string): Observable<ServerEventMessage<RemoteSession>> {
    return serverEvents(`${BASE}/${id(sessionId)}/events`, SESSION_EVENT_TYPES, (_type, data) =>
      (data as RemoteSession).id === sessionId ? (data as RemoteSession) : null,
    );
  }

  /** `remote_session.created` / `.updated` as they happen (server-sent events), with reconnects. */
  events(): Observable<ServerEventMessage<RemoteSessionEvent>> {
    return serverEvents(BASE + '/events', REMOTE_SESSION_EVENT_TYPES, (type, data) => ({
      type,
      data: data as RemoteSession,
    }));
  }
}
