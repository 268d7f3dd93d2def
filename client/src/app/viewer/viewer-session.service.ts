import { computed, DestroyRef, inject, Injectable, signal, Signal } from '@angular/core';
import { firstValueFrom, Subscription } from 'rxjs';

import { toApiError } from '../core/api-error';
import { showsOwnErrors } from '../core/http-context';
import type { LiveStatus } from '../core/server-events';
import { RemoteSessionsApiService } from '../remote-sessions/remote-sessions-api.service';
import type {
  RelayAccess,
  RemoteChannelState,
  RemoteSession,
} from '../remote-sessions/remote-sessions.model';
import { channelStateOf, mergeViewerSession } from './channel-states';

/** Where the viewer stands: loading the session, fetching relay access, holding it, or stopped. */
export type ViewerPhase = 'loading' | 'connecting' | 'ready' | 'failed' | 'ended';

/** What a tab dials its relay channel with: one single-use token. */
export interface ChannelTicket {
  sessionId: string;
  channel: string;
  url: string;
  token: string;
  /** Milliseconds since the epoch when the token stops being accepted. */
  expiresAt: number;
}

/** How long the shell tab waits for a first byte before it offers a plain shell, until the portal says. */
const DEFAULT_SHELL_START_PATIENCE_SEC = 10;

/** Reads of the session after fresh tokens, before the viewer gives up (bounded). */
const SETTLE_DELAYS_MS = [0, 500, 1000, 2000, 4000] as const;

/**
 * The viewer window's session, followed live, and its relay tokens, shared by the tabs (provided by
 * the viewer page). The window asks the portal for fresh tech tokens itself when it loads and on every
 * reconnect: tokens are single-use and short-lived, and the portal has the device open every channel
 * again each time. The device asks the person at it per channel, so a tab dials only once its
 * channel's state is `open` ({@link ticket}): dialled earlier, the tech side would wait alone on the
 * relay until its pair timeout ended the session. Channel states arrive on the session's own event
 * stream (`GET …/:id/events`); when that breaks, the viewer reads the session instead and the stream
 * reconnects with backoff.
 */
@Injectable()
export class ViewerSessionService {
  private readonly api = inject(RemoteSessionsApiService);

  readonly session = signal<RemoteSession | null>(null);
  readonly phase = signal<ViewerPhase>('loading');
  /** Why the viewer cannot connect (not your session, device offline, …). */
  readonly failure = signal<string | null>(null);
  readonly ended = computed(() => this.session()?.status === 'ended');
  /** The session's event stream; `reconnecting` while the viewer reads the session instead. */
  readonly live = signal<LiveStatus>('connecting');
  /** The time, each second, for the countdowns. */
  readonly now = signal(Date.now());
  /** Channels whose Ask again is on its way to the portal. */
  readonly askingAgain = signal<ReadonlySet<string>>(new Set());
  /** Why the last Ask again for a channel was refused, in words. */
  readonly askAgainErrors = signal<Readonly<Record<string, string>>>({});
  /** Seconds the shell tab waits for the shell's first output before it offers a plain shell. */
  readonly shellStartPatienceSec = signal(DEFAULT_SHELL_START_PATIENCE_SEC);
  /**
   * Counts the viewer's reconnects (each drops every token): a tab that opens its channel on demand
   * (Files) asks for it again when this changes.
   */
  readonly generation = signal(0);
  /** The shell the device was last asked for: `plain` once the technician opened a plain shell. */
  readonly shellProfile = signal<'login' | 'plain'>('login');

  /** The newest token per channel (start/tokens give every channel's, Ask again one channel's). */
  private readonly tickets = signal<ReadonlyMap<string, ChannelTicket>>(new Map());
  /**
   * Channels with fresh tokens whose state the viewer has not read since: a state from before the
   * tokens (an `open` the request has just undone) would let a tab dial too early.
   */
  private readonly unsettled = signal<ReadonlySet<string>>(new Set());
  private readonly states = new Map<string, Signal<RemoteChannelState | null>>();
  private readonly dialable = new Map<string, Signal<ChannelTicket | null>>();

  private sessionId = '';
  private fetches = 0;
  private destroyed = false;
  private stream: Subscription | null = null;
  private readonly clock: ReturnType<typeof setInterval>;

  constructor() {
    this.clock = setInterval(() => this.now.set(Date.now()), 1000);
    inject(DestroyRef).onDestroy(() => {
      this.destroyed = true;
      clearInterval(this.clock);
      this.stopStream();
    });
  }

  /** One channel's state, as the session says now (null: the session has no such channel). */
  channelState(channel: string): Signal<RemoteChannelState | null> {
    let state = this.states.get(channel);
    if (!state) {
      state = computed(() => channelStateOf(this.session(), channel));
      this.states.set(channel, state);
    }
    return state;
  }

