import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';

export type PillTone = 'pending' | 'success' | 'warning' | 'neutral';

/** How one value of a status shows as a pill: its label and tone (a feature keeps a map beside its model). */
export interface StatusPill {
  readonly label: string;
  readonly tone: PillTone;
}

/**
 * A short state as a coloured pill: a mark (a dot, a pulsing dot, an icon or nothing) and the
 * projected label. Used for session statuses and the live-updates indicator.
 */
@Component({
  selector: 'app-status-pill',
  imports: [MatIconModule],
  template: `
    @if (icon(); as name) {
      <mat-icon [svgIcon]="name" aria-hidden="true" />
    } @else if (mark() !== 'none') {
      <span class="dot" [class.pulse]="mark() === 'pulse'" aria-hidden="true"></span>
    }
    <ng-content />
  `,
  host: { '[class]': '"tone-" + tone()', '[class.bare]': '!icon() && mark() === "none"' },
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 2px 10px 2px 8px;
      border-radius: 999px;
      font-size: 0.78rem;
      font-weight: 600;
      line-height: 1.6;
      white-space: nowrap;
    }
    :host(.bare) {
      padding-left: 10px;
    }
    .dot {
      width: 7px;
      height: 7px;
      border-radius: 50%;
      background: currentColor;
    }
    .pulse {
      animation: pulse 2s ease-in-out infinite;
    }
    @keyframes pulse {
      50% {
        opacity: 0.35;
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .pulse {
        animation: none;
      }
    }
    mat-icon {
      width: 14px;
      height: 14px;
    }
    :host(.tone-pending) {
      background: var(--app-pending-bg);
      color: var(--app-pending);
    }
    :host(.tone-success) {
      background: var(--app-success-bg);
      color: var(--app-success);
    }
    :host(.tone-warning) {
      background: var(--app-warning-bg);
      color: var(--app-warning);
    }
    :host(.tone-neutral) {
      background: var(--app-neutral-soft);
      color: var(--app-text-muted);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StatusPillComponent {
  readonly tone = input.required<PillTone>();
  readonly mark = input<'dot' | 'pulse' | 'none'>('dot');
  /** An icon in place of the mark. */
  readonly icon = input<string>();
}
