import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';

import { AUDIT_LIMITS } from '../../../../contracts/api/audit';
import { AuthService } from '../auth/auth.service';
import { ApiError } from '../core/api-error';
import { PageHeaderComponent } from '../shared/page-header.component';
import { AuditApiService, type AuditEventView, type ExportAuditEventsQuery } from './audit-api.service';
import { actorName, auditSentence } from './audit-sentences';

interface FilterForm {
  actor: string;
  deviceId: string;
  sessionId: string;
  action: string;
  from: string;
  to: string;
}

const EMPTY: FilterForm = { actor: '', deviceId: '', sessionId: '', action: '', from: '', to: '' };

/** Suggestions for the action filter: prefixes first, then the actions the portal writes. */
const ACTION_SUGGESTIONS = [
  'remote_session.',
  'quick_assist.',
  'device.',
  'support_session.',
  'user.',
  'remote_session.started',
  'remote_session.consent',
  'remote_session.command_run',
  'remote_session.ended',
];

/** A `datetime-local` value (the browser's time zone) as an ISO instant; '' stays ''. */
function instant(local: string): string {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/**
 * The audit trail: administrators see every line, technicians the lines of their own sessions.
 * Filters, paging by cursor (Next / Previous) and a CSV download of everything the filters match.
 * Every value from a line is shown as text (device names, commands and details are untrusted).
 */
@Component({
  selector: 'app-audit-page',
  imports: [
    DatePipe,
    FormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    PageHeaderComponent,
    RouterLink,
  ],
  template: `
    <app-page-header
      heading="Audit"
      [description]="
        isAdmin()
          ? 'Everything recorded by the portal, newest first.'
          : 'What was recorded in your remote sessions, newest first.'
      "
    >
      <a matButton="outlined" class="csv" [href]="csvHref()" download>Download CSV</a>
    </app-page-header>

    <form class="filters" (ngSubmit)="apply()" aria-label="Filters">
      <mat-form-field class="action-field">
        <mat-label>Action</mat-label>
        <input matInput name="action" [(ngModel)]="form.action" list="audit-actions" autocomplete="off" />
        <mat-hint>Exact, or a prefix ending in “.”</mat-hint>
      </mat-form-field>
      <datalist id="audit-actions">
        @for (a of suggestions; track a) {
          <option [value]="a"></option>
        }
      </datalist>
      <mat-form-field>
        <mat-label>From</mat-label>
        <input matInput type="datetime-local" name="from" [(ngModel)]="form.from" />
      </mat-form-field>
      <mat-form-field>
        <mat-label>To</mat-label>
        <input matInput type="datetime-local" name="to" [(ngModel)]="form.to" />
      </mat-form-field>
      <mat-form-field>
        <mat-label>Who (user id)</mat-label>
        <input matInput name="actor" [(ngModel)]="form.actor" autocomplete="off" />
      </mat-form-field>
      <mat-form-field>
        <mat-label>Device id</mat-label>
        <input matInput name="deviceId" [(ngModel)]="form.deviceId" autocomplete="off" />
      </mat-form-field>
      <mat-form-field>
        <mat-label>Session id</mat-label>
        <input matInput name="sessionId" [(ngModel)]="form.sessionId" autocomplete="off" />
      </mat-form-field>
      <div class="filter-actions">
        <button matButton="filled" type="submit">Apply</button>
        <button matButton type="button" (click)="reset()">Clear</button>
      </div>
    </form>

    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }

    <div class="table-scroll">
      <table class="audit" aria-label="Audit lines">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Device</th>
            <th scope="col">Session</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          @for (e of items(); track e.id) {
            <tr [attr.data-action]="e.action">
              <td class="when">
                <time [attr.datetime]="e.at">{{ e.at | date: 'medium' }}</time>
              </td>
              <td>
                @if (e.actor.type === 'user' && e.actor.id) {
                  <button
                    type="button"
                    class="link"
                    title="Only this user"
                    (click)="filterBy('actor', e.actor.id)"
                  >
                    {{ who(e) }}
                  </button>
                } @else {
                  {{ who(e) }}
                }
              </td>
              <td>
                <span class="sentence">{{ sentence(e) }}</span>
                <button
                  type="button"
                  class="link code"
                  title="Only this action"
                  (click)="filterBy('action', e.action)"
                >
                  {{ e.action }}
                </button>
              </td>
              <td>
                @if (e.deviceId) {
                  <button
                    type="button"
                    class="link"
                    title="Only this device"
                    (click)="filterBy('deviceId', e.deviceId)"
                  >
                    {{ e.deviceName ?? e.deviceId }}
                  </button>
                }
              </td>
              <td>
                @if (e.sessionId) {
                  <a [routerLink]="['/remote-sessions', e.sessionId]" title="Session details and timeline">{{
                    e.sessionId.slice(0, 8)
                  }}</a>
                }
              </td>
              <td class="details">
                <code>{{ details(e) }}</code>
              </td>
            </tr>
          } @empty {
            <tr>
              <td colspan="6" class="muted">
                {{ loading() ? 'Loading…' : 'No audit lines match these filters.' }}
              </td>
            </tr>
          }
        </tbody>
      </table>
    </div>

    <nav class="pager" aria-label="Pages">
      <button
        matButton="outlined"
        type="button"
        [disabled]="cursors().length === 0 || loading()"
        (click)="previous()"
      >
        Previous
      </button>
      <span class="muted">Page {{ cursors().length + 1 }}</span>
      <button matButton="outlined" type="button" [disabled]="!nextCursor() || loading()" (click)="next()">
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
    .action-field {
      width: 20rem;
    }
    .filter-actions {
      display: flex;
      gap: 8px;
    }
    .table-scroll {
      overflow-x: auto;
    }
    table.audit {
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
    .when {
      white-space: nowrap;
    }
    .sentence {
      display: block;
      overflow-wrap: anywhere;
    }
    .details code {
      display: block;
      max-width: 32rem;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      font-size: 0.8125rem;
    }
    .link {
      background: none;
      border: 0;
      padding: 0;
      color: var(--app-link, #0b57d0);
      cursor: pointer;
      text-align: left;
      font: inherit;
    }
    .code {
      font-family: monospace;
      font-size: 0.8125rem;
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
export class AuditPageComponent {
  private readonly api = inject(AuditApiService);

  protected readonly isAdmin = inject(AuthService).isAdmin;
  protected readonly suggestions = ACTION_SUGGESTIONS;
  protected readonly sentence = auditSentence;
  protected readonly who = actorName;

  /** What the inputs hold (applied with Apply). */
  protected form: FilterForm = { ...EMPTY };
  /** The filters in force. */
  private readonly applied = signal<ExportAuditEventsQuery>({});
  protected readonly items = signal<AuditEventView[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  /** The cursors of the pages before this one (Previous pops one). */
  protected readonly cursors = signal<string[]>([]);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  protected readonly csvHref = computed(() => this.api.csvHref(this.applied()));

  constructor() {
    this.load();
  }

  protected apply(): void {
    const f = this.form;
    this.applied.set({
      actor: f.actor.trim() || undefined,
      deviceId: f.deviceId.trim() || undefined,
      sessionId: f.sessionId.trim() || undefined,
      action: f.action.trim() || undefined,
      from: instant(f.from) || undefined,
      to: instant(f.to) || undefined,
    });
    this.cursors.set([]);
    this.load();
  }

  protected reset(): void {
    this.form = { ...EMPTY };
    this.apply();
  }

  protected filterBy(key: 'actor' | 'deviceId' | 'sessionId' | 'action', value: string): void {
    this.form = { ...this.form, [key]: value };
    this.apply();
  }

  protected next(): void {
    const cursor = this.nextCursor();
    if (!cursor) return;
    this.cursors.update((c) => [...c, cursor]);
    this.load();
  }

  protected previous(): void {
    this.cursors.update((c) => c.slice(0, -1));
    this.load();
  }

  protected details(e: AuditEventView): string {
    return Object.keys(e.details).length ? JSON.stringify(e.details) : '';
  }

  private load(): void {
    const stack = this.cursors();
    const before = stack[stack.length - 1];
    this.loading.set(true);
    this.error.set(null);
    this.api
      .page({ ...this.applied(), limit: AUDIT_LIMITS.pageDefault, ...(before ? { before } : {}) })
      .subscribe({
        next: (page) => {
          this.items.set(page.items);
          this.nextCursor.set(page.nextCursor);
          this.loading.set(false);
        },
        error: (err: unknown) => {
          this.items.set([]);
          this.nextCursor.set(null);
          this.loading.set(false);
          this.error.set(err instanceof ApiError ? err.message : 'The audit lines could not be loaded.');
        },
      });
  }
}