  /**
   * The token a tab dials its channel with, or null while it must not dial: no token yet, the session
   * ended, the channel's state after the token not read yet, or not `open`. It changes only when the
   * token does, so a mode change or a repeated `open` does not make a tab dial again.
   */
  ticket(channel: string): Signal<ChannelTicket | null> {
    let ticket = this.dialable.get(channel);
    if (!ticket) {
      const state = this.channelState(channel);
      ticket = computed(
        () => {
          const held = this.tickets().get(channel);
          if (!held || this.ended() || this.unsettled().has(channel)) return null;
          return state()?.state === 'open' ? held : null;
        },
        { equal: (a, b) => a?.token === b?.token },
      );
      this.dialable.set(channel, ticket);
    }
    return ticket;
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

  /** Hangs up every channel and has the device open them again, with fresh tokens. */
  async reconnect(): Promise<void> {
    if (!this.sessionId || this.ended()) return;
    const fetch = ++this.fetches;
    this.tickets.set(new Map());
    this.generation.update((n) => n + 1);
    this.shellProfile.set('login');
    this.failure.set(null);
    this.askAgainErrors.set({});
    this.phase.set('connecting');
    let access: RelayAccess;
    try {
      access = await firstValueFrom(this.api.tokens(this.sessionId, { context: showsOwnErrors() }));
    } catch (caught: unknown) {
      if (fetch !== this.fetches) return;
      const error = toApiError(caught);
      // 410: it ended meanwhile; show how.
      if (error.status === 410) await this.refresh();
      if (!this.ended()) this.fail(error.message);
      return;
    }
    if (fetch !== this.fetches) return;
    this.holdTokens(access, true);
    this.phase.set('ready');
    // Only the session's technician (or an administrator) gets tokens, and only they may follow it.
    this.follow();
    await this.settle(access, fetch);
  }

  /**
   * Asks the person at the device again for one channel after a no. Its fresh token replaces the
   * channel's; the tab dials once the person allows. A refusal is kept, in words, for the channel.
   */
  async askAgain(channel: string): Promise<void> {
    if (!this.sessionId || this.ended() || this.askingAgain().has(channel)) return;
    const fetch = this.fetches;
    this.askingAgain.update((set) => new Set(set).add(channel));
    this.setAskAgainError(channel, null);
    try {
      const access = await firstValueFrom(
        this.api.askAgain(this.sessionId, channel, { context: showsOwnErrors() }),
      );
      // A reconnect meanwhile asked for every channel again, with newer tokens.
      if (fetch !== this.fetches) return;
      this.holdTokens(access, false);
      await this.settle(access, fetch);
    } catch (caught: unknown) {
      this.setAskAgainError(channel, askAgainRefusal(toApiError(caught)));
      await this.refresh();
    } finally {
      this.askingAgain.update((set) => {
        const next = new Set(set);
        next.delete(channel);
        return next;
      });
    }
  }

  /**
   * Has the device open the shell again without the login profile (the login shell printed nothing:
   * a profile script hangs). Its fresh token replaces the shell's; the tab dials once it is open.
   * Resolves with why it could not, in words, or null.
   */
  async plainShell(): Promise<string | null> {
    if (!this.sessionId || this.ended()) return null;
    const fetch = this.fetches;
    try {
      const access = await firstValueFrom(this.api.plainShell(this.sessionId, { context: showsOwnErrors() }));
      if (fetch !== this.fetches) return null;
      this.shellProfile.set('plain');
      this.holdTokens(access, false);
      await this.settle(access, fetch);
      return null;
    } catch (caught: unknown) {
      await this.refresh();
      return toApiError(caught).message;
    }
  }

  /**
   * Opens the files channel (it is opened on demand, not with the session): the device asks the
   * person at it, and the Files tab dials the fresh token once the channel is open. Resolves with why
   * the portal refused, in words, or null.
   */
  async openFiles(): Promise<string | null> {
    if (!this.sessionId || this.ended()) return null;
    const fetch = this.fetches;
    try {
      const access = await firstValueFrom(this.api.openFiles(this.sessionId, { context: showsOwnErrors() }));
      if (fetch !== this.fetches) return null;
      this.holdTokens(access, false);
      await this.settle(access, fetch);
      return null;
    } catch (caught: unknown) {
      await this.refresh();
      return toApiError(caught).message;
    }
  }

  /**
   * Shows another of the device's monitors on the screen (null: the whole desktop): the device opens
   * the screen again with it, and the screen tab dials the fresh token once it is open. Rejects with
   * the portal's refusal (an ApiError), which the caller shows.
   */
  async selectMonitor(monitor: number | null): Promise<void> {
    if (!this.sessionId || this.ended()) return;
    const fetch = this.fetches;
    const access = await firstValueFrom(
      this.api.selectMonitor(this.sessionId, monitor, { context: showsOwnErrors() }),
    );
    if (fetch !== this.fetches) return;
    this.holdTokens(access, false);
    await this.settle(access, fetch);
  }

  /** Reads the session's state from the portal, and stops if it has ended. False when it could not. */
  async refresh(): Promise<boolean> {
    if (!this.sessionId) return false;
    try {
      this.apply(await firstValueFrom(this.api.get(this.sessionId, { context: showsOwnErrors() })));
    } catch (caught: unknown) {
      console.warn('Could not refresh the session', caught);
      return false;
    }
    return true;
  }

  /** Ends the session for everyone. Rejects with an ApiError (the interceptor has shown it). */
  async end(): Promise<void> {
    this.apply(await firstValueFrom(this.api.end(this.sessionId)));
    this.stop();
  }

  /** Keeps the tokens of `access` (all of them replace what was held when `replaceAll`). */
  private holdTokens(access: RelayAccess, replaceAll: boolean): void {
    const expiresAt = Date.parse(access.expiresAt);
    if (Number.isInteger(access.shellStartPatienceSec) && access.shellStartPatienceSec > 0)
      this.shellStartPatienceSec.set(access.shellStartPatienceSec);
    const next = new Map(replaceAll ? [] : this.tickets());
    for (const { channel, token } of access.tokens)
      next.set(channel, { sessionId: this.sessionId, channel, url: access.url, token, expiresAt });
    this.tickets.set(next);
    this.unsettled.update((set) => new Set([...set, ...access.tokens.map((t) => t.channel)]));
  }

  /**
   * Reads the session after fresh tokens (the portal marked their channels `opening` before it
   * answered), so the channels' states the tabs follow are at least that new. Retries a few times;
   * then the viewer says it cannot tell and offers Reconnect.
   */
  private async settle(access: RelayAccess, fetch: number): Promise<void> {
    for (const delayMs of SETTLE_DELAYS_MS) {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.destroyed || fetch !== this.fetches) return;
      if (await this.refresh()) {
        if (fetch !== this.fetches) return;
        const settled = new Set(access.tokens.map((t) => t.channel));
        this.unsettled.update((set) => new Set([...set].filter((channel) => !settled.has(channel))));
        return;
      }
    }
    if (fetch === this.fetches && !this.ended())
      this.fail(
        'The portal could not tell whether the customer allowed the connection. Reconnect to try again.',
      );
  }

