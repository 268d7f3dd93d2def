import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';

import { UserDto } from '../../auth/user.model';

export interface InitialPasswordDialogData {
  user: UserDto;
  password: string;
}

/**
 * Shows a server-generated password exactly once. The portal keeps only its hash, so closing this
 * dialog is the last chance to copy it.
 */
@Component({
  selector: 'app-initial-password-dialog',
  imports: [MatButtonModule, MatDialogModule, MatFormFieldModule, MatIconModule, MatInputModule],
  template: `
    <h2 mat-dialog-title>Initial password for {{ data.user.displayName }}</h2>
    <mat-dialog-content>
      <p class="intro">
        Give this password to {{ data.user.displayName }} ({{ data.user.email }}) over a channel you trust.
        They sign in with it on this portal.
      </p>
      <div class="secret">
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Initial password</mat-label>
          <input matInput readonly [value]="data.password" spellcheck="false" (focus)="select($event)" />
          @if (copyState() === 'failed') {
            <mat-hint>Copying failed: select the password and copy it by hand.</mat-hint>
          }
        </mat-form-field>
        <button matButton="tonal" type="button" class="copy" (click)="copy()">
          <mat-icon [svgIcon]="copyState() === 'copied' ? 'check' : 'content-copy'" />
          {{ copyState() === 'copied' ? 'Copied' : 'Copy password' }}
        </button>
      </div>
      <div class="warning" role="note">
        <mat-icon svgIcon="warning" />
        <span>This password will not be shown again. Copy it before you close this window.</span>
      </div>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button matButton="filled" type="button" mat-dialog-close>Done</button>
    </mat-dialog-actions>
  `,
  styles: `
    .intro {
      margin: 0 0 16px;
      line-height: 1.5;
    }
    .secret {
      display: flex;
      align-items: flex-start;
      gap: 12px;
      margin-bottom: 16px;
    }
    mat-form-field {
      flex: 1;
    }
    input {
      font-family: var(--app-font-mono);
      letter-spacing: 0.02em;
    }
    .copy {
      flex: none;
      height: 56px;
    }
    .warning {
      display: flex;
      gap: 10px;
      align-items: flex-start;
      padding: 10px 12px;
      border: 1px solid var(--app-warning-border);
      border-radius: var(--app-radius-sm);
      background: var(--app-warning-bg);
      color: var(--app-warning);
      font-size: 0.875rem;
      line-height: 1.4;
    }
    .warning mat-icon {
      flex: none;
      width: 20px;
      height: 20px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class InitialPasswordDialogComponent {
  private readonly clipboard = inject(Clipboard);
  protected readonly data = inject<InitialPasswordDialogData>(MAT_DIALOG_DATA);
  protected readonly copyState = signal<'idle' | 'copied' | 'failed'>('idle');

  protected copy(): void {
    this.copyState.set(this.clipboard.copy(this.data.password) ? 'copied' : 'failed');
  }

  protected select(event: FocusEvent): void {
    (event.target as HTMLInputElement).select();
  }
}
