import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';

import { AuthService } from '../auth/auth.service';
import { SupportChatComponent } from '../chat/support-chat.component';
import { OS_ICONS, OS_LABELS } from '../shared/os';
import { injectNow, RelativeTimePipe } from '../shared/relative-time';
import { StatusPillComponent } from '../shared/status-pill.component';
import {
  assigneeLine,
  END_REASON_LABELS,
  SessionDevice,
  STATUS_PILLS,
  SupportSession,
} from './quick-support.model';
import { QuickSupportStore } from './quick-support.store';
import { SessionLinkComponent } from './session-link.component';

export interface SessionDetailData {
  session: SupportSession;
}

/**
 * One session in a side sheet: its link again, the device, and the chat with the customer (their
 * notes first), kept live by the page's store and the chat's own stream. Customer text and device
 * strings are untrusted: interpolated text only. Auditors read the chat; only the owner and admins write.
 */
@Component({
  selector: 'app-session-detail',
  imports: [
    DatePipe,
    MatButtonModule,
    MatDialogModule,
    MatIconModule,
    MatTooltipModule,
    RelativeTimePipe,
    SessionLinkComponent,
    StatusPillComponent,
    SupportChatComponent,
  ],
  templateUrl: './session-detail.component.html',
  styleUrl: './session-detail.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionDetailComponent {
  private readonly store = inject(QuickSupportStore);
  private readonly data = inject<SessionDetailData>(MAT_DIALOG_DATA);
  private readonly live = this.store.watch(this.data.session.id);

  protected readonly session = computed(() => this.live() ?? this.data.session);
  protected readonly ending = computed(() => this.store.ending().has(this.data.session.id));
  protected readonly now = injectNow();
  protected readonly osIcons = OS_ICONS;
  protected readonly endReasons = END_REASON_LABELS;
  protected readonly statusPills = STATUS_PILLS;
  private readonly auth = inject(AuthService);
  /** The page's one event stream carries the chat too. */
  protected readonly chatLive = this.store.chatLive;
  protected readonly canOperate = this.auth.canOperate;
  /** Admins and auditors read every session's chat. */
  protected readonly readsAll = computed(() => {
    const role = this.auth.user()?.role;
    return role === 'admin' || role === 'auditor';
  });

  /** "Windows 11 Pro 24H2 · x64": the agent's own version string, with the OS name when it lacks one. */
  protected osLine(device: SessionDevice): string {
    const label = OS_LABELS[device.os];
    const version = device.osVersion.trim();
    const named = version.toLowerCase().replace(/\s+/g, '').startsWith(label.toLowerCase());
    return [named ? version : `${label} ${version}`.trim(), device.arch].filter(Boolean).join(' · ');
  }

  protected assignee(session: SupportSession): string {
    return assigneeLine(session);
  }

  protected async end(): Promise<void> {
    await this.store.endWithConfirmation(this.session());
  }
}
