import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

import { toApiError } from '../core/api-error';
import { showsOwnErrors } from '../core/http-context';
import { RemoteSessionsApiService } from '../remote-sessions/remote-sessions-api.service';
import { RelayAccess, RemoteSession } from '../remote-sessions/remote-sessions.model';

/** Where the viewer stands: loading the session, fetching relay access, holding it, or stopped. */
export type ViewerPhase = 'loading' | 'connecting' | 'ready' | 'failed' | 'ended';

/**
 * The viewer window's session and its relay access, shared by the tabs (provided by the viewer
 * page). The window asks the portal for fresh tech tokens itself when it loads and on every
 * reconnect: tokens are single-use and short-lived, and the portal has the agent dial again for every
 * channel each time, so a reconnect always renews all channels together. Tabs follow `access`: a new
 * value means "dial with these"; null means "hang up, fresh access is on its way".
 */
@Injectable()
export class ViewerSessionService {
  private readonly api = inject(RemoteSessionsApiService);

  readonly session = signal<RemoteSession | null>(null);
  readonly access = signal<RelayAccess | null>(null);
  readonly phase = signal<ViewerPhase>('loading');
  /** Why the viewer cannot connect (not your session, device offline, …). */
  readonly failure = signal<string | null>(null);
  readonly ended = computed(() => this.session()?.status === 'ended');
  /** Milliseconds since the epoch when the current tokens stop being accepted. */
  readonly accessExpiresAt = computed(() => {
    const access = this.access();
    return access ? Date.parse(access.expiresAt) : 0;
  });

  private sessionId = '';
  private fetches = 0;
  private catchingUp = false;
  private destroyed = false;

  constructor() {
    inject(DestroyRef).onDestroy(() => (this.destroyed = true));
  }

  /** Loads the session and, unless it has ended, connects. */
  async open(sessionId: string): Promise<void> {
    this.sessionId = sessionId;
    this.phase.set('loading');
    try {
      this.session.set(await firstValueFrom(this.api.get(sessionId, { context: showsOwnErrors() })));
    } catch (caught: unknown) {
      this.fail(toApiError(caught).message);
      return;
    }
    if (this.ended()) {
      this.phase.set('ended');
      return;
    }
    await this.reconnect();
  }

  /** Hangs up every channel and dials again with fresh tokens. */
  async reconnect(): Promise<void> {
    if (!this.sessionId || this.ended()) return;
    const fetch = ++this.fetches;
    this.access.set(null);
    this.failure.set(null);
    this.phase.set('connecting');
    try {
      const access = await firstValueFrom(this.api.tokens(this.sessionId, { context: showsOwnErrors() }));
      if (fetch !== this.fetches) return;
      this.access.set(access);
      this.phase.set('ready');
    } catch (caught: unknown) {
      if (fetch !== this.fetches) return;
      const error = toApiError(caught);
      // 410: it ended meanwhile; show how.
      if (error.status === 410) await this.refresh();
      if (!this.ended()) this.fail(error.message);
    }
  }

  /** Asks the portal for the session's state (after a channel closed), and stops if it has ended. */
  async refresh(): Promise<void> {
    if (!this.sessionId) return;
    try {
      this.session.set(await firstValueFrom(this.api.get(this.sessionId, { context: showsOwnErrors() })));
    } catch (caught: unknown) {
      console.warn('Could not refresh the session', caught);
      return;
    }
    if (this.ended()) this.stop();
  }

  /**
   * A channel is through to the device. The portal marks the session active when the relay reports
   * the pair (a moment later, and to this window by no event stream: viewers keep their HTTP
   * connections for the work), so look again a few times until it says so.
   */
  channelConnected(): void {
    if (this.session()?.status !== 'pending' || this.catchingUp) return;
    this.catchingUp = true;
    void (async () => {
      for (const delayMs of [250, 750, 1500, 3000, 6000]) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (this.destroyed) break;
        await this.refresh();
        if (this.session()?.status !== 'pending') break;
      }
      this.catchingUp = false;
    })();
  }

  /** Ends the session for everyone. Rejects with an ApiError (the interceptor has shown it). */
  async end(): Promise<void> {
    this.session.set(await firstValueFrom(this.api.end(this.sessionId)));
    this.stop();
  }

  private stop(): void {
    this.fetches++;
    this.access.set(null);
    this.phase.set('ended');
  }

  private fail(message: string): void {
    this.access.set(null);
    this.failure.set(message);
    this.phase.set('failed');
  }
}
