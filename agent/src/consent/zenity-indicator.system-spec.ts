import { hasBinary, startXvfb } from '../test-support/xvfb';
import { silentLogger } from '../test-support/socket-pair';
import { pressKeys, waitForWindow, windowShown } from '../test-support/x-window';
import type { IndicatorActions, IndicatorState } from './consent-types';
import { INDICATOR_TITLE, ZenityIndicator } from './zenity-indicator';

/** The real indicator window on a real X display (npm run test:e2e; .ci/run installs zenity and xdotool). */
const MISSING = ['Xvfb', 'zenity', 'xdotool'].filter((b) => !hasBinary(b));

const STATE: IndicatorState = {
  technician: 'Alex',
  organisation: 'Acme <i>&</i>',
  capabilities: ['view', 'control', 'terminal'],
  since: new Date(),
};

/** Resolves with the action the customer took from the window. */
function recordActions(): { actions: IndicatorActions; next: () => Promise<string> } {
  const taken: string[] = [];
  let wake: (() => void) | undefined;
  const push = (what: string): void => {
    taken.push(what);
    wake?.();
  };
  return {
    actions: {
      endNow: () => push('endNow'),
      stopChannel: (channel) => push(`stop:${channel}`),
      setScreenMode: (mode) => push(`mode:${mode}`),
    },
    next: async () => {
      while (taken.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return taken.shift() as string;
    },
  };
}

async function waitGone(display: string, title: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while ((await windowShown(display, title)) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return !(await windowShown(display, title));
}

describe('ZenityIndicator (real zenity on Xvfb)', () => {
  let xvfb: Awaited<ReturnType<typeof startXvfb>>;

  beforeAll(async () => {
    if (MISSING.length)
      throw new Error(
        `Install ${MISSING.join(', ')} first (apt-get install xvfb zenity xdotool); .ci/run does.`,
      );
    xvfb = await startXvfb();
  });
  afterAll(() => xvfb?.stop());

  it('End now in the window calls endNow()', async () => {
    const { actions, next } = recordActions();
    const indicator = new ZenityIndicator({
      env: { ...process.env, DISPLAY: xvfb.display },
      logger: silentLogger,
      actions,
    });
    try {
      indicator.show(STATE);
      const window = await waitForWindow(xvfb.display, INDICATOR_TITLE);
      await pressKeys(xvfb.display, window, 'alt+e');
      await expect(next()).resolves.toBe('endNow');
    } finally {
      indicator.close();
    }
  }, 60_000);

  it('View only switches the screen mode and the window comes back, now offering control', async () => {
    const { actions, next } = recordActions();
    const indicator = new ZenityIndicator({
      env: { ...process.env, DISPLAY: xvfb.display },
      logger: silentLogger,
      actions,
    });
    try {
      indicator.show(STATE);
      let window = await waitForWindow(xvfb.display, INDICATOR_TITLE);
      await pressKeys(xvfb.display, window, 'alt+v');
      await expect(next()).resolves.toBe('mode:view_only');
      indicator.show({ ...STATE, capabilities: ['view', 'terminal'] });
      window = await waitForWindow(xvfb.display, INDICATOR_TITLE);
      await pressKeys(xvfb.display, window, 'alt+c');
      await expect(next()).resolves.toBe('mode:control');
      window = await waitForWindow(xvfb.display, INDICATOR_TITLE);
      await pressKeys(xvfb.display, window, 'alt+s');
      await expect(next()).resolves.toBe('stop:screen');
    } finally {
      indicator.close();
    }
    expect(await waitGone(xvfb.display, INDICATOR_TITLE)).toBe(true);
  }, 60_000);

  it('hides when nothing is open; closing the window (Escape) ends nothing', async () => {
    const { actions } = recordActions();
    const spy = { ...actions, endNow: jest.fn(), stopChannel: jest.fn(), setScreenMode: jest.fn() };
    const indicator = new ZenityIndicator({
      env: { ...process.env, DISPLAY: xvfb.display },
      logger: silentLogger,
      actions: spy,
    });
    try {
      indicator.show(STATE);
      await waitForWindow(xvfb.display, INDICATOR_TITLE);
      indicator.show({ ...STATE, capabilities: [] });
      expect(await waitGone(xvfb.display, INDICATOR_TITLE)).toBe(true);
      indicator.show(STATE);
      const again = await waitForWindow(xvfb.display, INDICATOR_TITLE);
      await pressKeys(xvfb.display, again, 'Escape');
      expect(await waitGone(xvfb.display, INDICATOR_TITLE)).toBe(true);
      expect(spy.endNow).not.toHaveBeenCalled();
      expect(spy.stopChannel).not.toHaveBeenCalled();
      // Closed by the customer: it comes back when what the technician can do changes.
      indicator.show({ ...STATE, capabilities: ['view'] });
      await waitForWindow(xvfb.display, INDICATOR_TITLE);
    } finally {
      indicator.close();
    }
  }, 60_000);
});
