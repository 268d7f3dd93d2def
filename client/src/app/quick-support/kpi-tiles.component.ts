import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';

import { QuickSupportKpis } from './quick-support.model';

interface Tile {
  key: 'waiting' | 'active' | 'ended';
  label: string;
  icon: string;
  value: number | null;
  caption: string;
}

/** Waiting / Active / Ended counts. `null` KPIs (not loaded yet) show a dash. */
@Component({
  selector: 'app-kpi-tiles',
  imports: [MatIconModule],
  template: `
    @for (tile of tiles(); track tile.key) {
      <div [class]="'tile tile-' + tile.key" role="group" [attr.aria-labelledby]="'kpi-' + tile.key">
        <span class="icon" aria-hidden="true"><mat-icon [svgIcon]="tile.icon" /></span>
        <div class="text">
          <span class="label" [id]="'kpi-' + tile.key">{{ tile.label }}</span>
          <span class="value" [attr.data-kpi]="tile.key">{{ tile.value ?? '–' }}</span>
          <span class="caption">{{ tile.caption }}</span>
        </div>
      </div>
    }
  `,
  styles: `
    :host {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
      gap: 16px;
      margin-bottom: 24px;
    }
    .tile {
      display: flex;
      align-items: flex-start;
      gap: 16px;
      padding: 18px 20px;
      border: 1px solid var(--app-border);
      border-radius: var(--app-radius-lg);
      background: var(--app-surface);
      box-shadow: var(--app-shadow-sm);
    }
    .icon {
      display: inline-grid;
      flex: none;
      place-items: center;
      width: 40px;
      height: 40px;
      border-radius: 10px;
    }
    .icon mat-icon {
      width: 22px;
      height: 22px;
    }
    .tile-waiting .icon {
      background: var(--app-pending-bg);
      color: var(--app-pending);
    }
    .tile-active .icon {
      background: var(--app-success-bg);
      color: var(--app-success);
    }
    .tile-ended .icon {
      background: var(--app-neutral-soft);
      color: var(--app-text-muted);
    }
    .text {
      display: grid;
      min-width: 0;
    }
    .label {
      color: var(--app-text-muted);
      font-size: 0.8rem;
      font-weight: 600;
      letter-spacing: 0.04em;
      text-transform: uppercase;
    }
    .value {
      margin-top: 2px;
      color: var(--app-text);
      font-size: 1.75rem;
      font-weight: 650;
      font-variant-numeric: tabular-nums;
      line-height: 1.2;
    }
    .caption {
      margin-top: 2px;
      color: var(--app-text-subtle);
      font-size: 0.8rem;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class KpiTilesComponent {
  readonly kpis = input.required<QuickSupportKpis | null>();

  protected readonly tiles = computed<Tile[]>(() => {
    const kpis = this.kpis();
    return [
      {
        key: 'waiting',
        label: 'Waiting',
        icon: 'hourglass',
        value: kpis?.waiting ?? null,
        caption: 'Link sent, no device yet',
      },
      {
        key: 'active',
        label: 'Active',
        icon: 'bolt',
        value: kpis?.active ?? null,
        caption: 'Device connected',
      },
      {
        key: 'ended',
        label: 'Ended',
        icon: 'check-circle',
        value: kpis?.ended ?? null,
        caption: kpis ? `${kpis.endedLast24h} in the last 24 hours` : 'In the last 24 hours',
      },
    ];
  });
}
