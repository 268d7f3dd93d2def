import { DEFAULT_LANGUAGE, fillText, type Language } from '../../../contracts/i18n/language';
import { de } from './de';
import { en, type AgentCatalogue, type AgentKey } from './en';
import { fr } from './fr';

export type { AgentCatalogue, AgentKey } from './en';

export const AGENT_CATALOGUES: Readonly<Record<Language, AgentCatalogue>> = { en, de, fr };

/**
 * The language the agent speaks to the person at the computer. One agent process serves one customer,
 * so it is set once at start (`--lang`, which the install script carries from the connect page) before
 * anything is printed, and read by every prompt, indicator and status line; English until then.
 */
let current: Language = DEFAULT_LANGUAGE;

export function setConsoleLanguage(language: Language): void {
  current = language;
}

export function consoleLanguage(): Language {
  return current;
}

/** A console text in the current language, `{placeholders}` filled (values are already clean lines). */
export function say(key: AgentKey, values: Readonly<Record<string, string | number>> = {}): string {
  return fillText(AGENT_CATALOGUES[current][key], values);
}
