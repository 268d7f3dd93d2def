import { InstallerValues, PLACEHOLDERS, VALUE_PATTERNS } from '../../contracts/installer-template';

/** Why a script was not rendered. Never carries the value itself (it may be a token). */
export class InstallerRenderError extends Error {
  constructor(readonly problem: string) {
    super(`install script not rendered: ${problem}`);
    this.name = 'InstallerRenderError';
  }
}

/**
 * Characters that could change a script's meaning if a value held them: every quote (ASCII and the
 * typographic ones PowerShell also honours, U+2018–U+201F), `$`, backtick, backslash, CR, LF, NUL and
 * the shell's command separators. The contract's allow-lists already exclude them; this second check
 * keeps a future loosening of one pattern from reaching a script unnoticed.
 */
const NEVER_IN_A_VALUE = /['"`\u2018-\u201f$\\\r\n\u0000;&|<>%]/;
const PLACEHOLDER_ANY = /@@QS_[A-Z0-9_]+@@/g;
/** Without these the script could not register, so a template lacking one is refused. */
const REQUIRED: readonly (keyof InstallerValues)[] = ['portalUrl', 'installerToken', 'agentBundleB64'];

const BY_PLACEHOLDER = new Map<string, keyof InstallerValues>(
  (Object.entries(PLACEHOLDERS) as [keyof InstallerValues, string][]).map(([k, p]) => [p, k]),
);

/**
 * Fills a template from the allow-listed values in one pass over its placeholders. Refuses (throws)
 * on any value outside its pattern, any unknown or malformed placeholder, a missing required one, or
 * anything left over — never a partial script.
 */
export function renderInstallerTemplate(template: string, values: InstallerValues): string {
  for (const key of Object.keys(PLACEHOLDERS) as (keyof InstallerValues)[]) {
    const value = values[key];
    if (typeof value !== 'string' || !VALUE_PATTERNS[key].test(value))
      throw new InstallerRenderError(`${key} is not an allowed value`);
    if (NEVER_IN_A_VALUE.test(value)) throw new InstallerRenderError(`${key} holds a forbidden character`);
  }
  for (const key of REQUIRED) {
    if (!template.includes(PLACEHOLDERS[key]))
      throw new InstallerRenderError(`the template lacks ${PLACEHOLDERS[key]}`);
  }
  const out = template.replace(PLACEHOLDER_ANY, (placeholder) => {
    const key = BY_PLACEHOLDER.get(placeholder);
    if (!key) throw new InstallerRenderError(`the template has an unknown placeholder ${placeholder}`);
    return values[key];
  });
  if (out.includes('@@QS_')) throw new InstallerRenderError('a placeholder was left over');
  return out;
}

/**
 * The brand as install scripts may show it: the contract allows only ASCII letters, digits, spaces and
 * `. , ( ) -`, so accents are folded, `&` becomes "and" and anything else is dropped.
 */
export function scriptBrandName(brand: string): string {
  const folded = brand
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/&/g, ' and ')
    .replace(/[^A-Za-z0-9 .,()-]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, 60)
    .trim();
  return folded === '' ? 'Remote support' : folded;
}
