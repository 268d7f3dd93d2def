import type { Locator, Page } from 'playwright-core';

/**
 * The browser suites' waits: each retries what a user would see until it holds (the UI updates
 * asynchronously) or the time is up, so no suite sleeps for a fixed time.
 */
const DEFAULT_TIMEOUT_MS = 15_000;

/** Retries an assertion until it passes or the time is up; then throws the last failure. */
export async function eventually(
  assertion: () => void | Promise<void>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export const visible = (locator: Locator): Promise<void> => locator.waitFor({ state: 'visible' });
export const hidden = (locator: Locator): Promise<void> => locator.waitFor({ state: 'hidden' });

/** The element's rendered text contains `expected` (or matches it). */
export const text = (locator: Locator, expected: string | RegExp, timeoutMs?: number): Promise<void> =>
  eventually(async () => {
    const actual = await locator.innerText();
    if (typeof expected === 'string') expect(actual).toContain(expected);
    else expect(actual).toMatch(expected);
  }, timeoutMs);

/** Like {@link text}, for elements in a tab that is not showing (innerText is empty there). */
export const content = (locator: Locator, expected: string | RegExp, timeoutMs?: number): Promise<void> =>
  eventually(async () => {
    const actual = (await locator.textContent()) ?? '';
    if (typeof expected === 'string') expect(actual).toContain(expected);
    else expect(actual).toMatch(expected);
  }, timeoutMs);

/** The element's rendered text, trimmed, is exactly `expected`. */
export const exactly = (locator: Locator, expected: string): Promise<void> =>
  eventually(async () => expect((await locator.innerText()).trim()).toBe(expected));

/** The attribute has the value (`null`: the attribute is absent). */
export const attribute = (locator: Locator, name: string, expected: string | null): Promise<void> =>
  eventually(async () => expect(await locator.getAttribute(name)).toBe(expected));

/**
 * Waits until CSS animations and transitions (dialog open, ripples) have finished, for screenshots.
 * A string, evaluated in the page: the suites are compiled without the DOM typings. Polled, because
 * waitForFunction's string form needs eval, which the dashboard's CSP forbids. The live indicator's
 * pulse runs forever, so infinite animations do not count.
 */
export const settled = (page: Page): Promise<void> =>
  eventually(async () =>
    expect(
      await page.evaluate(
        "document.getAnimations().every((a) => a.playState !== 'running' || a.effect.getTiming().iterations === Infinity)",
      ),
    ).toBe(true),
  );
