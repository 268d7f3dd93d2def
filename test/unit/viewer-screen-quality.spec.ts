import {
  DEFAULT_SCREEN_QUALITY,
  elapsedClock,
  elapsedWords,
  loadScreenQuality,
  monitorLabel,
  saveScreenQuality,
  SCREEN_QUALITY_KEY,
  screenQualityPreset,
} from '../../client/src/app/viewer/screen-quality';

/** A Storage-like map, or one that refuses every call (privacy settings). */
function storage(refuse = false): Pick<Storage, 'getItem' | 'setItem'> & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => {
      if (refuse) throw new Error('SecurityError');
      return items.get(key) ?? null;
    },
    setItem: (key, value) => {
      if (refuse) throw new Error('SecurityError');
      items.set(key, value);
    },
  };
}

describe('the screen quality presets', () => {
  it('map to noVNC levels, from sharpest to lightest', () => {
    expect(screenQualityPreset('best')).toMatchObject({ qualityLevel: 9, compressionLevel: 1 });
    expect(screenQualityPreset('balanced')).toMatchObject({ qualityLevel: 6, compressionLevel: 2 });
    expect(screenQualityPreset('low')).toMatchObject({ qualityLevel: 1, compressionLevel: 9 });
  });

  it('remembers the choice per browser, and falls back to Balanced on anything else', () => {
    const s = storage();
    expect(loadScreenQuality(s)).toBe(DEFAULT_SCREEN_QUALITY);
    expect(saveScreenQuality(s, 'low')).toBe(true);
    expect(s.items.get(SCREEN_QUALITY_KEY)).toBe('low');
    expect(loadScreenQuality(s)).toBe('low');
    s.items.set(SCREEN_QUALITY_KEY, '<img src=x>');
    expect(loadScreenQuality(s)).toBe('balanced');
    expect(loadScreenQuality(null)).toBe('balanced');
  });

  it('still works when the browser refuses storage', () => {
    const refusing = storage(true);
    expect(loadScreenQuality(refusing)).toBe('balanced');
    expect(saveScreenQuality(refusing, 'best')).toBe(false);
  });
});

describe('the viewer’s labels', () => {
  it('names monitors from 1, with their size', () => {
    expect(monitorLabel(1, { width: 1280, height: 1024 })).toBe('Monitor 2 · 1280 × 1024');
  });

  it('shows the time connected as a clock, and in words', () => {
    expect(elapsedClock(0)).toBe('0:00');
    expect(elapsedClock(65_400)).toBe('1:05');
    expect(elapsedClock(3_723_000)).toBe('1:02:03');
    expect(elapsedClock(-5_000)).toBe('0:00');
    expect(elapsedWords(30_000)).toBe('less than a minute');
    expect(elapsedWords(60_000)).toBe('1 minute');
    expect(elapsedWords(3_720_000)).toBe('1 hour 2 minutes');
    expect(elapsedWords(7_200_000)).toBe('2 hours');
  });
});