  /**
   * Follows the session's event stream (once). Each time it opens, and on each break, the session is
   * read as well, so a change published while no stream was listening is not missed.
   */
  private follow(): void {
    if (this.stream || this.destroyed || this.ended()) return;
    this.stream = this.api.sessionEvents(this.sessionId).subscribe((message) => {
      if (message.kind === 'event') {
        this.apply(message.event);
        return;
      }
      this.live.set(message.status);
      // Open (events from before it were not seen), or broken: read the session to catch up.
      if (message.status !== 'connecting') void this.refresh();
    });
  }

  private apply(incoming: RemoteSession): void {
    if (incoming.id !== this.sessionId) return;
    // Countdowns start from the time the change is shown, not the last tick.
    this.now.set(Date.now());
    this.session.update((current) => mergeViewerSession(current, incoming));
    if (this.ended()) this.stop();
  }

  private setAskAgainError(channel: string, message: string | null): void {
    this.askAgainErrors.update((errors) => {
      const next = { ...errors };
      if (message) next[channel] = message;
      else delete next[channel];
      return next;
    });
  }

  private stopStream(): void {
    this.stream?.unsubscribe();
    this.stream = null;
  }

  private stop(): void {
    this.fetches++;
    this.tickets.set(new Map());
    this.stopStream();
    clearInterval(this.clock);
    this.phase.set('ended');
  }

  private fail(message: string): void {
    this.tickets.set(new Map());
    this.failure.set(message);
    this.phase.set('failed');
  }
}

/** Why the portal did not ask again, in words (a 429 carries only the wait). */
function askAgainRefusal(error: {
  status: number;
  message: string;
  retryAfterSeconds: number | null;
}): string {
  if (error.status === 429)
    return error.retryAfterSeconds === null
      ? 'The customer was asked a moment ago: wait a little before asking again.'
      : `The customer was asked a moment ago: you can ask again in ${error.retryAfterSeconds} s.`;
  return error.message;
}
