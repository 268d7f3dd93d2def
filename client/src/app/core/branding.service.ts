import { HttpClient } from '@angular/common/http';
import { inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

import type { BrandingBody } from '../../../../contracts/api/branding';
import { readableTextOn, shadeForContrast } from '../../../../contracts/brand-colors';
import { showsOwnErrors } from './http-context';

/** Until GET /api/branding answers (or if it cannot): the portal's own defaults. */
const FALLBACK: BrandingBody = {
  name: 'Remote Support',
  primaryColor: '#1d4ed8',
  onPrimaryColor: '#ffffff',
  accentColor: '#f2a900',
  onAccentColor: '#111827',
  logoUrl: null,
};

/**
 * The surfaces brand-coloured text and controls sit on, per theme (styles.scss: --app-surface and
 * --app-page-bg). A shade is chosen against the harder of the two so it reads on both.
 */
const LIGHT_SURFACES = ['#ffffff', '#f5f7fb'];
const DARK_SURFACES = ['#161b22', '#0d1117', '#1f2b47'];
/** What sits behind the brand mark in the sidebar (dark in both themes). */
const SIDEBAR = '#0f172a';

/**
 * The configured brand (BRAND_NAME, colours, logo), loaded once before the first page renders — the
 * login page shows it too — and applied as the dashboard's --app-brand* design tokens. A brand
 * colour that would not keep AA contrast as text or a control in a theme is replaced there by the
 * nearest shade of it that does; the text on a brand fill is white or near-black, whichever reads.
 */
@Injectable({ providedIn: 'root' })
export class BrandingService {
  private readonly http = inject(HttpClient);
  private readonly current = signal<BrandingBody>(FALLBACK);

  readonly brand = this.current.asReadonly();

  async load(): Promise<void> {
    try {
      const body = await firstValueFrom(
        this.http.get<BrandingBody>('/api/branding', { context: showsOwnErrors() }),
      );
      this.current.set(body);
    } catch {
      // The defaults stay: a portal that cannot say its brand still lets technicians sign in.
    }
    applyBrandTokens(this.current(), document.documentElement.style);
  }
}

/** Sets the brand's design tokens (see styles.scss) on `style`, usually the root element's. */
export function applyBrandTokens(brand: BrandingBody, style: CSSStyleDeclaration): void {
  const light = shadeOnAll(brand.primaryColor, LIGHT_SURFACES);
  const dark = shadeOnAll(brand.primaryColor, DARK_SURFACES);
  const tokens: Record<string, string> = {
    '--app-brand': `light-dark(${light}, ${dark})`,
    '--app-on-brand': `light-dark(${readableTextOn(light)}, ${readableTextOn(dark)})`,
    '--app-brand-strong': `light-dark(${shadeOnAll(light, ['#e0e9ff', ...LIGHT_SURFACES], 6)}, ${shadeOnAll(dark, DARK_SURFACES, 6)})`,
    '--app-focus-ring': `light-dark(${light}, ${dark})`,
    '--app-brand-mark': brand.primaryColor,
    '--app-on-brand-mark': brand.onPrimaryColor,
    '--app-accent': brand.accentColor,
    '--app-on-accent': brand.onAccentColor,
    '--app-sidebar-focus-ring': shadeOnAll(brand.primaryColor, [SIDEBAR], 4.5),
  };
  for (const [name, value] of Object.entries(tokens)) style.setProperty(name, value);
}

/** A shade of `colour` with at least `min` contrast against every one of `surfaces`. */
function shadeOnAll(colour: string, surfaces: readonly string[], min = 4.5): string {
  let shade = colour;
  // Each step only moves further from the surfaces' side (all light or all dark), so it converges.
  for (const surface of surfaces) shade = shadeForContrast(shade, surface, min);
  return shade;
}
