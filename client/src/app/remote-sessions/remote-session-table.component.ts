import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink } from '@angular/router';

import { Device, DEVICE_KIND_LABELS } from '../devices/device.model';
import { OS_ICONS, OS_LABELS } from '../shared/os';
import { injectNow, RelativeTimePipe } from '../shared/relative-time';
import { StatusPill, StatusPillComponent } from '../shared/status-pill.component';
import {
  endReasonText,
  formatDuration,
  PROTOCOL_LABELS,
  RemoteSession,
  sessionDurationSec,
  SessionFilter,
  STATUS_PILLS,
  TYPE_LABELS,
} from './remote-sessions.model';

/** Active and Recent (live), or the searchable History of every ended session. */
export type SessionTableView = SessionFilter | 'history';

const COLUMNS: Readonly<Record<SessionTableView, readonly string[]>> = {
  active: ['customer', 'device', 'session', 'technician', 'started', 'duration', 'status', 'actions'],
  recent: ['customer', 'device', 'session', 'technician', 'ended', 'duration', 'outcome', 'details'],
  history: ['customer', 'device', 'session', 'technician', 'ended', 'duration', 'outcome', 'details'],
};

/**
 * The sessions table, Active or Recent. Device names and reasons are untrusted text: interpolated
 * (Angular escapes them), never bound as HTML.
 */
@Component({
  selector: 'app-remote-session-table',
  imports: [
    DatePipe,
    MatButtonModule,
    MatIconModule,
    MatTableModule,
    MatTooltipModule,
    RelativeTimePipe,
    RouterLink,
    StatusPillComponent,
  ],
  templateUrl: './remote-session-table.component.html',
  styleUrl: './remote-session-table.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RemoteSessionTableComponent {
  readonly sessions = input.required<readonly RemoteSession[]>();
  readonly view = input.required<SessionTableView>();
  /** Looks up a device's live state (online dot); undefined when unknown. */
  readonly deviceOf = input<(id: string) => Device | undefined>(() => undefined);
  readonly ending = input<ReadonlySet<string>>(new Set());
  /** The signed-in technician: Connect and End are theirs only on their own sessions… */
  readonly currentUserId = input<string | null>(null);
  /** …unless they are an administrator (the portal enforces the same rule). */
  readonly isAdmin = input(false);
  readonly labelledBy = input<string>();
  readonly connectRequested = output<RemoteSession>();
  readonly endRequested = output<RemoteSession>();

  protected readonly columns = COLUMNS;
  protected mayAct(s: RemoteSession): boolean {
    return this.isAdmin() || (s.technicianId !== null && s.technicianId === this.currentUserId());
  }

  protected readonly now = injectNow(5_000);
  protected readonly trackById = (_index: number, session: RemoteSession): string => session.id;

  // mat-table row contexts are untyped; these keep the lookups type-checked.
  protected osLabel(session: RemoteSession): string {
    return OS_LABELS[session.deviceOs] ?? session.deviceOs;
  }

  protected osIcon(session: RemoteSession): string {
    return OS_ICONS[session.deviceOs] ?? 'desktop';
  }

  protected kindLabel(session: RemoteSession): string {
    return DEVICE_KIND_LABELS[session.kind] ?? session.kind;
  }

  protected protocolLine(session: RemoteSession): string {
    return `${PROTOCOL_LABELS[session.protocol] ?? session.protocol} · ${TYPE_LABELS[session.type] ?? session.type}`;
  }

  protected duration(session: RemoteSession, now: number): string {
    return formatDuration(sessionDurationSec(session, now));
  }

  protected statusPill(session: RemoteSession): StatusPill {
    return STATUS_PILLS[session.status];
  }

  /** The status pill's tooltip. */
  protected statusHint(session: RemoteSession): string {
    return session.status === 'pending' ? 'Waiting for the viewer and the device to meet at the relay' : '';
  }

  protected endReason(session: RemoteSession): string {
    return endReasonText(session);
  }

  /** Online state of the session's device: true, false, or null when not known. */
  protected online(session: RemoteSession): boolean | null {
    return this.deviceOf()(session.deviceId)?.online ?? null;
  }
}
