import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';

/**
 * "Copy …" button: copies `text` and says "Copied" for a moment. When the browser refuses (no
 * clipboard permission), it says so, so the user selects the text by hand.
 */
@Component({
  selector: 'app-copy-button',
  imports: [MatButtonModule, MatIconModule],
  template: `
    <button
      [matButton]="appearance()"
      type="button"
      [attr.aria-label]="ariaLabel() || null"
      [disabled]="disabled()"
      (click)="copy()"
    >
      <mat-icon
        [svgIcon]="state() === 'copied' ? 'check' : state() === 'failed' ? 'error' : 'content-copy'"
      />
      {{ state() === 'copied' ? 'Copied' : state() === 'failed' ? 'Copy failed' : label() }}
    </button>
    <span class="visually-hidden" aria-live="polite">{{
      state() === 'copied'
        ? 'Copied to the clipboard'
        : state() === 'failed'
          ? 'Copying failed: select the text and copy it by hand'
          : ''
    }}</span>
  `,
  styles: `
    :host {
      display: inline-flex;
    }
    button {
      white-space: nowrap;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CopyButtonComponent {
  private readonly clipboard = inject(Clipboard);

  readonly text = input.required<string>();
  readonly label = input('Copy');
  readonly ariaLabel = input('');
  readonly appearance = input<'tonal' | 'outlined' | 'filled' | 'text'>('tonal');
  readonly disabled = input(false);

  protected readonly state = signal<'idle' | 'copied' | 'failed'>('idle');
  private reset: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.reset));
  }

  protected copy(): void {
    this.state.set(this.clipboard.copy(this.text()) ? 'copied' : 'failed');
    clearTimeout(this.reset);
    this.reset = setTimeout(() => this.state.set('idle'), 2500);
  }
}
