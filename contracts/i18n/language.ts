/**
 * The languages the customer-facing parts speak (the connect page and the agent's console), how one is
 * chosen from an `Accept-Language` header, and the `{name}` placeholders the catalogues use. Pure: the
 * portal, the agent and the dashboard may all import it.
 *
 * To add a language: add its code here, its name in {@link LANGUAGE_NAMES}, and a complete catalogue
 * beside each existing one (`contracts/i18n/connect/`, `agent/src/i18n/`); the completeness specs fail
 * until no key is missing and every placeholder matches (docs/quick-support.md).
 */
export const LANGUAGES = ['en', 'de', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

/** What a visitor gets when nothing they accept is offered. */
export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language's name in itself: the language switch shows these. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
};

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Longest header read and most ranges weighed: a hostile header costs bounded work. */
const HEADER_MAX = 512;
const RANGES_MAX = 32;
const RANGE = /^([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The offered language the header prefers (RFC 9110 §12.5.4): ranges weighed by their `q` (default 1,
 * `q=0` means "not this"), ties kept in the header's order; `de-CH` matches `de`; `*` matches the default
 * unless that was refused. Malformed ranges are skipped; nothing acceptable gives {@link DEFAULT_LANGUAGE}.
 */
export function negotiateLanguage(header: string | undefined | null): Language {
  if (!header) return DEFAULT_LANGUAGE;
  const ranges: { tag: string; q: number; order: number }[] = [];
  for (const part of header.slice(0, HEADER_MAX).split(',').slice(0, RANGES_MAX)) {
    const [rawTag = '', ...params] = part.split(';').map((s) => s.trim());
    if (!RANGE.test(rawTag)) continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const [name, value = ''] = param.split('=').map((s) => s.trim());
      if (name?.toLowerCase() !== 'q') continue;
      if (!QVALUE.test(value)) valid = false;
      else q = Number(value);
    }
    if (valid) ranges.push({ tag: rawTag.toLowerCase(), q, order: ranges.length });
  }
  const refused = new Set(ranges.filter((r) => r.q === 0).map((r) => r.tag));
  const wanted = ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { tag } of wanted) {
    if (tag === '*') {
      const open = LANGUAGES.find((l) => !refused.has(l));
      if (open) return open;
      continue;
    }
    const primary = tag.split('-')[0];
    if (isLanguage(primary) && !refused.has(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

const PLACEHOLDER = /\{([a-zA-Z]+)\}/g;

/** The placeholder names in a catalogue text, sorted (`{org}` → `org`). */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))].sort();
}

/**
 * Fills `{name}` placeholders. Values are inserted as given (the caller escapes for its medium); a
 * placeholder without a value stays visible rather than vanishing silently.
 */
export function fillText(text: string, values: Readonly<Record<string, string | number>> = {}): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}
