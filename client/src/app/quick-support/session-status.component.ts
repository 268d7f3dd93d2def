import { ChangeDetectionStrategy, Component, input } from '@angular/core';

import { PillTone, StatusPillComponent } from '../shared/status-pill.component';
import { STATUS_LABELS, SupportSessionStatus } from './quick-support.model';

const TONES: Readonly<Record<SupportSessionStatus, PillTone>> = {
  waiting: 'pending',
  active: 'success',
  ended: 'neutral',
};

/** Waiting / Active / Ended as a coloured pill. */
@Component({
  selector: 'app-session-status',
  imports: [StatusPillComponent],
  template: `<app-status-pill [tone]="tones[status()]">{{ labels[status()] }}</app-status-pill>`,
  // Laid out like the pill itself (no line box around it).
  styles: `
    :host {
      display: inline-flex;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionStatusComponent {
  readonly status = input.required<SupportSessionStatus>();
  protected readonly tones = TONES;
  protected readonly labels = STATUS_LABELS;
}
