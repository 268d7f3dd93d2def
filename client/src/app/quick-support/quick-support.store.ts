import { computed, DestroyRef, inject, Injectable, Signal, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatDialog } from '@angular/material/dialog';
import { catchError, debounceTime, EMPTY, firstValueFrom, Observable, Subject, switchMap } from 'rxjs';

import type { ChatLiveEvent } from '../chat/chat-api.service';

import { showsOwnErrors } from '../core/http-context';
import { NotificationService } from '../core/notification.service';
import { LiveStatus, ServerEventMessage } from '../core/server-events';
import { confirmAction } from '../shared/confirm-dialog.component';
import { ListLoader } from '../shared/list-loader';
import { QuickSupportApiService } from './quick-support-api.service';
import {
  DeviceEventData,
  matchesFilter,
  mergeNotes,
  mergeSession,
  QueueFilter,
  QuickSupportEvent,
  QuickSupportKpis,
  SupportSession,
} from './quick-support.model';

export const PAGE_SIZE = 25;

/**
 * State of the Quick-Support page: the queue (one page of sessions), the KPI counts and the live
 * event stream that keeps both current without a reload. Provided by the page, so it lives and dies
 * with it; the page's dialogs inject the same instance.
 *
 * Sessions are kept by id and merged (see {@link mergeSession}), so a list response and a live event
 * that cross each other cannot move a session backwards or lose a note.
 */
@Injectable()
export class QuickSupportStore {
  private readonly api = inject(QuickSupportApiService);
  private readonly dialog = inject(MatDialog);
  private readonly notifications = inject(NotificationService);
  private readonly destroyRef = inject(DestroyRef);

  readonly filter = signal<QueueFilter>('open');
  readonly pageIndex = signal(0);
  readonly total = signal(0);
  readonly kpis = signal<QuickSupportKpis | null>(null);
  readonly live = signal<LiveStatus>('connecting');

  /** The page's stream, as the chat panels follow it (so a details panel opens no stream of its own). */
  private readonly chatEvents = new Subject<ServerEventMessage<ChatLiveEvent>>();
  readonly chatLive: Observable<ServerEventMessage<ChatLiveEvent>> = this.chatEvents.asObservable();

  private readonly byId = signal<ReadonlyMap<string, SupportSession>>(new Map());
  private readonly pageIds = signal<readonly string[]>([]);
  readonly sessions = computed(() => {
    const known = this.byId();
    return this.pageIds().flatMap((id) => known.get(id) ?? []);
  });

  /** The page's loading / error / empty state; its answers are merged into the known sessions. */
  readonly list = new ListLoader({
    fetch: () =>
      this.api.list(
        { filter: this.filter(), limit: PAGE_SIZE, offset: this.pageIndex() * PAGE_SIZE },
        { context: showsOwnErrors() },
      ),
    apply: (page) => {
      this.byId.update((known) => {
        const next = new Map(known);
        for (const session of page.items) next.set(session.id, mergeSession(known.get(session.id), session));
        return next;
      });
      this.pageIds.set(page.items.map((session) => session.id));
      this.total.set(page.total);
    },
    isEmpty: () => this.sessions().length === 0,
  });
  /** Sessions with an End request in flight. */
  readonly ending = this.list.busy;

  private readonly kpiRefresh = new Subject<void>();

