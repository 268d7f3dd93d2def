import { ChangeDetectionStrategy, Component, input } from '@angular/core';

import { PillTone, StatusPillComponent } from '../shared/status-pill.component';
import { RemoteSessionStatus, STATUS_LABELS } from './remote-sessions.model';

const TONES: Readonly<Record<RemoteSessionStatus, PillTone>> = {
  pending: 'pending',
  active: 'success',
  ended: 'neutral',
};

/** Connecting / Active / Ended as a coloured pill. */
@Component({
  selector: 'app-remote-session-status',
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
export class RemoteSessionStatusComponent {
  readonly status = input.required<RemoteSessionStatus>();
  protected readonly tones = TONES;
  protected readonly labels = STATUS_LABELS;
}
