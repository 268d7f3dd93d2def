import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatIconModule } from '@angular/material/icon';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { toApiError } from '../../core/api-error';
import { showsOwnErrors } from '../../core/http-context';
import { CopyButtonComponent } from '../../shared/copy-button.component';
import { OS_ICONS, OS_LABELS, OS_NAMES, OsName } from '../../shared/os';
import { PageHeaderComponent } from '../../shared/page-header.component';
import { injectNow, RelativeTimePipe } from '../../shared/relative-time';
import { InstallerCommand, InstallersApiService } from './installers-api.service';

/**
 * Admin → Agent installers: pick an OS, get a one-line command that installs the persistent agent as
 * a service, bound to a one-shot token (single use, short expiry), with a copy button.
 */
@Component({
  selector: 'app-installers-page',
  imports: [
    CopyButtonComponent,
    DatePipe,
    MatButtonModule,
    MatButtonToggleModule,
    MatIconModule,
    PageHeaderComponent,
    RelativeTimePipe,
    RouterLink,
  ],
  templateUrl: './installers-page.component.html',
  styleUrl: './installers-page.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class InstallersPageComponent {
  private readonly api = inject(InstallersApiService);

  protected readonly oses = OS_NAMES;
  protected readonly osLabels = OS_LABELS;
  protected readonly osIcons = OS_ICONS;
  protected readonly now = injectNow(5_000);

  protected readonly os = signal<OsName>(guessOs());
  protected readonly generating = signal(false);
  protected readonly failure = signal<string | null>(null);
  protected readonly result = signal<InstallerCommand | null>(null);
  protected readonly expired = computed(() => {
    const result = this.result();
    return result !== null && Date.parse(result.expiresAt) <= this.now();
  });

  protected choose(value: unknown): void {
    if (value !== 'windows' && value !== 'macos' && value !== 'linux') return;
    this.os.set(value);
    // A command is for one OS; do not leave another system's command on screen.
    if (this.result()?.os !== value) this.result.set(null);
    this.failure.set(null);
  }

  protected async generate(): Promise<void> {
    if (this.generating()) return;
    this.generating.set(true);
    this.failure.set(null);
    try {
      this.result.set(await firstValueFrom(this.api.create(this.os(), { context: showsOwnErrors() })));
    } catch (caught: unknown) {
      this.result.set(null);
      this.failure.set(toApiError(caught).message);
    } finally {
      this.generating.set(false);
    }
  }
}

/** The admin's own OS as a first guess (they often install on a machine like theirs). */
function guessOs(): OsName {
  const platform = navigator.userAgent;
  if (/Windows/i.test(platform)) return 'windows';
  if (/Macintosh|Mac OS X/i.test(platform)) return 'macos';
  return 'linux';
}
