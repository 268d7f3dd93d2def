import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';

import { ListControl } from './list-loader';

/**
 * A list's loading, error and empty states inside its card (nothing once it has rows); "Try again"
 * reloads the list. Projected content becomes the empty state's actions.
 */
@Component({
  selector: 'app-load-state',
  imports: [MatButtonModule, MatIconModule, MatProgressSpinnerModule],
  template: `
    @switch (list().view()) {
      @case ('loading') {
        <div class="state" role="status">
          <mat-progress-spinner mode="indeterminate" diameter="32" aria-hidden="true" />
          <p>Loading {{ what() }}…</p>
        </div>
      }
      @case ('error') {
        <div class="state" role="alert">
          <mat-icon class="state-icon error" svgIcon="error" />
          <p class="state-title">The {{ what() }} could not be loaded.</p>
          <p class="state-detail">{{ list().error() }}</p>
          <button matButton="outlined" type="button" (click)="retry()">Try again</button>
        </div>
      }
      @case ('empty') {
        <div class="state">
          <mat-icon class="state-icon" [svgIcon]="emptyIcon()" />
          <p class="state-title">{{ emptyTitle() }}</p>
          <p class="state-detail">{{ emptyDetail() }}</p>
          <ng-content />
        </div>
      }
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .state {
      display: grid;
      justify-items: center;
      gap: 8px;
      padding: 56px 24px;
      text-align: center;
      color: var(--app-text-muted);

      p {
        margin: 0;
      }
    }
    .state-icon {
      width: 40px;
      height: 40px;
      color: var(--app-text-subtle);

      &.error {
        color: var(--app-danger);
      }
    }
    .state-title {
      color: var(--app-text);
      font-weight: 600;
    }
    .state-detail {
      max-width: 56ch;
      margin-bottom: 8px !important;
      line-height: 1.5;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoadStateComponent {
  readonly list = input.required<ListControl>();
  /** What the list holds, plural ("sessions"): "Loading sessions…", "The sessions could not be loaded." */
  readonly what = input.required<string>();
  readonly emptyIcon = input.required<string>();
  readonly emptyTitle = input.required<string>();
  readonly emptyDetail = input.required<string>();

  protected retry(): void {
    void this.list().load();
  }
}
