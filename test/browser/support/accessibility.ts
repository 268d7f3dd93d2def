import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** axe-core's own bundle, read once (a devDependency; never fetched at run time). */
let axeSource: string | undefined;
function axeBundle(): string {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** One rule broken on a page, as the suites report it. */
export interface AccessibilityViolation {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Impacts that fail a suite; minor and moderate findings are reported by axe but tolerated. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe-core inside the page as it stands (WCAG 2.1 A/AA rules plus best practices) and
 * returns the serious and critical violations. The bundle is evaluated through the DevTools
 * protocol, so pages with a strict Content-Security-Policy (the connect page) are checked as
 * served, without loosening their policy.
 */
export async function accessibilityViolations(
  page: Page,
  within?: string,
): Promise<AccessibilityViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axeBundle());
  const found = await page.evaluate(async (context: string | null) => {
    // globalThis is the page's window here (the suites are compiled without the DOM typings).
    const { axe, document } = globalThis as unknown as { axe: AxeLike; document: unknown };
    const result = await axe.run(context ?? document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  }, within ?? null);
  return found.filter((v) => FAILING_IMPACTS.has(v.impact));
}

/**
 * Fails with a readable list when the page (or the part of it matched by `within`, e.g. an open
 * dialog) has a serious or critical accessibility violation. `where` names the page in the message.
 */
export async function expectAccessible(page: Page, where: string, within?: string): Promise<void> {
  const violations = await accessibilityViolations(page, within);
  if (violations.length === 0) return;
  const lines = violations.map(
    (v) => `  [${v.impact}] ${v.rule}: ${v.help}\n    at ${v.targets.join('\n    at ')}`,
  );
  throw new Error(
    `${where}: ${violations.length} serious or critical accessibility violation(s)\n${lines.join('\n')}`,
  );
}

/** The part of axe's API the check uses (the suites do not load its typings into the page). */
interface AxeLike {
  run(
    context: unknown,
    options: unknown,
  ): Promise<{
    violations: { id: string; impact?: string | null; help: string; nodes: { target: string[] }[] }[];
  }>;
}
