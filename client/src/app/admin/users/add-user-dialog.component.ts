import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { firstValueFrom } from 'rxjs';

import { ROLE_HINTS, ROLE_LABELS, UserRole } from '../../auth/user.model';
import { toApiError } from '../../core/api-error';
import { showsOwnErrors } from '../../core/http-context';
import { CreateUserRequest, CreateUserResponse, USER_LIMITS, UsersApiService } from './users-api.service';

/** "Add technician": creates the account and closes with the server's answer. */
@Component({
  selector: 'app-add-user-dialog',
  imports: [
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    ReactiveFormsModule,
  ],
  templateUrl: './add-user-dialog.component.html',
  styleUrl: './add-user-dialog.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AddUserDialogComponent {
  private readonly api = inject(UsersApiService);
  private readonly dialogRef = inject<MatDialogRef<AddUserDialogComponent, CreateUserResponse>>(MatDialogRef);

  protected readonly limits = USER_LIMITS;
  protected readonly roles: readonly { value: UserRole; label: string; hint: string }[] = [
    { value: 'technician', label: ROLE_LABELS.technician, hint: ROLE_HINTS.technician },
    { value: 'admin', label: ROLE_LABELS.admin, hint: ROLE_HINTS.admin },
    { value: 'auditor', label: ROLE_LABELS.auditor, hint: ROLE_HINTS.auditor },
  ];
  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email, Validators.maxLength(USER_LIMITS.emailMax)]],
    displayName: [
      '',
      [Validators.required, Validators.pattern(/\S/), Validators.maxLength(USER_LIMITS.displayNameMax)],
    ],
    role: ['technician' as UserRole, Validators.required],
    password: [
      '',
      [Validators.minLength(USER_LIMITS.passwordMin), Validators.maxLength(USER_LIMITS.passwordMax)],
    ],
  });
  protected readonly submitting = signal(false);
  protected readonly failure = signal<string | null>(null);

  protected roleLabel(role: UserRole): string {
    return ROLE_LABELS[role];
  }

  protected async submit(): Promise<void> {
    if (this.submitting()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    const body: CreateUserRequest = {
      email: value.email.trim(),
      displayName: value.displayName.trim(),
      role: value.role,
      ...(value.password ? { password: value.password } : {}),
    };

    this.submitting.set(true);
    this.dialogRef.disableClose = true;
    this.failure.set(null);
    try {
      const created = await firstValueFrom(this.api.create(body, { context: showsOwnErrors() }));
      this.dialogRef.close(created);
    } catch (caught: unknown) {
      const error = toApiError(caught);
      if (error.code === 'email_taken') {
        this.form.controls.email.setErrors({ taken: true });
      } else {
        this.failure.set(error.message);
      }
    } finally {
      this.submitting.set(false);
      this.dialogRef.disableClose = false;
    }
  }
}
