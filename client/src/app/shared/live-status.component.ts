import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatTooltipModule } from '@angular/material/tooltip';

import { LiveStatus } from '../core/server-events';
import { StatusPillComponent } from './status-pill.component';

/** A page's live-updates indicator (see core/server-events): Live, Connecting… or Reconnecting…. */
@Component({
  selector: 'app-live-status',
  imports: [MatTooltipModule, StatusPillComponent],
  template: `
    @switch (status()) {
      @case ('live') {
        <app-status-pill tone="success" mark="pulse" role="status" [matTooltip]="liveHint()">
          Live
        </app-status-pill>
      }
      @case ('connecting') {
        <app-status-pill tone="neutral" mark="none" role="status">Connecting…</app-status-pill>
      }
      @case ('reconnecting') {
        <app-status-pill tone="warning" icon="cloud-off" role="status" [matTooltip]="retryHint">
          Reconnecting…
        </app-status-pill>
      }
    }
  `,
  styles: `
    :host {
      display: inline-flex;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LiveStatusComponent {
  readonly status = input.required<LiveStatus>();
  /** The tooltip while live: what appears without reloading. */
  readonly liveHint = input.required<string>();
  protected readonly retryHint = 'Retrying in the background; reload to see the latest state';
}
