import { catalogueProblems } from './catalogue-check';
import { fillText, negotiateLanguage, placeholdersOf } from './language';

describe('negotiateLanguage (Accept-Language)', () => {
  it('gives English without a header or a match', () => {
    expect(negotiateLanguage(undefined)).toBe('en');
    expect(negotiateLanguage('')).toBe('en');
    expect(negotiateLanguage('ja, zh-CN;q=0.8')).toBe('en');
  });

  it('matches a region to its language', () => {
    expect(negotiateLanguage('de-CH')).toBe('de');
    expect(negotiateLanguage('fr-CA,fr;q=0.9')).toBe('fr');
    expect(negotiateLanguage('DE-at')).toBe('de');
  });

  it('weighs ranges by q, not by their order in the header', () => {
    expect(negotiateLanguage('en;q=0.5, de;q=0.9, fr;q=0.7')).toBe('de');
    expect(negotiateLanguage('ja, fr;q=0.3, de;q=0.2')).toBe('fr');
    expect(negotiateLanguage('de;q=0.8, fr;q=0.8')).toBe('de');
    expect(negotiateLanguage('fr;q=0.8, de;q=0.8')).toBe('fr');
    expect(negotiateLanguage('de;q=1.000, en;q=0.999')).toBe('de');
  });

  it('never picks a language refused with q=0', () => {
    expect(negotiateLanguage('de;q=0, fr;q=0.1')).toBe('fr');
    expect(negotiateLanguage('*, en;q=0')).toBe('de');
    expect(negotiateLanguage('de;q=0')).toBe('en');
  });

  it('skips malformed ranges and q-values instead of guessing', () => {
    expect(negotiateLanguage('de;q=2, fr')).toBe('fr');
    expect(negotiateLanguage('de;q=abc, fr;q=0.1')).toBe('fr');
    expect(negotiateLanguage('<script>, de')).toBe('de');
    expect(negotiateLanguage('d e, fr')).toBe('fr');
    expect(negotiateLanguage(';;;,,,')).toBe('en');
  });

  it('reads only a bounded header', () => {
    expect(negotiateLanguage(`${'x-aaaaaaaa,'.repeat(200)}de`)).toBe('en');
    expect(negotiateLanguage(`ja;q=0.9,${'ja,'.repeat(10)}de`)).toBe('de');
  });
});

describe('catalogue helpers', () => {
  it('fills placeholders and keeps an unfilled one visible', () => {
    expect(fillText('{a} and {b}', { a: 'x', b: 2 })).toBe('x and 2');
    expect(fillText('{a} and {b}', { a: 'x' })).toBe('x and {b}');
    expect(fillText('{a}', { a: '{b}', b: 'no' })).toBe('{b}');
    expect(placeholdersOf('{org} … {name} … {org}')).toEqual(['name', 'org']);
  });

  it('names missing, extra and empty keys and mismatched placeholders', () => {
    expect(
      catalogueProblems({ a: 'Hello {name}', b: 'Bye', c: 'x' }, { a: 'Hallo {nom}', b: ' ', d: 'extra' }),
    ).toEqual(['a: placeholders {nom} instead of {name}', 'empty b', 'missing c', 'extra d']);
    expect(catalogueProblems({ a: '{x}' }, { a: 'ok {x}' })).toEqual([]);
  });
});
