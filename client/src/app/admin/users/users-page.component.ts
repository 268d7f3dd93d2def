import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, OnInit, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { firstValueFrom } from 'rxjs';

import { AuthService } from '../../auth/auth.service';
import { USER_ROLES } from '../../../../../contracts/api/users';
import { ROLE_HINTS, ROLE_LABELS, UserDto, UserRole } from '../../auth/user.model';
import { NotificationService } from '../../core/notification.service';
import { confirmAction } from '../../shared/confirm-dialog.component';
import { ListLoader } from '../../shared/list-loader';
import { LoadStateComponent } from '../../shared/load-state.component';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { ReloadButtonComponent } from '../../shared/reload-button.component';
import { AddUserDialogComponent } from './add-user-dialog.component';
import {
  InitialPasswordDialogComponent,
  InitialPasswordDialogData,
} from './initial-password-dialog.component';
import { CreateUserResponse, UsersApiService } from './users-api.service';

/** Admin → Users: list, add, change the role of, disable/enable and remove accounts. */
@Component({
  selector: 'app-users-page',
  imports: [
    DatePipe,
    LoadStateComponent,
    MatButtonModule,
    MatIconModule,
    MatSelectModule,
    MatTableModule,
    MatTooltipModule,
    PageHeaderComponent,
    ReloadButtonComponent,
  ],
  templateUrl: './users-page.component.html',
  styleUrl: './users-page.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UsersPageComponent implements OnInit {
  private readonly api = inject(UsersApiService);
  private readonly dialog = inject(MatDialog);
  private readonly notifications = inject(NotificationService);

  protected readonly me = inject(AuthService).user;
  protected readonly columns = ['name', 'email', 'role', 'status', 'lastLogin', 'actions'] as const;
  protected readonly roles = USER_ROLES;

  protected readonly users = signal<UserDto[]>([]);
  protected readonly list = new ListLoader({
    fetch: () => this.api.list(),
    apply: (users) => this.users.set(users),
    isEmpty: () => this.users().length === 0,
  });
  /** Users with a request in flight: their buttons wait. */
  protected readonly busy = this.list.busy;
  protected readonly summary = computed(() => {
    const all = this.users();
    const disabled = all.filter((user) => user.disabled).length;
    const count = `${all.length} ${all.length === 1 ? 'account' : 'accounts'}`;
    return disabled ? `${count} · ${disabled} disabled` : count;
  });

  protected readonly trackById = (_index: number, user: UserDto): string => user.id;

  ngOnInit(): void {
    void this.load();
  }

  protected load(): Promise<void> {
    return this.list.load();
  }

  protected roleLabel(user: UserDto): string {
    return ROLE_LABELS[user.role];
  }

  protected isSelf(user: UserDto): boolean {
    return this.me()?.id === user.id;
  }

  protected initials(user: UserDto): string {
    const parts = user.displayName.trim().split(/\s+/).filter(Boolean);
    const letters =
      parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : user.displayName.slice(0, 2);
    return letters.toUpperCase() || '?';
  }

  protected async addUser(): Promise<void> {
    const ref = this.dialog.open<AddUserDialogComponent, void, CreateUserResponse>(AddUserDialogComponent, {
      width: '520px',
      maxWidth: 'calc(100vw - 32px)',
    });
    const created = await firstValueFrom(ref.afterClosed());
    if (!created) return;
    this.users.update((list) => [...list, created.user]);
    if (created.initialPassword) {
      this.dialog.open<InitialPasswordDialogComponent, InitialPasswordDialogData>(
        InitialPasswordDialogComponent,
        {
          data: { user: created.user, password: created.initialPassword },
          width: '560px',
          maxWidth: 'calc(100vw - 32px)',
          disableClose: true,
        },
      );
    } else {
      this.notifications.success(`${created.user.displayName} can now sign in.`);
    }
  }

  protected roleName(role: UserRole): string {
    return ROLE_LABELS[role];
  }

  protected roleHint(role: UserRole): string {
    return ROLE_HINTS[role];
  }

  /** A role change signs the user out everywhere (the portal does it), so it is confirmed first. */
  protected async changeRole(user: UserDto, role: UserRole): Promise<void> {
    if (role === user.role) return;
    const confirmed = await confirmAction(this.dialog, {
      title: `Make ${user.displayName} ${role === 'admin' ? 'an' : 'a'} ${ROLE_LABELS[role]}?`,
      message: `${ROLE_HINTS[role]}. Changing the role signs them out everywhere and ends their remote sessions; they sign in again with their existing password.`,
      confirmLabel: 'Change role',
    });
    if (confirmed) {
      await this.whileBusy(user, async () => {
        const updated = await firstValueFrom(this.api.update(user.id, { role }));
        this.users.update((list) => list.map((item) => (item.id === updated.id ? updated : item)));
        this.notifications.success(
          `${updated.displayName} is now ${ROLE_LABELS[updated.role].toLowerCase()}.`,
        );
      });
    }
    // Cancelled or refused (e.g. the last admin): the picker shows the role the account still has.
    this.users.update((list) => list.map((item) => (item.id === user.id ? { ...item } : item)));
  }

  protected async toggleDisabled(user: UserDto): Promise<void> {
    const disabling = !user.disabled;
    const confirmed = await confirmAction(
      this.dialog,
      disabling
        ? {
            title: `Disable ${user.displayName}?`,
            message:
              'Disabling signs them out everywhere, right away, and blocks new sign-ins until an admin enables the account again.',
            confirmLabel: 'Disable',
            destructive: true,
          }
        : {
            title: `Enable ${user.displayName}?`,
            message: 'They will be able to sign in again with their existing password.',
            confirmLabel: 'Enable',
          },
    );
    if (!confirmed) return;

    await this.whileBusy(user, async () => {
      const updated = await firstValueFrom(this.api.update(user.id, { disabled: disabling }));
      this.users.update((list) => list.map((item) => (item.id === updated.id ? updated : item)));
      this.notifications.success(
        disabling
          ? `${updated.displayName} is disabled and signed out everywhere.`
          : `${updated.displayName} can sign in again.`,
      );
    });
  }

  protected async remove(user: UserDto): Promise<void> {
    const confirmed = await confirmAction(this.dialog, {
      title: `Remove ${user.displayName}?`,
      message: `This deletes the account for ${user.email} and signs them out. It cannot be undone; to keep the account for later, disable it instead.`,
      confirmLabel: 'Remove',
      destructive: true,
    });
    if (!confirmed) return;

    await this.whileBusy(user, async () => {
      await firstValueFrom(this.api.remove(user.id));
      this.users.update((list) => list.filter((item) => item.id !== user.id));
      this.notifications.success(`${user.displayName} was removed.`);
    });
  }

  /** Runs an action for one row; after a 404 the list reloads in full (with its loading state). */
  private async whileBusy(user: UserDto, action: () => Promise<void>): Promise<void> {
    await this.list.whileBusy(user.id, action, false);
  }
}
