import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatSelectModule } from '@angular/material/select';
import { MatTooltipModule } from '@angular/material/tooltip';
import { firstValueFrom } from 'rxjs';

import type { TechnicianView } from '../../../../contracts/api/users';
import { UsersApiService } from '../admin/users/users-api.service';
import { AuthService } from '../auth/auth.service';
import { showsOwnErrors } from '../core/http-context';

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
import { connectBlocker } from './quick-connect';
import { QuickConnectService } from './quick-connect.service';

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
    MatFormFieldModule,
    MatIconModule,
    MatSelectModule,
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
  private readonly quickConnect = inject(QuickConnectService);
  private readonly usersApi = inject(UsersApiService);
  private readonly auth = inject(AuthService);

  protected readonly session = computed(() => this.live() ?? this.data.session);
  protected readonly ending = computed(() => this.store.ending().has(this.data.session.id));
  protected readonly now = injectNow();
  protected readonly osIcons = OS_ICONS;
  protected readonly endReasons = END_REASON_LABELS;
  protected readonly statusPills = STATUS_PILLS;
  /** Why Connect is disabled, or null. */
  protected readonly connectBlocker = computed(() => connectBlocker(this.session()));
  /** Who holds the session: its assignee, else its creator. */
  protected readonly holder = computed(() => this.session().assignedTo ?? this.session().createdBy);
  /** An administrator who does not hold it may take it over (the portal's rule: owner or admin). */
  protected readonly canTakeOver = computed(
    () =>
      this.auth.isAdmin() && this.session().status !== 'ended' && this.holder()?.id !== this.auth.user()?.id,
  );
  /** Whom it can be handed to (loaded when the holder opens the panel), without its holder. */
  protected readonly technicians = signal<readonly TechnicianView[] | null>(null);
  protected readonly handTo = signal('');
  protected readonly assigning = signal(false);
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

  constructor() {
    effect(() => {
      const s = this.session();
      if (s.canManage && s.status !== 'ended' && this.technicians() === null) void this.loadTechnicians();
    });
  }

  protected async end(): Promise<void> {
    await this.store.endWithConfirmation(this.session());
  }

  protected connect(): void {
    void this.quickConnect.connect(this.session());
  }

  protected connectWithOptions(): void {
    const device = this.session().device;
    if (device) this.quickConnect.openLauncher(device.id);
  }

  protected async handOver(): Promise<void> {
    const to = this.technicians()?.find((t) => t.id === this.handTo());
    if (!to) return;
    await this.assignTo(to);
  }

  protected async takeOver(): Promise<void> {
    const me = this.auth.user();
    if (me) await this.assignTo({ id: me.id, displayName: me.displayName });
  }

  private async assignTo(to: { id: string; displayName: string }): Promise<void> {
    if (this.assigning()) return;
    this.assigning.set(true);
    try {
      if (await this.store.assign(this.session(), to)) this.handTo.set('');
    } finally {
      this.assigning.set(false);
    }
  }

  private async loadTechnicians(): Promise<void> {
    this.technicians.set([]);
    try {
      const people = await firstValueFrom(this.usersApi.technicians({ context: showsOwnErrors() }));
      this.technicians.set(people);
    } catch (caught: unknown) {
      console.warn('Could not load the technicians', caught);
    }
  }
}
