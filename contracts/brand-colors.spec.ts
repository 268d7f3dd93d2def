import { contrastRatio, DARK_TEXT, LIGHT_TEXT, readableTextOn, shadeForContrast } from './brand-colors';

describe('brand colours', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    // A well-known pair: #767676 on white is just above 4.5.
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThan(4.5);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
  });

  it('puts white text on a dark brand colour and dark text on a light one', () => {
    expect(readableTextOn('#1f4e8c')).toBe(LIGHT_TEXT);
    expect(readableTextOn('#f2a900')).toBe(DARK_TEXT);
    expect(readableTextOn('#ffff00')).toBe(DARK_TEXT);
    // A mid-grey where near-black falls short: pure black.
    expect(readableTextOn('#777777')).toBe('#000000');
    for (const colour of [
      '#1f4e8c',
      '#f2a900',
      '#ffff00',
      '#00ff00',
      '#777777',
      '#787878',
      '#ff0000',
      '#0080ff',
    ]) {
      expect(contrastRatio(readableTextOn(colour), colour)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('keeps a colour that already reads and finds a readable shade of one that does not', () => {
    expect(shadeForContrast('#1f4e8c', '#ffffff')).toBe('#1f4e8c');
    const onWhite = shadeForContrast('#f2a900', '#ffffff');
    expect(onWhite).not.toBe('#f2a900');
    expect(contrastRatio(onWhite, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    const onDark = shadeForContrast('#1f4e8c', '#161b22');
    expect(contrastRatio(onDark, '#161b22')).toBeGreaterThanOrEqual(4.5);
  });

  it('refuses a value that is not #rrggbb', () => {
    expect(() => contrastRatio('red', '#ffffff')).toThrow('#1f4e8c');
  });
});
