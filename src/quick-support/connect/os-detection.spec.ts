import { detectOs, parseOsChoice } from './os-detection';

describe('detectOs', () => {
  it('reads the User-Agent of desktop browsers', () => {
    expect(
      detectOs(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36',
        undefined,
      ),
    ).toBe('windows');
    expect(
      detectOs(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15',
        undefined,
      ),
    ).toBe('macos');
    expect(
      detectOs('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0', undefined),
    ).toBe('linux');
    expect(
      detectOs(
        'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 Chrome/140.0 Safari/537.36',
        undefined,
      ),
    ).toBe('linux');
  });

  it('prefers the Sec-CH-UA-Platform client hint (quoted, as browsers send it)', () => {
    const frozenUa = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36';
    expect(detectOs(frozenUa, '"Windows"')).toBe('windows');
    expect(detectOs(frozenUa, '"macOS"')).toBe('macos');
    expect(detectOs(frozenUa, '"Chrome OS"')).toBe('linux');
  });

  it('offers no preselection on phones and tablets or without any clue', () => {
    expect(
      detectOs(
        'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 Chrome/140.0 Mobile Safari/537.36',
        undefined,
      ),
    ).toBeNull();
    expect(
      detectOs('Mozilla/5.0 (iPad; CPU OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148', undefined),
    ).toBeNull();
    expect(detectOs('anything', '"Android"')).toBeNull();
    expect(detectOs(undefined, undefined)).toBeNull();
  });
});

describe('parseOsChoice', () => {
  it('accepts only the three OS names', () => {
    expect(parseOsChoice('macos')).toBe('macos');
    expect(parseOsChoice('MacOS')).toBeNull();
    expect(parseOsChoice(['linux'])).toBeNull();
    expect(parseOsChoice('"><x')).toBeNull();
  });
});
