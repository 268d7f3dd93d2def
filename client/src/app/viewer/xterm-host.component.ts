import { ChangeDetectionStrategy, Component, ViewEncapsulation } from '@angular/core';

/**
 * The box xterm.js draws a terminal into, and xterm.js's own stylesheet. Not encapsulated, because
 * xterm.js builds its DOM itself; kept apart from the Shell tab so that tab's styles stay scoped.
 */
@Component({
  selector: 'app-xterm-host',
  template: '',
  styleUrl: './xterm-host.component.scss',
  encapsulation: ViewEncapsulation.None,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class XtermHostComponent {}
