import { MessageCatalogue, MessageKey, MESSAGES_EN } from './messages.en';

export type { MessageKey } from './messages.en';

/** The languages the dashboard speaks; the first is the fallback. Add one here (see docs/translating-the-dashboard.md). */
const CATALOGUES: Readonly<Record<string, MessageCatalogue>> = { en: MESSAGES_EN };

export const SUPPORTED_LANGUAGES: readonly string[] = Object.keys(CATALOGUES);

let active: MessageCatalogue = MESSAGES_EN;

/** The first of the browser's preferred languages the dashboard has (by primary subtag), else English. */
export function pickLanguage(preferred: readonly string[]): string {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base in CATALOGUES) return base;
  }
  return SUPPORTED_LANGUAGES[0];
}

/**
 * Chosen once, before the first render (main.ts, which also sets <html lang> to the result). Free
 * of the DOM, so the catalogue test (test/unit) runs it under Node.
 */
export function useLanguage(language: string): string {
  const chosen = language in CATALOGUES ? language : SUPPORTED_LANGUAGES[0];
  active = CATALOGUES[chosen];
  return chosen;
}

/** The message in the active language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Readonly<Record<string, string | number>> = {}): string {
  const template = active[key] ?? MESSAGES_EN[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** A route's `title`: the key, translated by the title strategy (core/app-title.strategy.ts). */
export function pageTitle(key: MessageKey): string {
  return key;
}

export function isMessageKey(value: string): value is MessageKey {
  return value in MESSAGES_EN;
}
