import { CONNECT_CATALOGUES, type ConnectKey } from '../../../contracts/i18n/connect';
import { fillText, isLanguage, negotiateLanguage, type Language } from '../../../contracts/i18n/language';
import type { Brand, PageFrame } from './connect-page.renderer';
import { escapeHtml, markup, SafeHtml } from './html';
import { newNonce } from './public-headers';

/** Values for a text's `{placeholders}`: strings are escaped where the text becomes HTML, SafeHtml is not. */
export type TextValues = Readonly<Record<string, string | number | SafeHtml>>;

/**
 * The connect page's words in one language, with the organisation's name filled into every `{org}`.
 * `t` gives plain text (for attributes, the script's strings, plain-text answers); `html` gives markup
 * whose literal parts and string values are escaped and whose SafeHtml values (a `<strong>` around a
 * name) are kept, so a translation may put them in any order.
 */
export class ConnectText {
  constructor(
    readonly lang: Language,
    private readonly org: string,
  ) {}

  t(key: ConnectKey, values: Readonly<Record<string, string | number>> = {}): string {
    return fillText(CONNECT_CATALOGUES[this.lang][key], { org: this.org, ...values });
  }

  html(key: ConnectKey, values: TextValues = {}): SafeHtml {
    const all: TextValues = { org: this.org, ...values };
    const text = CONNECT_CATALOGUES[this.lang][key];
    const out = text.replace(/\{([a-zA-Z]+)\}|([^{]+|\{)/g, (_whole, name: string | undefined, literal) => {
      if (name === undefined) return escapeHtml(String(literal));
      const value = Object.prototype.hasOwnProperty.call(all, name) ? all[name] : undefined;
      if (value === undefined) return escapeHtml(`{${name}}`);
      return markup`${value instanceof SafeHtml ? value : String(value)}`.value;
    });
    return new SafeHtml(out);
  }
}

/** Where the page's language came from: `query` (the visitor's own choice, kept in the page's links). */
export interface ChosenLanguage {
  lang: Language;
  explicit: boolean;
}

/** `?lang=` when it names an offered language, else the best match for `Accept-Language`. */
export function chooseLanguage(query: unknown, acceptLanguage: string | undefined): ChosenLanguage {
  if (isLanguage(query)) return { lang: query, explicit: true };
  return { lang: negotiateLanguage(acceptLanguage), explicit: false };
}

/** What every page needs: the brand, a fresh CSP nonce and the visitor's language. */
export function pageFrame(brand: Brand, langQuery: unknown, acceptLanguage: string | undefined): PageFrame {
  const chosen = chooseLanguage(langQuery, acceptLanguage);
  return {
    brand,
    nonce: newNonce(),
    text: new ConnectText(chosen.lang, brand.name),
    langQuery: chosen.explicit ? `lang=${chosen.lang}` : '',
  };
}
