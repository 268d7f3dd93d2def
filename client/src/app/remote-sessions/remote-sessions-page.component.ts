import { AuthService } from '../auth/auth.service';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  Injector,
  OnInit,
  signal,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';

import { NotificationService } from '../core/notification.service';
import { LiveStatusComponent } from '../shared/live-status.component';
import { LoadStateComponent } from '../shared/load-state.component';
import { PageHeaderComponent } from '../shared/page-header.component';
import { ReloadButtonComponent } from '../shared/reload-button.component';
import { RemoteSessionTableComponent } from './remote-session-table.component';
import { SessionHistoryComponent } from './session-history.component';
import { RemoteSession, SessionFilter } from './remote-sessions.model';
import { RemoteSessionsStore } from './remote-sessions.store';
import { StartSessionDialogComponent, StartSessionDialogData } from './start-session-dialog.component';
import { ViewerWindowsService } from './viewer-windows.service';

const EMPTY_TEXT: Readonly<Record<SessionFilter, { title: string; detail: string }>> = {
  active: {
    title: 'No active sessions',
    detail:
      'Start a session with an online device. Quick-support devices appear as soon as the customer runs the support tool.',
  },
  recent: {
    title: 'No sessions in the past 24 hours',
    detail: 'Sessions appear here once they end, with how and when they ended.',
  },
};

/** Remote Sessions: Active and Recent sessions, live; the Start-session launcher; Connect. */
@Component({
  selector: 'app-remote-sessions-page',
  imports: [
    LiveStatusComponent,
    LoadStateComponent,
    MatButtonModule,
    MatButtonToggleModule,
    MatIconModule,
    PageHeaderComponent,
    ReloadButtonComponent,
    RemoteSessionTableComponent,
    SessionHistoryComponent,
  ],
  providers: [RemoteSessionsStore],
  templateUrl: './remote-sessions-page.component.html',
  styleUrl: './remote-sessions-page.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RemoteSessionsPageComponent implements OnInit {
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);
  private readonly viewers = inject(ViewerWindowsService);
  private readonly notifications = inject(NotificationService);
  protected readonly store = inject(RemoteSessionsStore);
  protected readonly auth = inject(AuthService);

  protected readonly empty = computed(() => {
    const text = EMPTY_TEXT[this.store.filter()];
    // An auditor starts nothing: say what will appear instead of how to start.
    return this.store.filter() === 'active' && !this.auth.canOperate()
      ? { ...text, detail: 'Sessions appear here while technicians run them.' }
      : text;
  });
  protected readonly summary = computed(() => {
    const count = this.store.sessions().length;
    const noun = count === 1 ? 'session' : 'sessions';
    return this.store.filter() === 'active'
      ? `${count} active ${noun}`
      : `${count} ${noun} ended in the past 24 hours`;
  });
  protected readonly deviceOf = (id: string) => this.store.device(id);
  /** Active and Recent follow the store; History is a search of every ended session. */
  protected readonly history = signal(false);
  protected readonly shown = computed(() => (this.history() ? 'history' : this.store.filter()));

  ngOnInit(): void {
    this.store.start();
  }

  protected startSession(): void {
    void this.store.loadDevices();
    this.dialog.open<StartSessionDialogComponent, StartSessionDialogData>(StartSessionDialogComponent, {
      data: {},
      width: '600px',
      maxWidth: 'calc(100vw - 32px)',
      injector: this.injector,
      autoFocus: 'first-tabbable',
    });
  }

  protected setFilter(value: unknown): void {
    this.history.set(value === 'history');
    if (value === 'active' || value === 'recent') this.store.setFilter(value);
  }

  protected connect(session: RemoteSession): void {
    if (!this.viewers.connect(session.id)) {
      this.notifications.error(
        'Your browser blocked the viewer window. Allow pop-ups for this site, then click Connect again.',
      );
    }
  }

  protected async end(session: RemoteSession): Promise<void> {
    await this.store.endWithConfirmation(session);
  }
}
