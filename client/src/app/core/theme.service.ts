import { Injectable, signal } from '@angular/core';

/** What the technician chose in the shell's theme menu; `system` follows prefers-color-scheme. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** localStorage key of the choice (this browser only; not an account setting). */
export const THEME_STORAGE_KEY = 'dashboard.theme';

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(THEME_STORAGE_KEY);
    return THEME_CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : 'system';
  } catch {
    // Storage can be off (privacy settings); the system's preference then applies.
    return 'system';
  }
}

/** Puts the choice on <html data-theme> (styles.scss turns it into `color-scheme`). */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === 'system') delete root.dataset['theme'];
  else root.dataset['theme'] = choice;
}

/**
 * Light, dark, or the system's preference, remembered in this browser. Every colour is a
 * light-dark() token, so switching is one attribute on <html>: no reload, no second stylesheet.
 */
@Injectable({ providedIn: 'root' })
export class ThemeService {
  private readonly current = signal<ThemeChoice>(stored());

  readonly choice = this.current.asReadonly();

  constructor() {
    applyTheme(this.current());
  }

  choose(choice: ThemeChoice): void {
    this.current.set(choice);
    applyTheme(choice);
    try {
      if (choice === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
      else localStorage.setItem(THEME_STORAGE_KEY, choice);
    } catch {
      // Not remembered, still applied for this page.
    }
  }
}
