import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { RemoteSessionStatus, STATUS_LABELS } from './remote-sessions.model';

/** Connecting / Active / Ended as a coloured pill. */
@Component({
  selector: 'app-remote-session-status',
  template: `<span class="dot" aria-hidden="true"></span>{{ label() }}`,
  host: { '[class]': '"status-" + status()' },
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
    .dot {
      width: 7px;
      height: 7px;
      border-radius: 50%;
      background: currentColor;
    }
    :host(.status-pending) {
      background: var(--app-pending-bg);
      color: var(--app-pending);
    }
    :host(.status-active) {
      background: var(--app-success-bg);
      color: var(--app-success);
    }
    :host(.status-ended) {
      background: var(--app-neutral-soft);
      color: var(--app-text-muted);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RemoteSessionStatusComponent {
  readonly status = input.required<RemoteSessionStatus>();
  protected readonly label = computed(() => STATUS_LABELS[this.status()]);
}
