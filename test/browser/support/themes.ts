import type { Page } from 'playwright-core';
import { expectAccessible } from './accessibility';
import { settled } from './waits';

/**
 * Checks the page (or the part matched by `within`) with axe-core as it stands, then again with the
 * system asking for dark colours (the dashboard follows `prefers-color-scheme` unless the user chose a
 * theme), and puts the light scheme back. Contrast is the rule dark mode most often breaks.
 */
export async function expectAccessibleInBothThemes(
  page: Page,
  where: string,
  within?: string,
): Promise<void> {
  await expectAccessible(page, `${where} (light)`, within);
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await settled(page);
    await expectAccessible(page, `${where} (dark)`, within);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
  await settled(page);
}
