import { Clipboard } from '@angular/cdk/clipboard';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';

import { NotificationService } from '../core/notification.service';
import { OS_ICONS, OS_LABELS } from '../shared/os';
import { injectNow, RelativeTimePipe } from '../shared/relative-time';
import { StatusPill, StatusPillComponent } from '../shared/status-pill.component';
import { connectBlocker } from './quick-connect';
import { assigneeLine, END_REASON_LABELS, STATUS_PILLS, SupportSession } from './quick-support.model';

/**
 * The queue table. Customer notes and device names are untrusted text: they are interpolated
 * (Angular escapes them), never bound as HTML.
 */
@Component({
  selector: 'app-session-queue',
  imports: [
    DatePipe,
    MatButtonModule,
    MatIconModule,
    MatTableModule,
    MatTooltipModule,
    RelativeTimePipe,
    StatusPillComponent,
  ],
  templateUrl: './session-queue.component.html',
  styleUrl: './session-queue.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionQueueComponent {
  private readonly clipboard = inject(Clipboard);
  private readonly notifications = inject(NotificationService);

  readonly sessions = input.required<readonly SupportSession[]>();
  readonly ending = input<ReadonlySet<string>>(new Set());
  readonly labelledBy = input<string>();
  readonly opened = output<SupportSession>();
  readonly endRequested = output<SupportSession>();
  readonly connectRequested = output<SupportSession>();

  protected readonly columns = ['customer', 'device', 'os', 'status', 'created', 'notes', 'actions'] as const;
  protected readonly now = injectNow();
  protected readonly trackById = (_index: number, session: SupportSession): string => session.id;

  // mat-table row contexts are untyped; these keep the lookups type-checked.
  protected osLabel(session: SupportSession): string {
    return session.device ? OS_LABELS[session.device.os] : '';
  }

  protected osIcon(session: SupportSession): string {
    return session.device ? OS_ICONS[session.device.os] : '';
  }

  protected statusPill(session: SupportSession): StatusPill {
    return STATUS_PILLS[session.status];
  }

  /** Why an ended session ended, for the status tooltip. */
  protected endReason(session: SupportSession): string {
    return session.status === 'ended' && session.endReason ? END_REASON_LABELS[session.endReason] : '';
  }

  /** Why Connect is disabled for the row, or null. */
  protected connectBlocker(session: SupportSession): string | null {
    return connectBlocker(session);
  }

  protected assignee(session: SupportSession): string {
    return assigneeLine(session);
  }

  protected latestNote(session: SupportSession): string | null {
    return session.notes.at(-1)?.body ?? null;
  }

  protected copyLink(session: SupportSession): void {
    if (!session.url) return;
    if (this.clipboard.copy(session.url)) this.notifications.success('Customer link copied.');
    else this.notifications.error('Copying failed: open the details and copy the link by hand.');
  }
}
