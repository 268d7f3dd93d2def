import type { Language } from '../language';
import { de } from './de';
import { en, type ConnectCatalogue } from './en';
import { fr } from './fr';

export type { ConnectCatalogue, ConnectKey } from './en';

/** The connect page's catalogue per language (English is the reference and the fallback). */
export const CONNECT_CATALOGUES: Readonly<Record<Language, ConnectCatalogue>> = { en, de, fr };
