import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { FormControl, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { firstValueFrom } from 'rxjs';

import { RECORDING_LIMITS, type SetLegalHoldRequest } from '../../../../contracts/api/recordings';

export interface LegalHoldDialogData {
  /** The hold being set (true) or lifted (false). */
  hold: boolean;
}

/** Puts a recording on legal hold (kept past retention) or lifts it, with a note for the audit trail. */
@Component({
  selector: 'app-legal-hold-dialog',
  imports: [MatButtonModule, MatDialogModule, MatFormFieldModule, MatInputModule, ReactiveFormsModule],
  template: `
    <h2 mat-dialog-title>{{ data.hold ? 'Put on legal hold' : 'Lift legal hold' }}</h2>
    <mat-dialog-content>
      <p class="message">
        {{
          data.hold
            ? 'A recording on hold is kept past retention until the hold is lifted.'
            : 'Without the hold, retention deletes this recording when it expires.'
        }}
      </p>
      <mat-form-field class="note">
        <mat-label>Note</mat-label>
        <textarea matInput [formControl]="note" rows="3" [maxlength]="max"></textarea>
        <mat-hint>Case number or request; kept with the audit line.</mat-hint>
        @if (note.invalid) {
          <mat-error>Use at most {{ max }} characters.</mat-error>
        }
      </mat-form-field>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button matButton type="button" mat-dialog-close>Cancel</button>
      <button
        matButton="filled"
        type="button"
        data-testid="legal-hold-confirm"
        [disabled]="note.invalid"
        (click)="confirm()"
      >
        {{ data.hold ? 'Put on hold' : 'Lift hold' }}
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .message {
      margin: 0 0 12px;
    }
    .note {
      width: 100%;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LegalHoldDialogComponent {
  protected readonly data = inject<LegalHoldDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<LegalHoldDialogComponent, SetLegalHoldRequest>>(MatDialogRef);
  protected readonly max = RECORDING_LIMITS.legalHoldNoteMax;
  protected readonly note = new FormControl('', {
    nonNullable: true,
    validators: [Validators.maxLength(RECORDING_LIMITS.legalHoldNoteMax)],
  });

  protected confirm(): void {
    const note = this.note.value.trim();
    this.ref.close({ hold: this.data.hold, ...(note ? { note } : {}) });
  }
}

/** Resolves the request to send, or null when cancelled. */
export async function askLegalHold(dialog: MatDialog, hold: boolean): Promise<SetLegalHoldRequest | null> {
  const ref = dialog.open<LegalHoldDialogComponent, LegalHoldDialogData, SetLegalHoldRequest>(
    LegalHoldDialogComponent,
    { data: { hold }, width: '480px' },
  );
  return (await firstValueFrom(ref.afterClosed())) ?? null;
}
