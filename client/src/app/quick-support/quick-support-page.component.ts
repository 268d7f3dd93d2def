import { ChangeDetectionStrategy, Component, computed, inject, Injector, OnInit } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';

import { AuthService } from '../auth/auth.service';
import { LiveStatusComponent } from '../shared/live-status.component';
import { LoadStateComponent } from '../shared/load-state.component';
import { PageHeaderComponent } from '../shared/page-header.component';
import { ReloadButtonComponent } from '../shared/reload-button.component';
import { KpiTilesComponent } from './kpi-tiles.component';
import { NewSessionDialogComponent } from './new-session-dialog.component';
import { QuickConnectService } from './quick-connect.service';
import { QueueFilter, SupportSession } from './quick-support.model';
import { PAGE_SIZE, QuickSupportStore } from './quick-support.store';
import { SessionDetailComponent, SessionDetailData } from './session-detail.component';
import { SessionQueueComponent } from './session-queue.component';

const EMPTY_TEXT: Readonly<Record<QueueFilter, { title: string; detail: string }>> = {
  open: {
    title: 'No open sessions',
    detail:
      'Create a session and send the link to your customer. It shows up here right away, and their device as soon as it connects.',
  },
  ended: {
    title: 'No ended sessions',
    detail: 'Sessions appear here once they end, expire or their support tool is closed.',
  },
  all: {
    title: 'No sessions yet',
    detail: 'Create a session and send the link to your customer to get started.',
  },
};

/** Quick-Support: KPI tiles, the live queue, new sessions and their links, session details. */
@Component({
  selector: 'app-quick-support-page',
  imports: [
    KpiTilesComponent,
    LiveStatusComponent,
    LoadStateComponent,
    MatButtonModule,
    MatButtonToggleModule,
    MatIconModule,
    MatPaginatorModule,
    PageHeaderComponent,
    ReloadButtonComponent,
    SessionQueueComponent,
  ],
  providers: [QuickSupportStore],
  templateUrl: './quick-support-page.component.html',
  styleUrl: './quick-support-page.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuickSupportPageComponent implements OnInit {
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);
  protected readonly store = inject(QuickSupportStore);
  private readonly quickConnect = inject(QuickConnectService);
  /** An auditor reads the queue but creates no links. */
  protected readonly canOperate = inject(AuthService).canOperate;

  protected readonly pageSize = PAGE_SIZE;
  protected readonly empty = computed(() => EMPTY_TEXT[this.store.filter()]);
  protected readonly summary = computed(() => {
    const total = this.store.total();
    return `${total} ${total === 1 ? 'session' : 'sessions'}`;
  });

  ngOnInit(): void {
    this.store.start();
  }

  protected newSession(): void {
    this.dialog.open(NewSessionDialogComponent, {
      width: '560px',
      maxWidth: 'calc(100vw - 32px)',
      injector: this.injector,
      autoFocus: 'first-tabbable',
    });
  }

  protected openDetails(session: SupportSession): void {
    this.dialog.open<SessionDetailComponent, SessionDetailData>(SessionDetailComponent, {
      data: { session },
      injector: this.injector,
      position: { right: '0', top: '0' },
      width: '480px',
      maxWidth: '100vw',
      height: '100vh',
      maxHeight: '100vh',
      panelClass: 'app-side-sheet',
      autoFocus: 'dialog',
    });
  }

  protected connect(session: SupportSession): void {
    void this.quickConnect.connect(session);
  }

  protected async end(session: SupportSession): Promise<void> {
    await this.store.endWithConfirmation(session);
  }

  protected setFilter(value: unknown): void {
    if (value === 'open' || value === 'ended' || value === 'all') this.store.setFilter(value);
  }

  protected page(event: PageEvent): void {
    this.store.setPage(event.pageIndex);
  }
}
