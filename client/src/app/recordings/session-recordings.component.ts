import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';

import { ApiError } from '../core/api-error';
import { StatusPillComponent } from '../shared/status-pill.component';
import { INTEGRITY_TONES, STATUS_PILLS } from './recording-pills';
import { bytesText, CHANNEL_LABELS, clockText, integrityText } from './recording-text';
import { RecordingsApiService, type RecordingView } from './recordings-api.service';

/** One remote session's recordings (on its details page), each linking to its player. */
@Component({
  selector: 'app-session-recordings',
  imports: [DatePipe, RouterLink, StatusPillComponent],
  template: `
    <h2 class="heading">Recordings</h2>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    } @else if (items(); as list) {
      @if (list.length === 0) {
        <p class="muted">This session was not recorded.</p>
      } @else {
        <ul class="list" aria-label="Recordings of this session">
          @for (r of list; track r.id) {
            <li data-testid="session-recording" [attr.data-recording-id]="r.id">
              <a [routerLink]="['/recordings', r.id]">{{ channel[r.channel] }}</a>
              <span class="muted">
                <time [attr.datetime]="r.startedAt">{{ r.startedAt | date: 'medium' }}</time> ·
                {{ clock(r.durationSec * 1000) }} · {{ bytes(r.bytes) }}
              </span>
              <app-status-pill [tone]="statusPill[r.status].tone">{{
                statusPill[r.status].label
              }}</app-status-pill>
              <app-status-pill [tone]="integrityTone[r.integrity]" mark="none">{{
                integrity(r)
              }}</app-status-pill>
            </li>
          }
        </ul>
      }
    } @else {
      <p class="muted">Loading…</p>
    }
  `,
  styles: `
    .heading {
      font-size: 1.1rem;
      margin: 24px 0 8px;
    }
    .list {
      list-style: none;
      padding: 0;
      margin: 0;
    }
    li {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      padding: 6px 0;
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
export class SessionRecordingsComponent {
  private readonly api = inject(RecordingsApiService);

  readonly sessionId = input.required<string>();

  protected readonly items = signal<RecordingView[] | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly channel = CHANNEL_LABELS;
  protected readonly statusPill = STATUS_PILLS;
  protected readonly integrityTone = INTEGRITY_TONES;
  protected readonly clock = clockText;
  protected readonly bytes = bytesText;
  protected readonly integrity = integrityText;

  constructor() {
    effect((onCleanup) => {
      const sub = this.api.forSession(this.sessionId()).subscribe({
        next: (list) => this.items.set(list.items),
        error: (err: unknown) =>
          this.error.set(err instanceof ApiError ? err.message : 'The recordings could not be loaded.'),
      });
      onCleanup(() => sub.unsubscribe());
    });
  }
}
