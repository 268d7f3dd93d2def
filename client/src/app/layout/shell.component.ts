import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, inject, linkedSignal, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter, map } from 'rxjs';

import { AuthService } from '../auth/auth.service';
import { ROLE_LABELS } from '../auth/user.model';
import { registerAppIcons } from '../core/app-icons';
import { BrandingService } from '../core/branding.service';
import { MessageKey } from '../core/i18n/i18n';
import { TranslatePipe } from '../core/i18n/translate.pipe';
import { THEME_CHOICES, ThemeChoice, ThemeService } from '../core/theme.service';

interface NavItem {
  label: MessageKey;
  path: string;
  icon: string;
}

const MAIN_NAV: readonly NavItem[] = [
  { label: 'nav.quickSupport', path: '/quick-support', icon: 'headset' },
  { label: 'nav.remoteSessions', path: '/remote-sessions', icon: 'desktop' },
  { label: 'nav.recordings', path: '/recordings', icon: 'videocam' },
  { label: 'nav.audit', path: '/audit', icon: 'history' },
];

const ADMIN_NAV: readonly NavItem[] = [
  { label: 'nav.installers', path: '/admin/installers', icon: 'download' },
  { label: 'nav.devices', path: '/admin/devices', icon: 'laptop-mac' },
  { label: 'nav.users', path: '/admin/users', icon: 'group' },
];

const THEME_LABELS: Readonly<Record<ThemeChoice, MessageKey>> = {
  system: 'theme.system',
  light: 'theme.light',
  dark: 'theme.dark',
};
const THEME_ICONS: Readonly<Record<ThemeChoice, string>> = {
  system: 'contrast',
  light: 'light-mode',
  dark: 'dark-mode',
};

/** The signed-in frame: sidebar navigation, a toolbar with the current user, and the routed page. */
@Component({
  selector: 'app-shell',
  imports: [
    MatButtonModule,
    MatIconModule,
    MatMenuModule,
    MatSidenavModule,
    MatToolbarModule,
    MatTooltipModule,
    RouterLink,
    RouterLinkActive,
    RouterOutlet,
    TranslatePipe,
  ],
  templateUrl: './shell.component.html',
  styleUrl: './shell.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ShellComponent {
  private readonly auth = inject(AuthService);

  private readonly themes = inject(ThemeService);

  protected readonly brand = inject(BrandingService).brand;
  protected readonly theme = this.themes.choice;
  protected readonly themeChoices = THEME_CHOICES;
  protected readonly themeLabels = THEME_LABELS;
  protected readonly themeIcons = THEME_ICONS;
  protected readonly mainNav = MAIN_NAV;
  protected readonly adminNav = ADMIN_NAV;
  protected readonly user = this.auth.user;
  protected readonly isAdmin = this.auth.isAdmin;
  protected readonly roleLabel = computed(() => {
    const user = this.user();
    return user ? ROLE_LABELS[user.role] : '';
  });
  protected readonly initials = computed(() => {
    const name = this.user()?.displayName.trim() ?? '';
    const parts = name.split(/\s+/).filter(Boolean);
    const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : name.slice(0, 2);
    return letters.toUpperCase() || '?';
  });

  /** Narrow screens get an overlay drawer behind a menu button instead of a fixed sidebar. */
  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 960px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  /** The overlay drawer's state (compact layout only); starts closed whenever the layout changes. */
  protected readonly drawerOpen = linkedSignal({ source: this.compact, computation: () => false });
  protected readonly loggingOut = signal(false);

  constructor() {
    registerAppIcons();
    inject(Router)
      .events.pipe(
        filter((event) => event instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.drawerOpen.set(false));
  }

  protected chooseTheme(choice: ThemeChoice): void {
    this.themes.choose(choice);
  }

  protected drawerChanged(open: boolean): void {
    if (this.compact()) this.drawerOpen.set(open);
  }

  protected async logout(): Promise<void> {
    this.loggingOut.set(true);
    try {
      await this.auth.logout();
    } finally {
      this.loggingOut.set(false);
    }
  }
}