  /** Loads the queue and the KPIs and starts listening for live updates (until the page goes). */
  start(): void {
    this.kpiRefresh
      .pipe(
        debounceTime(200),
        switchMap(() => this.api.kpis({ context: showsOwnErrors() }).pipe(catchError(() => EMPTY))),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe((kpis) => this.kpis.set(kpis));
    this.api
      .events()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((message) => this.onLive(message));
    this.refreshKpis();
    void this.load();
  }

  /** The live copy of one session (for the detail view); undefined once it is no longer known. */
  watch(id: string): Signal<SupportSession | undefined> {
    return computed(() => this.byId().get(id));
  }

  setFilter(filter: QueueFilter): void {
    if (filter === this.filter()) return;
    this.filter.set(filter);
    this.pageIndex.set(0);
    void this.load();
  }

  setPage(index: number): void {
    this.pageIndex.set(index);
    void this.load();
  }

  /** Reloads the current page. `quiet`: keep showing the rows meanwhile, and say nothing on failure. */
  load(quiet = false): Promise<void> {
    return this.list.load(quiet);
  }

  refreshKpis(): void {
    this.kpiRefresh.next();
  }

  /** A session this dashboard just created (the live event may come before or after this). */
  added(session: SupportSession): void {
    this.upsert(session, true);
    this.refreshKpis();
  }

  /**
   * Hands the session to a technician (yourself when `userId` is left out), after asking when it takes
   * a running session from someone. Resolves true when it was handed over.
   */
  async assign(session: SupportSession, to: { id?: string; displayName: string }): Promise<boolean> {
    const owner = session.assignedTo ?? session.createdBy;
    if (session.status === 'active') {
      const confirmed = await confirmAction(this.dialog, {
        title: `Hand the session to ${to.displayName}?`,
        message: `${owner ? owner.displayName + '’s' : 'Any'} open remote sessions on the customer’s device end at once; ${to.displayName} can then connect. The customer sees the new name.`,
        confirmLabel: 'Hand over',
      });
      if (!confirmed) return false;
    }
    try {
      this.upsert(await firstValueFrom(this.api.assign(session.id, to.id)), false);
    } catch {
      // The interceptor has shown why.
      return false;
    }
    this.notifications.success(`The session is now ${to.displayName}’s.`);
    return true;
  }

  /** Asks for confirmation, then ends the session. Resolves true when it ended. */
  async endWithConfirmation(session: SupportSession): Promise<boolean> {
    const confirmed = await confirmAction(this.dialog, {
      title: session.customerName ? `End the session with ${session.customerName}?` : 'End this session?',
      message:
        session.status === 'active'
          ? `The support tool on ${session.device?.hostname ?? 'the customer’s computer'} disconnects and removes itself, and the customer’s link stops working. This cannot be undone.`
          : 'The customer’s link stops working right away. To help them later, create a new session.',
      confirmLabel: 'End session',
      destructive: true,
    });
    if (!confirmed) return false;

    return this.list.whileBusy(session.id, async () => {
      const ended = await firstValueFrom(this.api.end(session.id));
      this.upsert(ended, false);
      this.refreshKpis();
      this.notifications.success(
        session.customerName
          ? `The session with ${session.customerName} has ended.`
          : 'The session has ended.',
      );
    });
  }

  private onLive(message: ServerEventMessage<QuickSupportEvent>): void {
    if (message.kind === 'status') {
      this.chatEvents.next(message);
      this.live.set(message.status);
      // Back after a break: catch up on what happened meanwhile. While broken, the KPI request
      // doubles as a session check: a 401 there sends the user to the login page.
      if (message.resumed || message.status === 'reconnecting') {
        this.refreshKpis();
        if (message.resumed) void this.load(true);
      }
      return;
    }
    this.apply(message.event);
  }

  private apply(event: QuickSupportEvent): void {
    switch (event.type) {
      case 'session.created':
        this.upsert(event.data, true);
        this.refreshKpis();
        break;
      case 'session.updated':
        this.upsert(event.data, false);
        this.refreshKpis();
        break;
      case 'note.added': {
        const { sessionId, note } = event.data;
        this.patch(sessionId, (session) => ({ ...session, notes: mergeNotes(session.notes, [note]) }));
        this.chatEvents.next({ kind: 'event', event });
        break;
      }
      case 'chat.message':
        // The chat panel (app-support-chat) follows its own session's messages.
        this.chatEvents.next({ kind: 'event', event });
        break;
      case 'device.registered':
      case 'device.updated':
        this.applyDevice(event.data);
        break;
    }
  }

  private applyDevice(device: DeviceEventData): void {
    if (!device.supportSessionId) return;
    this.patch(device.supportSessionId, (session) =>
      session.device?.id === device.id || !session.device
        ? {
            ...session,
            device: {
              id: device.id,
              hostname: device.hostname,
              os: device.os,
              osVersion: device.osVersion,
              arch: device.arch,
              online: device.online,
            },
          }
        : session,
    );
  }

  private patch(id: string, change: (session: SupportSession) => SupportSession): void {
    const current = this.byId().get(id);
    if (!current) return;
    this.byId.update((known) => new Map(known).set(id, change(current)));
  }

  /**
   * Stores a session and keeps the page in step with the filter: one that no longer belongs (an open
   * session that ended, seen in the Open view) leaves the page; one that has just come to belong (a
   * new session, or one that just ended, seen in the Ended view) joins the first page in date order.
   */
  private upsert(session: SupportSession, isNew: boolean): void {
    const filter = this.filter();
    const previous = this.byId().get(session.id);
    const merged = mergeSession(previous, session);
    this.byId.update((known) => new Map(known).set(session.id, merged));

    const shown = this.pageIds().includes(session.id);
    const belongs = matchesFilter(merged, filter);
    if (shown && !belongs) {
      this.pageIds.update((ids) => ids.filter((id) => id !== session.id));
      this.total.update((total) => Math.max(0, total - 1));
      return;
    }
    const joined = belongs && !shown && (previous ? !matchesFilter(previous, filter) : isNew);
    if (!joined) return;
    this.total.update((total) => total + 1);
    // While a load is under way its answer will include the session anyway.
    if (this.pageIndex() !== 0 || this.list.state() !== 'ready') return;
    this.pageIds.update((ids) => {
      const known = this.byId();
      const at = ids.findIndex((id) => (known.get(id)?.createdAt ?? '') < merged.createdAt);
      const next = at < 0 ? [...ids, session.id] : [...ids.slice(0, at), session.id, ...ids.slice(at)];
      return next.slice(0, PAGE_SIZE);
    });
  }
}
