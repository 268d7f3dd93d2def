import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';

import { ListControl } from './list-loader';

/** A list page's Reload button, in its panel header; it waits while the list is loading. */
@Component({
  selector: 'app-reload-button',
  imports: [MatButtonModule, MatIconModule, MatTooltipModule],
  template: `
    <button
      matIconButton
      type="button"
      [attr.aria-label]="label()"
      matTooltip="Reload"
      [disabled]="list().state() === 'loading'"
      (click)="reload.emit()"
    >
      <mat-icon svgIcon="refresh" />
    </button>
  `,
  // The button itself is the header's flex item.
  styles: `
    :host {
      display: contents;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReloadButtonComponent {
  readonly list = input.required<ListControl>();
  /** The button's accessible name ("Reload the queue"). */
  readonly label = input.required<string>();
  /** Clicked: the page reloads the list and whatever sits beside it (KPIs, devices). */
  readonly reload = output();
}
