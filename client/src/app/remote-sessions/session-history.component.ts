import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  OnInit,
  signal,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatSelectModule } from '@angular/material/select';
import { debounceTime, distinctUntilChanged, Subject } from 'rxjs';

import {
  REMOTE_SESSION_END_REASONS,
  REMOTE_SESSION_HISTORY_LIMITS,
  type RemoteSessionEndReason,
} from '../../../../contracts/api/remote-sessions';
import { showsOwnErrors } from '../core/http-context';
import { ListLoader } from '../shared/list-loader';
import { LoadStateComponent } from '../shared/load-state.component';
import { ReloadButtonComponent } from '../shared/reload-button.component';
import { RemoteSessionTableComponent } from './remote-session-table.component';
import { RemoteSessionsApiService } from './remote-sessions-api.service';
import { END_REASON_LABELS, RemoteSession } from './remote-sessions.model';

export const HISTORY_PAGE_SIZE = 25;

/**
 * The History: every ended session the signed-in user may read (administrators and auditors:
 * everyone's; a technician: their own), of any age, newest end first, searched by customer, device,
 * technician, reason or end reason, a page at a time, and exported as CSV with the same filters.
 */
@Component({
  selector: 'app-session-history',
  imports: [
    LoadStateComponent,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatPaginatorModule,
    MatSelectModule,
    ReloadButtonComponent,
    RemoteSessionTableComponent,
  ],
  template: `
    <div class="filters" role="search" aria-label="Search the history">
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="search">
        <mat-label>Search</mat-label>
        <mat-icon matPrefix svgIcon="search" aria-hidden="true" />
        <input
          matInput
          type="search"
          autocomplete="off"
          [attr.maxlength]="limits.searchMax"
          [value]="query()"
          (input)="search($any($event.target).value)"
        />
        <mat-hint>Customer, device, technician, reason or how it ended</mat-hint>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="reason">
        <mat-label>How it ended</mat-label>
        <mat-select [value]="endReason()" (selectionChange)="setEndReason($event.value)">
          <mat-option value="">Any way</mat-option>
          @for (r of endReasons; track r) {
            <mat-option [value]="r">{{ endReasonLabels[r] }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <a matButton="outlined" class="export" [href]="exportUrl()" download>
        <mat-icon svgIcon="download" />
        Export CSV
      </a>
      <app-reload-button class="export" label="Reload the history" [list]="list" (reload)="reload()" />
    </div>
    <app-load-state
      [list]="list"
      what="history"
      emptyIcon="history"
      [emptyTitle]="query() || endReason() ? 'No sessions match' : 'No ended sessions yet'"
      [emptyDetail]="
        query() || endReason()
          ? 'Try fewer or other words.'
          : 'Sessions appear here once they end, with who worked on which device and how it ended.'
      "
    />
    @if (list.view() === 'ready') {
      <app-remote-session-table [sessions]="items()" view="history" labelledBy="sessions-title" />
      <mat-paginator
        [length]="total()"
        [pageSize]="pageSize"
        [pageIndex]="pageIndex()"
        hidePageSize
        showFirstLastButtons
        aria-label="Pages of the history"
        (page)="page($event)"
      />
      <p class="summary" role="status">{{ summary() }}</p>
    }
  `,
  styles: `
    .filters {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-start;
      gap: 12px;
      padding: 0 20px 12px;
    }
    .search {
      flex: 1 1 280px;
    }
    .reason {
      flex: 0 1 240px;
    }
    .export {
      margin-top: 8px;
    }
    .summary {
      margin: 0;
      padding: 0 20px 12px;
      color: var(--app-text-muted);
      font-size: 0.8125rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionHistoryComponent implements OnInit {
  private readonly api = inject(RemoteSessionsApiService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly typed = new Subject<string>();

  protected readonly limits = REMOTE_SESSION_HISTORY_LIMITS;
  protected readonly pageSize = HISTORY_PAGE_SIZE;
  protected readonly endReasons = REMOTE_SESSION_END_REASONS;
  protected readonly endReasonLabels = END_REASON_LABELS;

  protected readonly query = signal('');
  protected readonly endReason = signal<RemoteSessionEndReason | ''>('');
  protected readonly pageIndex = signal(0);
  protected readonly items = signal<readonly RemoteSession[]>([]);
  protected readonly total = signal(0);
  private readonly capped = signal(false);

  protected readonly list = new ListLoader({
    fetch: () =>
      this.api.history(
        {
          q: this.query().trim() || undefined,
          endReason: this.endReason() || undefined,
          limit: HISTORY_PAGE_SIZE,
          offset: this.pageIndex() * HISTORY_PAGE_SIZE,
        },
        { context: showsOwnErrors() },
      ),
    apply: (page) => {
      this.items.set(page.items);
      this.total.set(page.total);
      this.capped.set(page.totalCapped);
    },
    isEmpty: () => this.items().length === 0,
  });

  protected readonly exportUrl = computed(() =>
    this.api.exportUrl({ q: this.query().trim() || undefined, endReason: this.endReason() || undefined }),
  );
  protected readonly summary = computed(() => {
    const total = this.total();
    const first = this.pageIndex() * HISTORY_PAGE_SIZE + 1;
    const last = first + this.items().length - 1;
    const of = this.capped() ? `more than ${total}` : `${total}`;
    return `Sessions ${first}–${last} of ${of}, newest first.`;
  });

  ngOnInit(): void {
    this.typed
      .pipe(debounceTime(300), distinctUntilChanged(), takeUntilDestroyed(this.destroyRef))
      .subscribe(() => {
        this.pageIndex.set(0);
        void this.list.load();
      });
    void this.list.load();
  }

  protected search(text: string): void {
    this.query.set(text.slice(0, REMOTE_SESSION_HISTORY_LIMITS.searchMax));
    this.typed.next(this.query().trim());
  }

  protected setEndReason(value: RemoteSessionEndReason | ''): void {
    this.endReason.set(value);
    this.pageIndex.set(0);
    void this.list.load();
  }

  protected page(event: PageEvent): void {
    this.pageIndex.set(event.pageIndex);
    void this.list.load();
  }

  /** Reloads the current page (the page's Reload button). */
  reload(): Promise<void> {
    return this.list.load();
  }
}
