/**
 * WCAG 2.x contrast arithmetic for the configured brand colours, shared by the portal (the connect
 * page, GET /api/branding) and the dashboard (its light and dark themes). A brand colour is whatever
 * an operator typed into BRAND_PRIMARY_COLOR; these functions pick the text that stays readable on it
 * and, where the colour itself is text or an outline, a shade of it that keeps the contrast AA needs.
 */

/** AA for normal text. */
export const TEXT_CONTRAST = 4.5;

/** Text colours the product puts on a brand-coloured fill: near-white and near-black. */
export const LIGHT_TEXT = '#ffffff';
export const DARK_TEXT = '#111827';
const BLACK = '#000000';

/** `#rrggbb` (any case) → [r, g, b] in 0–255. */
function channels(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error('A colour must look like #1f4e8c.');
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

function toHex([r, g, b]: readonly number[]): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of an sRGB colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The text colour that reads on `background`: white or near-black, whichever has more contrast; pure
 * black when neither reaches AA (mid-tones: white or black always reaches at least 4.58:1).
 */
export function readableTextOn(background: string): string {
  const preferred =
    contrastRatio(LIGHT_TEXT, background) >= contrastRatio(DARK_TEXT, background) ? LIGHT_TEXT : DARK_TEXT;
  if (contrastRatio(preferred, background) >= TEXT_CONTRAST) return preferred;
  return contrastRatio(LIGHT_TEXT, background) >= contrastRatio(BLACK, background) ? LIGHT_TEXT : BLACK;
}

/**
 * `colour` itself if it already has `min` contrast against `against`; otherwise the nearest shade of
 * it (mixed towards black on a light background, towards white on a dark one) that has. Used for a
 * brand colour shown as text, a link or a focus ring.
 */
export function shadeForContrast(colour: string, against: string, min = TEXT_CONTRAST): string {
  if (contrastRatio(colour, against) >= min) return colour.toLowerCase();
  const target = relativeLuminance(against) > 0.18 ? [0, 0, 0] : [255, 255, 255];
  const from = channels(colour);
  for (let step = 1; step <= 20; step++) {
    const t = step / 20;
    const mixed = toHex(from.map((c, i) => c + (target[i] - c) * t));
    if (contrastRatio(mixed, against) >= min) return mixed;
  }
  return toHex(target);
}
