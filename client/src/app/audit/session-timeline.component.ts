import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';

import { ApiError } from '../core/api-error';
import { AuditApiService, type AuditEventView } from './audit-api.service';
import { actorName, auditSentence } from './audit-sentences';

/**
 * A remote session's audit lines in order, one sentence each: start, consent per channel, mode
 * changes, commands, Quick Assist, reconnects, end and its reason. Every value is shown as text.
 */
@Component({
  selector: 'app-session-timeline',
  imports: [DatePipe],
  template: `
    <h2 id="timeline-heading">Timeline</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    } @else if (events() === null) {
      <p class="muted" role="status">Loading the timeline…</p>
    } @else if (events()!.length === 0) {
      <p class="muted">Nothing has been recorded for this session.</p>
    } @else {
      <ol class="timeline" aria-labelledby="timeline-heading">
        @for (e of events(); track e.id) {
          <li [attr.data-action]="e.action">
            <time [attr.datetime]="e.at">{{ e.at | date: 'medium' }}</time>
            <span class="sentence">{{ sentence(e) }}</span>
            <span class="meta">{{ e.action }} · {{ who(e) }}</span>
          </li>
        }
      </ol>
      @if (truncated()) {
        <p class="muted">
          Only the first lines are shown; the Audit page, filtered by this session, has them all.
        </p>
      }
    }
  `,
  styles: `
    h2 {
      font-size: 1.125rem;
      margin: 24px 0 12px;
    }
    .timeline {
      list-style: none;
      margin: 0;
      padding: 0;
      border-left: 2px solid var(--app-border, #ddd);
    }
    li {
      display: grid;
      grid-template-columns: 12rem 1fr;
      gap: 2px 16px;
      padding: 8px 0 8px 16px;
    }
    time {
      color: var(--app-text-muted, #666);
      font-variant-numeric: tabular-nums;
    }
    .sentence {
      overflow-wrap: anywhere;
    }
    .meta {
      grid-column: 2;
      font-size: 0.8125rem;
      color: var(--app-text-muted, #666);
    }
    .muted {
      color: var(--app-text-muted, #666);
    }
    .error {
      color: var(--app-danger, #b3261e);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionTimelineComponent {
  private readonly api = inject(AuditApiService);

  readonly sessionId = input.required<string>();

  protected readonly events = signal<AuditEventView[] | null>(null);
  protected readonly truncated = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly sentence = auditSentence;
  protected readonly who = actorName;

  constructor() {
    effect((onCleanup) => {
      const id = this.sessionId();
      this.events.set(null);
      this.error.set(null);
      const sub = this.api.timeline(id).subscribe({
        next: (t) => {
          this.events.set(t.items);
          this.truncated.set(t.truncated);
        },
        error: (err: unknown) =>
          this.error.set(err instanceof ApiError ? err.message : 'The timeline could not be loaded.'),
      });
      onCleanup(() => sub.unsubscribe());
    });
  }
}
