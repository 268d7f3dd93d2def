/**
 * The screen's picture quality, as the technician chose it: presets over noVNC's `qualityLevel`
 * (JPEG quality, 0–9, for Tight encoding) and `compressionLevel` (zlib effort, 0–9), remembered per
 * browser. Pure, apart from the storage handed in.
 */
export type ScreenQuality = 'best' | 'balanced' | 'low';

export interface ScreenQualityPreset {
  key: ScreenQuality;
  label: string;
  qualityLevel: number;
  compressionLevel: number;
}

export const SCREEN_QUALITY_PRESETS: readonly ScreenQualityPreset[] = [
  { key: 'best', label: 'Best quality', qualityLevel: 9, compressionLevel: 1 },
  // noVNC's own defaults.
  { key: 'balanced', label: 'Balanced', qualityLevel: 6, compressionLevel: 2 },
  { key: 'low', label: 'Low bandwidth', qualityLevel: 1, compressionLevel: 9 },
];

export const DEFAULT_SCREEN_QUALITY: ScreenQuality = 'balanced';
/** The localStorage key the choice is kept under. */
export const SCREEN_QUALITY_KEY = 'viewer.screenQuality';

export function screenQualityPreset(key: ScreenQuality): ScreenQualityPreset {
  return SCREEN_QUALITY_PRESETS.find((p) => p.key === key) ?? SCREEN_QUALITY_PRESETS[1];
}

/** The remembered choice; the default when nothing (or something unknown) is stored, or storage is off. */
export function loadScreenQuality(storage: Pick<Storage, 'getItem'> | null): ScreenQuality {
  let stored: string | null = null;
  try {
    stored = storage?.getItem(SCREEN_QUALITY_KEY) ?? null;
  } catch {
    // Storage refused (privacy settings): the default, every time.
    return DEFAULT_SCREEN_QUALITY;
  }
  return SCREEN_QUALITY_PRESETS.some((p) => p.key === stored)
    ? (stored as ScreenQuality)
    : DEFAULT_SCREEN_QUALITY;
}

/** Remembers the choice; false when the browser refused to store it (it still applies now). */
export function saveScreenQuality(storage: Pick<Storage, 'setItem'> | null, key: ScreenQuality): boolean {
  try {
    storage?.setItem(SCREEN_QUALITY_KEY, key);
    return storage !== null;
  } catch {
    return false;
  }
}

/** A monitor as the picker names it: "Monitor 2 · 1280 × 1024". */
export function monitorLabel(index: number, monitor: { width: number; height: number }): string {
  return `Monitor ${index + 1} · ${monitor.width} × ${monitor.height}`;
}

/** Time connected as a clock: `4:05`, or `1:02:03` past an hour. */
export function elapsedClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** The same in words, for assistive technology: "1 hour 2 minutes", "4 minutes", "less than a minute". */
export function elapsedWords(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts = [
    h > 0 ? `${h} hour${h === 1 ? '' : 's'}` : '',
    m > 0 ? `${m} minute${m === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : 'less than a minute';
}
