import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatDialog } from '@angular/material/dialog';
import { firstValueFrom, map } from 'rxjs';

import { showsOwnErrors } from '../core/http-context';
import { NotificationService } from '../core/notification.service';
import { LiveStatus, ServerEventMessage } from '../core/server-events';
import { AuthService } from '../auth/auth.service';
import { compareDevices, Device } from '../devices/device.model';
import { DevicesApiService } from '../devices/devices-api.service';
import { confirmAction } from '../shared/confirm-dialog.component';
import { ListLoader, LoadState } from '../shared/list-loader';
import { injectNow } from '../shared/relative-time';
import { RemoteSessionsApiService } from './remote-sessions-api.service';
import {
  compareSessions,
  matchesFilter,
  mergeSession,
  RemoteSession,
  RemoteSessionEvent,
  SessionFilter,
} from './remote-sessions.model';

/**
 * State of the Remote Sessions page: the sessions (Active or Recent), the devices the launcher
 * offers, and the two live streams that keep both current without a reload (remote-session events,
 * and device events from the quick-support stream). Provided by the page; its dialogs share it.
 *
 * Sessions are kept by id and merged (status only moves forward), and each view is computed from
 * them, so a session that ends moves from Active to Recent by itself.
 */
@Injectable()
export class RemoteSessionsStore {
  private readonly api = inject(RemoteSessionsApiService);
  private readonly devicesApi = inject(DevicesApiService);
  private readonly auth = inject(AuthService);
  private readonly dialog = inject(MatDialog);
  private readonly notifications = inject(NotificationService);
  private readonly destroyRef = inject(DestroyRef);

  /** Ticks once a minute: sessions leave Recent 24 hours after they ended. */
  private readonly now = injectNow(60_000);

  readonly filter = signal<SessionFilter>('active');
  readonly live = signal<LiveStatus>('connecting');

  private readonly byId = signal<ReadonlyMap<string, RemoteSession>>(new Map());
  readonly sessions = computed(() => {
    const filter = this.filter();
    const now = this.now();
    return [...this.byId().values()]
      .filter((session) => matchesFilter(session, filter, now))
      .sort(compareSessions(filter));
  });

  readonly devicesState = signal<LoadState>('loading');
  private readonly deviceMap = signal<ReadonlyMap<string, Device>>(new Map());
  /** Online first, then by name. */
  readonly devices = computed(() => [...this.deviceMap().values()].sort(compareDevices));

  /** The view's loading / error / empty state; its answers are merged into the known sessions. */
  readonly list = new ListLoader({
    fetch: () => {
      const filter = this.filter();
      return this.api
        .list(filter, { context: showsOwnErrors() })
        .pipe(map(({ items }) => ({ filter, items })));
    },
    apply: ({ filter, items }) => {
      this.byId.update((known) => {
        const next = new Map(known);
        // The portal's list is the truth for this view: drop what it no longer lists (ended or
        // aged out while the live stream was down), keep the further copy of what it does.
        const listed = new Set(items.map((session) => session.id));
        for (const [id, session] of known) {
          if (!listed.has(id) && matchesFilter(session, filter)) next.delete(id);
        }
        for (const session of items) next.set(session.id, mergeSession(known.get(session.id), session));
        return next;
      });
    },
    isEmpty: () => this.sessions().length === 0,
  });
  /** Sessions with an End request in flight. */
  readonly ending = this.list.busy;

  /** Loads the sessions and devices and starts listening for live updates (until the page goes). */
  start(): void {
    this.api
      .events()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((message) => this.onSessionMessage(message));
    this.devicesApi
      .events()
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((message) => this.onDeviceMessage(message));
    void this.load();
    void this.loadDevices();
  }

  setFilter(filter: SessionFilter): void {
    if (filter === this.filter()) return;
    this.filter.set(filter);
    void this.load();
  }

  /** Reloads the current view. `quiet`: keep showing the rows meanwhile, and say nothing on failure. */
  load(quiet = false): Promise<void> {
    return this.list.load(quiet);
  }

  /** The devices (for the online dots and the launcher); an auditor reaches none and is not asked. */
  async loadDevices(): Promise<void> {
    if (!this.auth.canOperate()) {
      this.devicesState.set('ready');
      return;
    }
    if (this.deviceMap().size === 0) this.devicesState.set('loading');
    try {
      const { items } = await firstValueFrom(this.devicesApi.list({ context: showsOwnErrors() }));
      this.deviceMap.set(new Map(items.map((device) => [device.id, device])));
      this.devicesState.set('ready');
    } catch (caught: unknown) {
      console.warn('Could not load the devices', caught);
      if (this.deviceMap().size === 0) this.devicesState.set('error');
    }
  }

  device(id: string): Device | undefined {
    return this.deviceMap().get(id);
  }

  /** A session this dashboard just started (its live event may come before or after this). */
  added(session: RemoteSession): void {
    this.upsert(session);
  }

  /** Asks for confirmation, then ends the session for everyone. Resolves true when it ended. */
  async endWithConfirmation(session: RemoteSession): Promise<boolean> {
    const confirmed = await confirmAction(this.dialog, {
      title: `End the session with ${session.deviceName}?`,
      message:
        'The screen and shell connections close for everyone, including an open viewer. To help again later, start a new session.',
      confirmLabel: 'End session',
      destructive: true,
    });
    if (!confirmed) return false;

    return this.list.whileBusy(session.id, async () => {
      this.upsert(await firstValueFrom(this.api.end(session.id)));
      this.notifications.success(`The session with ${session.deviceName} has ended.`);
    });
  }

  private onSessionMessage(message: ServerEventMessage<RemoteSessionEvent>): void {
    if (message.kind === 'status') {
      this.live.set(message.status);
      // Back after a break: catch up on what happened meanwhile.
      if (message.resumed) {
        void this.load(true);
        void this.loadDevices();
      }
      return;
    }
    this.upsert(message.event.data);
  }

  private onDeviceMessage(message: ServerEventMessage<Device>): void {
    if (message.kind === 'status') {
      if (message.resumed) void this.loadDevices();
      return;
    }
    const device = message.event;
    this.deviceMap.update((known) => {
      const previous = known.get(device.id);
      // Events carry no kill switch; keep the one the list reported while the device stays online.
      const killSwitch = device.online ? (device.killSwitch ?? previous?.killSwitch ?? null) : null;
      // A registration event does not name the customer yet; keep what the list said.
      const supportSession = device.supportSession ?? previous?.supportSession ?? null;
      return new Map(known).set(device.id, { ...device, killSwitch, supportSession });
    });
  }

  private upsert(session: RemoteSession): void {
    this.byId.update((known) => new Map(known).set(session.id, mergeSession(known.get(session.id), session)));
  }
}
