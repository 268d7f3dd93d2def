import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';

import { SessionTimelineComponent } from '../audit/session-timeline.component';
import { ApiError } from '../core/api-error';
import { SessionRecordingsComponent } from '../recordings/session-recordings.component';
import { PageHeaderComponent } from '../shared/page-header.component';
import { RemoteSessionsApiService } from './remote-sessions-api.service';
import { endReasonText, type RemoteSession } from './remote-sessions.model';

/** One remote session: who, which device, how it went, and its timeline from the audit trail. */
@Component({
  selector: 'app-session-details-page',
  imports: [
    DatePipe,
    MatButtonModule,
    PageHeaderComponent,
    RouterLink,
    SessionRecordingsComponent,
    SessionTimelineComponent,
  ],
  template: `
    <app-page-header heading="Remote session" [description]="session()?.deviceName ?? ''">
      <a matButton="outlined" routerLink="/remote-sessions">All sessions</a>
    </app-page-header>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
    @if (session(); as s) {
      <dl class="facts">
        <dt>Device</dt>
        <dd>{{ s.deviceName }}</dd>
        <dt>Technician</dt>
        <dd>{{ s.technician ?? 'Removed account' }}</dd>
        <dt>Type</dt>
        <dd>{{ s.type }} · {{ s.protocol.toUpperCase() }}</dd>
        @if (s.reason) {
          <dt>Reason</dt>
          <dd>{{ s.reason }}</dd>
        }
        <dt>Started</dt>
        <dd>{{ s.startedAt | date: 'medium' }}</dd>
        <dt>Status</dt>
        <dd>{{ s.status === 'ended' ? endReason(s) : s.status }}</dd>
      </dl>
    }
    <app-session-recordings [sessionId]="id()" />
    <app-session-timeline [sessionId]="id()" />
  `,
  styles: `
    .facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 6px 24px;
      margin: 0;
    }
    dt {
      color: var(--app-text-muted, #666);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .error {
      color: var(--app-danger, #b3261e);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionDetailsPageComponent {
  private readonly api = inject(RemoteSessionsApiService);

  /** The `:id` route parameter (component input binding). */
  readonly id = input.required<string>();

  protected readonly session = signal<RemoteSession | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly endReason = endReasonText;

  constructor() {
    effect((onCleanup) => {
      const sub = this.api.get(this.id()).subscribe({
        next: (s) => this.session.set(s),
        error: (err: unknown) =>
          this.error.set(err instanceof ApiError ? err.message : 'The session could not be loaded.'),
      });
      onCleanup(() => sub.unsubscribe());
    });
  }
}
