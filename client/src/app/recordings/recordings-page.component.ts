import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';

import {
  RECORDED_CHANNELS,
  RECORDING_LIMITS,
  RECORDING_STATUSES,
} from '../../../../contracts/api/recordings';
import { ApiError } from '../core/api-error';
import { PageHeaderComponent } from '../shared/page-header.component';
import { StatusPillComponent } from '../shared/status-pill.component';
import { INTEGRITY_TONES, STATUS_PILLS } from './recording-pills';
import { bytesText, CHANNEL_LABELS, clockText, integrityText, statusWhy } from './recording-text';
import { hasNextPage, recordingsQuery } from './recordings-query';
import { RecordingsApiService, type RecordingView } from './recordings-api.service';

const PAGE = RECORDING_LIMITS.pageDefault;

/** A `datetime-local` value as an ISO instant and back ('' stays ''). */
function instant(local: string): string {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
function local(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

interface FilterForm {
  channel: string;
  status: string;
  integrity: string;
  legalHold: string;
  from: string;
  to: string;
}

/**
 * Session recordings: administrators and auditors see all, technicians those of their own sessions
 * (the API decides). Filters live in the query string (technician and device too, set by links from
 * elsewhere); paging by offset. Device names are untrusted text, shown as text.
 */
@Component({
  selector: 'app-recordings-page',
  imports: [
    DatePipe,
    FormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    PageHeaderComponent,
    RouterLink,
    StatusPillComponent,
  ],
  template: `
    <app-page-header
      heading="Recordings"
      description="Recorded screens, shells and commands, newest first."
    />

    <form class="filters" (ngSubmit)="apply()" aria-label="Filters">
      <mat-form-field>
        <mat-label>Channel</mat-label>
        <mat-select name="channel" [(ngModel)]="form.channel">
          <mat-option value="">Any</mat-option>
          @for (c of channels; track c) {
            <mat-option [value]="c">{{ channelLabel[c] }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Status</mat-label>
        <mat-select name="status" [(ngModel)]="form.status">
          <mat-option value="">Any</mat-option>
          @for (s of statuses; track s) {
            <mat-option [value]="s">{{ statusPill[s].label }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Integrity</mat-label>
        <mat-select name="integrity" [(ngModel)]="form.integrity">
          <mat-option value="">Any</mat-option>
          <mat-option value="verified">Verified</mat-option>
          <mat-option value="broken">Broken</mat-option>
          <mat-option value="unchecked">Unchecked</mat-option>
        </mat-select>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Legal hold</mat-label>
        <mat-select name="legalHold" [(ngModel)]="form.legalHold">
          <mat-option value="">Any</mat-option>
          <mat-option value="true">On hold</mat-option>
          <mat-option value="false">Not on hold</mat-option>
        </mat-select>
      </mat-form-field>
      <mat-form-field>
        <mat-label>From</mat-label>
        <input matInput type="datetime-local" name="from" [(ngModel)]="form.from" />
      </mat-form-field>
      <mat-form-field>
        <mat-label>To</mat-label>
        <input matInput type="datetime-local" name="to" [(ngModel)]="form.to" />
      </mat-form-field>
      <div class="filter-actions">
        <button matButton="filled" type="submit">Apply</button>
        <button matButton type="button" (click)="reset()">Clear</button>
      </div>
    </form>
    @if (narrowed(); as what) {
      <p class="muted narrowed">Only {{ what }}. <a routerLink="/recordings">Show all recordings</a></p>
    }

    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }

    <div class="table-scroll">
      <table class="recordings" aria-label="Recordings">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Size</th>
            <th scope="col">Technician</th>
            <th scope="col">Device</th>
            <th scope="col">Channel</th>
            <th scope="col">Status</th>
            <th scope="col">Integrity</th>
            <th scope="col">Legal hold</th>
          </tr>
        </thead>
        <tbody>
          @for (r of items(); track r.id) {
            <tr [attr.data-recording-id]="r.id" data-testid="recording-row">
              <td class="nowrap">
                <a [routerLink]="['/recordings', r.id]" title="Play this recording">
                  <time [attr.datetime]="r.startedAt">{{ r.startedAt | date: 'medium' }}</time>
                </a>
              </td>
              <td class="nowrap">{{ clock(r.durationSec * 1000) }}</td>
              <td class="nowrap">{{ bytes(r.bytes) }}</td>
              <td>
                @if (r.technicianId) {
                  <a
                    [routerLink]="[]"
                    [queryParams]="{ technicianId: r.technicianId }"
                    title="Only this technician"
                    >{{ r.technician ?? 'Removed account' }}</a
                  >
                } @else {
                  {{ r.technician ?? '—' }}
                }
              </td>
              <td class="device">
                @if (r.deviceId) {
                  <a [routerLink]="[]" [queryParams]="{ deviceId: r.deviceId }" title="Only this device">{{
                    r.deviceName ?? r.deviceId
                  }}</a>
                } @else {
                  {{ r.deviceName ?? '—' }}
                }
              </td>
              <td>{{ channelLabel[r.channel] }}</td>
              <td>
                <app-status-pill [tone]="statusPill[r.status].tone" [attr.title]="why(r) || null">{{
                  statusPill[r.status].label
                }}</app-status-pill>
              </td>
              <td data-testid="recording-integrity" [attr.data-integrity]="r.integrity">
                <app-status-pill [tone]="integrityTone[r.integrity]" mark="none">{{
                  integrity(r)
                }}</app-status-pill>
              </td>
              <td>{{ r.legalHold ? 'On hold' : '' }}</td>
            </tr>
          } @empty {
            <tr>
              <td colspan="9" class="muted">
                {{ loading() ? 'Loading…' : 'No recordings match these filters.' }}
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>

    <nav class="pager" aria-label="Pages">
      <button matButton="outlined" type="button" [disabled]="offset() === 0 || loading()" (click)="page(-1)">
        Previous
      </button>
      <span class="muted">{{ range() }}</span>
      <button matButton="outlined" type="button" [disabled]="!hasNext() || loading()" (click)="page(1)">
        Next
      </button>
    </nav>
  `,
  styles: `
    :host {
      display: block;
    }
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 16px;
      align-items: baseline;
    }
    .filters mat-form-field {
      width: 12rem;
    }
    .filter-actions {
      display: flex;
      gap: 8px;
    }
    .table-scroll {
      overflow-x: auto;
    }
    table {
      width: 100%;
      border-collapse: collapse;
    }
    th,
    td {
      text-align: left;
      vertical-align: top;
      padding: 8px;
      border-bottom: 1px solid var(--app-border, #e0e0e0);
    }
    .nowrap {
      white-space: nowrap;
    }
    .device {
      overflow-wrap: anywhere;
      max-width: 16rem;
    }
    .muted {
      color: var(--app-text-muted, #666);
    }
    .error {
      color: var(--app-danger, #b3261e);
    }
    .pager {
      display: flex;
      gap: 16px;
      align-items: center;
      justify-content: flex-end;
      margin-top: 16px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RecordingsPageComponent {
  private readonly api = inject(RecordingsApiService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly channels = RECORDED_CHANNELS;
  protected readonly statuses = RECORDING_STATUSES;
  protected readonly channelLabel = CHANNEL_LABELS;
  protected readonly statusPill = STATUS_PILLS;
  protected readonly integrityTone = INTEGRITY_TONES;
  protected readonly clock = clockText;
  protected readonly bytes = bytesText;
  protected readonly integrity = integrityText;
  protected readonly why = statusWhy;

  private readonly query = toSignal(this.route.queryParamMap, { requireSync: true });
  protected form: FilterForm = { channel: '', status: '', integrity: '', legalHold: '', from: '', to: '' };
  protected readonly items = signal<RecordingView[]>([]);
  protected readonly total = signal(0);
  protected readonly totalCapped = signal(false);
  protected readonly offset = signal(0);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly narrowed = signal('');

  constructor() {
    effect((onCleanup) => {
      const q = recordingsQuery(this.query());
      this.form = {
        channel: q.channel ?? '',
        status: q.status ?? '',
        integrity: q.integrity ?? '',
        legalHold: q.legalHold === undefined ? '' : String(q.legalHold),
        from: local(q.from),
        to: local(q.to),
      };
      const parts = [
        q.technicianId ? 'one technician' : '',
        q.deviceId ? 'one device' : '',
        q.sessionId ? 'one session' : '',
      ].filter(Boolean);
      this.narrowed.set(parts.length ? `the recordings of ${parts.join(', ')}` : '');
      this.offset.set(q.offset ?? 0);
      this.loading.set(true);
      this.error.set(null);
      const sub = this.api.list({ ...q, limit: PAGE }).subscribe({
        next: (list) => {
          this.items.set(list.items);
          this.total.set(list.total);
          this.totalCapped.set(list.totalCapped);
          this.loading.set(false);
        },
        error: (err: unknown) => {
          this.items.set([]);
          this.total.set(0);
          this.loading.set(false);
          this.error.set(err instanceof ApiError ? err.message : 'The recordings could not be loaded.');
        },
      });
      onCleanup(() => sub.unsubscribe());
    });
  }

  protected hasNext(): boolean {
    return hasNextPage({
      offset: this.offset(),
      shown: this.items().length,
      pageSize: PAGE,
      total: this.total(),
      totalCapped: this.totalCapped(),
    });
  }

  protected range(): string {
    const n = this.items().length;
    if (n === 0) return '';
    const of = this.totalCapped() ? `more than ${this.total()}` : String(this.total());
    return `${this.offset() + 1}–${this.offset() + n} of ${of}`;
  }

  protected apply(): void {
    const f = this.form;
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: {
        channel: f.channel || null,
        status: f.status || null,
        integrity: f.integrity || null,
        legalHold: f.legalHold || null,
        from: instant(f.from) || null,
        to: instant(f.to) || null,
        offset: null,
      },
      queryParamsHandling: 'merge',
    });
  }

  protected reset(): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: {} });
  }

  protected page(direction: 1 | -1): void {
    const offset = Math.max(0, this.offset() + direction * PAGE);
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: { offset: offset || null },
      queryParamsHandling: 'merge',
    });
  }
}
