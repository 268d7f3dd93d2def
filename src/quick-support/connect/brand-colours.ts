/**
 * Readable colours around the configured brand colours (`#rrggbb`, checked at boot). A brand colour is
 * used as a background only with the text colour that contrasts with it best, and as a text colour only
 * where it reaches WCAG AA (4.5:1) against the surface it sits on; otherwise the page's own text colour
 * takes its place. So any brand an operator configures stays legible, in light and in dark mode.
 */
export const LIGHT_SURFACE = '#ffffff';
export const DARK_SURFACE = '#1a212b';
export const LIGHT_TEXT = '#1d2430';
export const DARK_TEXT = '#e6eaf0';

function channel(hex: string, at: number): number {
  const c = parseInt(hex.slice(at, at + 2), 16) / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2 relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  return 0.2126 * channel(hex, 1) + 0.7152 * channel(hex, 3) + 0.0722 * channel(hex, 5);
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** White or near-black, whichever reads better on `background`. */
export function textOn(background: string): string {
  return contrast(background, '#ffffff') >= contrast(background, '#111111') ? '#ffffff' : '#111111';
}

/** `colour` as text on `surface` when it reaches 4.5:1, else `fallback`. */
export function readableOn(colour: string, surface: string, fallback: string): string {
  return contrast(colour, surface) >= 4.5 ? colour : fallback;
}

export interface BrandPalette {
  primary: string;
  accent: string;
  onPrimary: string;
  onAccent: string;
  /** The primary colour where it is text: on the light surface, and on the dark one. */
  primaryTextLight: string;
  primaryTextDark: string;
}

export function brandPalette(primary: string, accent: string): BrandPalette {
  return {
    primary,
    accent,
    onPrimary: textOn(primary),
    onAccent: textOn(accent),
    primaryTextLight: readableOn(primary, LIGHT_SURFACE, LIGHT_TEXT),
    primaryTextDark: readableOn(primary, DARK_SURFACE, DARK_TEXT),
  };
}
