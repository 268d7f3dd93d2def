import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';

import { toApiError } from '../core/api-error';
import { showsOwnErrors } from '../core/http-context';
import { QuickSupportApiService } from './quick-support-api.service';
import { SESSION_LIMITS, SupportSession } from './quick-support.model';
import { QuickSupportStore } from './quick-support.store';
import { SessionLinkComponent } from './session-link.component';

/** One line of text: what the portal accepts as a customer name. */
const ONE_LINE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

/**
 * "+ New session": optional customer name and note, then the customer link with Copy URL and Show
 * QR. Opened with the page's injector so the new session joins the page's queue at once.
 */
@Component({
  selector: 'app-new-session-dialog',
  imports: [
    DatePipe,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    ReactiveFormsModule,
    SessionLinkComponent,
  ],
  templateUrl: './new-session-dialog.component.html',
  styleUrl: './new-session-dialog.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NewSessionDialogComponent {
  private readonly api = inject(QuickSupportApiService);
  private readonly store = inject(QuickSupportStore);
  private readonly dialogRef = inject<MatDialogRef<NewSessionDialogComponent, SupportSession>>(MatDialogRef);

  protected readonly limits = SESSION_LIMITS;
  protected readonly form = inject(NonNullableFormBuilder).group({
    customerName: ['', [Validators.maxLength(SESSION_LIMITS.customerNameMax), Validators.pattern(ONE_LINE)]],
    note: ['', [Validators.maxLength(SESSION_LIMITS.noteMax)]],
  });
  protected readonly submitting = signal(false);
  protected readonly failure = signal<string | null>(null);
  /** Set once the portal has created the session: the dialog then shows its link. */
  protected readonly created = signal<SupportSession | null>(null);

  protected async submit(): Promise<void> {
    if (this.submitting()) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const customerName = this.form.controls.customerName.value.trim();
    const note = this.form.controls.note.value.trim();

    this.submitting.set(true);
    this.dialogRef.disableClose = true;
    this.failure.set(null);
    try {
      const session = await firstValueFrom(
        this.api.create(
          { ...(customerName ? { customerName } : {}), ...(note ? { note } : {}) },
          { context: showsOwnErrors() },
        ),
      );
      this.store.added(session);
      this.created.set(session);
    } catch (caught: unknown) {
      this.failure.set(toApiError(caught).message);
    } finally {
      this.submitting.set(false);
      this.dialogRef.disableClose = false;
    }
  }

  protected done(): void {
    this.dialogRef.close(this.created() ?? undefined);
  }
}
