import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MESSAGES_EN } from '../../client/src/app/core/i18n/messages.en';
import { pickLanguage, t } from '../../client/src/app/core/i18n/i18n';

/**
 * The dashboard's message catalogue against the dashboard's sources: every key the catalogue holds is
 * used somewhere (as a quoted literal: a `| t` pipe, `t(…)`, `pageTitle(…)` or a typed map of keys),
 * and every key the sources translate is in it. TypeScript already refuses an unknown key in code and
 * (strictTemplates) in templates; this catches the other half, text left behind when a screen changes.
 */
const APP = join(__dirname, '..', '..', 'client', 'src', 'app');
const CATALOGUE_FILE = /messages\.[a-z-]+\.ts$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|html)$/.test(entry.name) &&
      !/\.spec\.ts$/.test(entry.name) &&
      !CATALOGUE_FILE.test(entry.name)
      ? [path]
      : [];
  });
}

const files = sources(APP).map((path) => ({ path: relative(APP, path), text: readFileSync(path, 'utf8') }));
const KEY_LITERAL = /['"]((?:title|shell|nav|theme|login)\.[A-Za-z]+)['"]/g;

describe('the dashboard message catalogue', () => {
  it('has no key the dashboard does not use', () => {
    const unused = Object.keys(MESSAGES_EN).filter(
      (key) => !files.some((f) => f.text.includes(`'${key}'`) || f.text.includes(`"${key}"`)),
    );
    expect(unused).toEqual([]);
  });

  it('has every key the dashboard translates', () => {
    const used = new Set(files.flatMap((f) => [...f.text.matchAll(KEY_LITERAL)].map((m) => m[1])));
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used].filter((key) => !(key in MESSAGES_EN));
    expect(missing).toEqual([]);
  });

  it('leaves no English text of what it covers in the shell and login templates', () => {
    for (const path of ['layout/shell.component.html', 'auth/login/login-page.component.html']) {
      const template = files.find((f) => f.path === path)!.text;
      // Text between tags that is not an interpolation: what a translator could not reach.
      const bare = [...template.matchAll(/>([^<>{}]*[A-Za-z][^<>{}]*)</g)].map((m) => m[1].trim());
      expect({ path, bare }).toEqual({ path, bare: [] });
    }
  });

  it('fills placeholders and falls back to English for a language it does not have', () => {
    expect(t('login.tooManyAttempts', { seconds: 12 })).toBe('Too many attempts — try again in 12 s.');
    expect(t('shell.logoAlt', { brand: 'Northwind IT' })).toBe('Northwind IT logo');
    expect(pickLanguage(['xx-YY', 'en-GB'])).toBe('en');
    expect(pickLanguage(['zz'])).toBe('en');
  });
});
