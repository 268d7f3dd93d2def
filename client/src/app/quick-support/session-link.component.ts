import { ChangeDetectionStrategy, Component, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';

import { CopyButtonComponent } from '../shared/copy-button.component';
import { QrCodeComponent } from '../shared/qr-code.component';

let nextId = 0;

/** The customer link of a session: read-only field, Copy URL, and Show QR for a phone to scan. */
@Component({
  selector: 'app-session-link',
  imports: [
    CopyButtonComponent,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    QrCodeComponent,
  ],
  template: `
    <mat-form-field appearance="outline" subscriptSizing="dynamic">
      <mat-label>Customer link</mat-label>
      <mat-icon matPrefix svgIcon="link" />
      <input matInput readonly [value]="url()" spellcheck="false" (focus)="select($event)" />
    </mat-form-field>
    <div class="actions">
      <app-copy-button [text]="url()" label="Copy URL" appearance="filled" />
      <button
        matButton="outlined"
        type="button"
        [attr.aria-expanded]="qrShown()"
        [attr.aria-controls]="qrId"
        (click)="qrShown.set(!qrShown())"
      >
        <mat-icon svgIcon="qr-code" />
        {{ qrShown() ? 'Hide QR' : 'Show QR' }}
      </button>
    </div>
    @if (qrShown()) {
      <figure class="qr" [id]="qrId">
        <app-qr-code [value]="url()" [size]="184" label="QR code of the customer link" />
        <figcaption>Scanning it with a phone camera opens this link.</figcaption>
      </figure>
    }
  `,
  styles: `
    :host {
      display: grid;
      gap: 12px;
    }
    mat-form-field {
      width: 100%;
    }
    mat-icon[matPrefix] {
      margin: 0 4px 0 12px;
      color: var(--app-text-subtle);
    }
    input {
      font-family: var(--app-font-mono);
      font-size: 0.85rem;
      text-overflow: ellipsis;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
    .qr {
      display: grid;
      justify-items: center;
      gap: 8px;
      margin: 4px 0 0;
      padding: 16px;
      border: 1px solid var(--app-border);
      border-radius: var(--app-radius-sm);
      background: #fff;
    }
    figcaption {
      color: var(--app-text-muted);
      font-size: 0.8rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionLinkComponent {
  readonly url = input.required<string>();
  readonly qrShown = signal(false);
  protected readonly qrId = `session-qr-${nextId++}`;

  protected select(event: FocusEvent): void {
    (event.target as HTMLInputElement).select();
  }
}
