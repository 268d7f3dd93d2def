import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';
import { freePort } from '../../agent/src/test-support/xvfb';
import { defineMonitors } from '../../agent/src/test-support/x-monitors';
import { buildAgentBundle, fakeSudoDir } from '../agent/support/agent-env';
import { ScriptRun } from '../agent/support/script-run';
import { RELAXED_LIMITS_ENV, makeSupportSession } from '../support/quick-support-factories';
import { expectAccessible } from './support/accessibility';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS, type CanvasLike } from './support/chromium';
import { customerMachine, startCustomerDevice } from './support/customer-device';
import { startRemoteStack, type RemoteStack } from './support/remote-stack';
import { signInContext, startRemoteSession } from './support/technician';
import { attribute, eventually, settled, text, visible } from './support/waits';
import { needBinaries, paintRoot, rootProperty, startXvfb, type Rgb } from './support/x-display';

/**
 * The viewer's screen tab and header, end to end: Debian's Chromium as the technician's viewer, the
 * real portal and relay, and the real Linux agent (run from the downloaded script in a terminal)
 * sharing a two-monitor desktop — one Xvfb display split into two RandR monitors, which its Xinerama
 * reports as two heads — through the x11vnc it starts itself (nothing else listens). The technician
 * watches the session timer, fills their screen, picks the picture quality, copies text both ways,
 * and switches between the device's monitors.
 *
 * The customer allows the screen in the terminal. Their desktop has no dialog or indicator window on
 * it (a `zenity` that cannot open the display stands in on the agent's PATH), so the pixels the
 * viewer shows are the desktop's own; the consent suite covers the desktop dialogs.
 */
jest.setTimeout(240_000);

const DESKTOP = { width: 1440, height: 600 };
const LEFT = { x: 0, y: 0, width: 800, height: 600 };
const RIGHT = { x: 800, y: 0, width: 640, height: 480 };
const BLUE: Rgb = { r: 0x33, g: 0x66, b: 0xcc };
const ORANGE: Rgb = { r: 0xff, g: 0x99, b: 0x00 };
const GREEN: Rgb = { r: 0x22, g: 0xaa, b: 0x44 };
const TECH = {
  email: 'screen.technician@example.test',
  name: 'Screen Technician',
  password: 'screen-technician-pw',
};

/** The remote framebuffer as noVNC drew it: its size and the colour at one pixel. */
async function framebuffer(canvas: Locator, x: number, y: number): Promise<{ size: string; colour: Rgb }> {
  return canvas.evaluate(
    (element: CanvasLike, at: [number, number]) => {
      const [r, g, b] = Array.from(element.getContext('2d')!.getImageData(at[0], at[1], 1, 1).data);
      return { size: `${element.width}x${element.height}`, colour: { r, g, b } };
    },
    [x, y] as [number, number],
  );
}

/** Text copied on the device, as X keeps it for x11vnc to send on: the root window's cut buffer. */
function copyOnDevice(display: string, copied: string): void {
  const set = spawnSync('xprop', ['-root', '-f', 'CUT_BUFFER0', '8s', '-set', 'CUT_BUFFER0', copied], {
    env: { ...process.env, DISPLAY: display },
  });
  if (set.status !== 0) throw new Error(`xprop could not set the cut buffer (${set.status})`);
}

const near = (a: Rgb, b: Rgb): boolean =>
  Math.abs(a.r - b.r) <= 6 && Math.abs(a.g - b.g) <= 6 && Math.abs(a.b - b.b) <= 6;

describe('the viewer’s screen tab (Chromium, real agent, x11vnc on a two-monitor Xvfb)', () => {
  needBinaries(
    ['Xvfb', 'x11vnc', 'xdpyinfo', 'xprop', '/usr/bin/chromium'],
    'apt-get install chromium xvfb x11vnc x11-utils',
  );

  const scratch = mkdtempSync(join(tmpdir(), 'qs-viewer-screen-'));
  const customer = customerMachine(scratch);
  const cleanups: Array<() => Promise<void>> = [];
  let stack: RemoteStack;
  let display: string;
  let displayNumber: number;
  let browser: Browser;
  let context: BrowserContext;
  let api: TestAgent;
  let run: ScriptRun;
  let sessionId: string;
  let supportId: string;
  let viewer: Page;
  const pageErrors: string[] = [];

  const canvas = (): Locator => viewer.locator('[data-testid="remote-screen"] canvas');
  const screenTab = (): Locator => viewer.locator('app-screen-tab');
  const status = (): Locator => screenTab().locator('.toolbar [role="status"]');

  beforeAll(async () => {
    ensureDashboardBuilt();
    const bundle = buildAgentBundle(scratch);
    const xvfb = await startXvfb(DESKTOP.width, DESKTOP.height);
    cleanups.push(xvfb.stop);
    display = xvfb.display;
    displayNumber = xvfb.number;
    await defineMonitors(xvfb.number, [LEFT, RIGHT]);
    // The left monitor blue with an orange block in its top-left corner; the right one green.
    await paintRoot(xvfb.number, BLUE, [
      { x: 0, y: 0, width: 200, height: 150, colour: ORANGE },
      { ...RIGHT, height: DESKTOP.height, colour: GREEN },
    ]);

    stack = await startRemoteStack({
      dataDir: scratch,
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle },
    });
    api = await stack.createTechnician(TECH);

    // The customer runs the downloaded script in a terminal on their desktop.
    const support = await makeSupportSession(api, { customerName: 'Two-monitor customer' });
    supportId = support.id;
    // A zenity that cannot open the display, first on the customer's PATH (with the fake sudo).
    const bin = fakeSudoDir(scratch);
    writeFileSync(join(bin, 'zenity'), '#!/bin/sh\necho "zenity: cannot open display" >&2\nexit 1\n');
    chmodSync(join(bin, 'zenity'), 0o755);
    const customerDevice = await startCustomerDevice(stack, support.path, api, customer, {
      env: {
        DISPLAY: display,
        // Nothing listens there: the agent starts x11vnc itself once the customer allows the screen.
        QS_VNC_PORT: String(await freePort()),
      },
      allowForSession: true,
    });
    run = customerDevice.run;
    const deviceId = customerDevice.device.id;

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 820 }, locale: 'en-US' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.portal.baseUrl });
    await signInContext(context, stack.portal.baseUrl, TECH);
    sessionId = await startRemoteSession(api, deviceId, 'vnc');
    viewer = await context.newPage();
    viewer.setDefaultTimeout(20_000);
    viewer.on('pageerror', (error) => pageErrors.push(error.message));
    viewer.on('console', (message) => {
      // noVNC logs a closed connection (a monitor switch replaces the screen's) as an error.
      if (message.type() === 'error' && !/Connection closed|Failed when connecting/.test(message.text()))
        pageErrors.push(message.text());
    });
    await viewer.goto(`${stack.portal.baseUrl}/viewer/${sessionId}`);
  });

  afterAll(async () => {
    // Ctrl-C first, so that the agent stops the x11vnc it started; then whatever is left.
    if (run) {
      run.interrupt();
      await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      run.kill('SIGKILL');
    }
    await browser?.close();
    await stack?.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('shows the whole two-monitor desktop, and a session timer that ticks without being announced', async () => {
    await text(status(), 'Connected');
    await eventually(async () => {
      const seen = await framebuffer(canvas(), 1000, 300);
      expect(seen.size).toBe(`${DESKTOP.width}x${DESKTOP.height}`);
      expect(near(seen.colour, GREEN)).toBe(true);
    });

    const timer = viewer.getByRole('timer', { name: /^Connected for / });
    await visible(timer);
    expect(await timer.getAttribute('aria-live')).toBe('off');
    const first = (await timer.innerText()).trim();
    expect(first).toMatch(/^\d+:\d\d$/);
    await eventually(async () => expect((await timer.innerText()).trim()).not.toBe(first), 5_000);
    const session = (await api.get(`/api/remote-sessions/${sessionId}`).expect(200)).body;
    expect(session.connectedAt).not.toBeNull();
  });

  it('offers the device’s monitors, and choosing one shows that monitor alone', async () => {
    const picker = viewer.getByRole('combobox', { name: 'Monitor' });
    await eventually(async () =>
      expect(await picker.locator('option').allInnerTexts()).toEqual([
        'All monitors',
        'Monitor 1 · 800 × 600',
        'Monitor 2 · 640 × 480',
      ]),
    );
    await expectAccessible(viewer, 'the viewer’s screen tab with the monitor picker');

    await picker.selectOption({ label: 'Monitor 2 · 640 × 480' });
    await eventually(async () => {
      const seen = await framebuffer(canvas(), 10, 10);
      expect(seen.size).toBe('640x480');
      expect(near(seen.colour, GREEN)).toBe(true);
    });
    await text(status(), 'Connected');
    const screen = (await api.get(`/api/remote-sessions/${sessionId}`).expect(200)).body.channelStates[0];
    expect(screen).toMatchObject({ channel: 'screen', state: 'open', monitor: 1, monitors: [LEFT, RIGHT] });
    expect(await picker.inputValue()).toBe('1');

    await picker.selectOption({ label: 'Monitor 1 · 800 × 600' });
    await eventually(async () => {
      const seen = await framebuffer(canvas(), 10, 10);
      expect(seen.size).toBe('800x600');
      expect(near(seen.colour, ORANGE)).toBe(true);
    });
    await picker.selectOption({ label: 'All monitors' });
    await eventually(async () =>
      expect((await framebuffer(canvas(), 10, 10)).size).toBe(`${DESKTOP.width}x${DESKTOP.height}`),
    );
  });

  it('applies a quality preset to noVNC at once, and remembers it in this browser', async () => {
    const quality = viewer.getByRole('combobox', { name: 'Quality' });
    expect(await quality.inputValue()).toBe('balanced');
    const screen = viewer.getByTestId('remote-screen');
    await attribute(screen, 'data-quality-level', '6');
    await quality.selectOption({ label: 'Low bandwidth' });
    await attribute(screen, 'data-quality-level', '1');
    await attribute(screen, 'data-compression-level', '9');
    expect(await viewer.evaluate('localStorage.getItem("viewer.screenQuality")')).toBe('low');

    // A new viewer window in the same browser starts with it (and reconnects: the customer allowed
    // the screen for the session, so they are not asked again).
    await viewer.reload();
    await text(status(), 'Connected');
    expect(await viewer.getByRole('combobox', { name: 'Quality' }).inputValue()).toBe('low');
    await attribute(viewer.getByTestId('remote-screen'), 'data-quality-level', '1');
    await viewer.getByRole('combobox', { name: 'Quality' }).selectOption({ label: 'Best quality' });
    await attribute(viewer.getByTestId('remote-screen'), 'data-quality-level', '9');
    await attribute(viewer.getByTestId('remote-screen'), 'data-compression-level', '1');
  });

  it('fills the technician’s screen with the tab, says Esc leaves, and leaves', async () => {
    const button = viewer.getByRole('button', { name: 'Full screen' });
    await button.click();
    await eventually(async () =>
      expect(await viewer.evaluate('document.fullscreenElement?.tagName ?? null')).toBe('APP-SCREEN-TAB'),
    );
    await attribute(button, 'aria-pressed', 'true');
    await text(viewer.getByTestId('fullscreen-hint'), 'Esc leaves full screen');
    expect(await button.getAttribute('aria-keyshortcuts')).toBe('Escape');
    await expectAccessible(viewer, 'the viewer’s screen tab in full screen');
    // Esc is the browser's own key for leaving, outside the page (and out of reach of synthetic keys
    // in headless Chromium); the button leaves too.
    await button.click();
    await eventually(async () =>
      expect(await viewer.evaluate('document.fullscreenElement?.tagName ?? null')).toBeNull(),
    );
    await attribute(button, 'aria-pressed', 'false');
    expect(await viewer.getByTestId('fullscreen-hint').count()).toBe(0);
  });

  it('brings text copied on the device to the technician’s clipboard', async () => {
    const copied = `serial 7F-${Date.now() % 100_000}`;
    copyOnDevice(display, copied);
    const bar = viewer.getByRole('region', { name: 'Device clipboard' });
    await text(bar, 'Device clipboard:');
    await text(bar.locator('code'), copied);
    // Written at once where the browser allows it; otherwise Copy (a click) does it.
    if ((await bar.innerText()).includes('Press Copy'))
      await bar.getByRole('button', { name: 'Copy the device clipboard' }).click();
    await eventually(async () =>
      expect(await viewer.evaluate('navigator.clipboard.readText()')).toBe(copied),
    );
    await expectAccessible(viewer, 'the viewer with the device clipboard');
    await viewer.mouse.move(0, 0);
    await settled(viewer);
    await viewer.screenshot({ path: join(SCREENSHOTS, 'viewer-screen-tools.png') });
    await bar.getByRole('button', { name: 'Dismiss the device clipboard' }).click();
    expect(await bar.count()).toBe(0);
  });

  it('offers no paste while the customer allows view only, and pastes the technician’s text into the device in control', async () => {
    // The customer switches the screen to view only in their terminal.
    run.type('v');
    await text(screenTab(), 'View only — the customer decides');
    expect(await viewer.getByRole('button', { name: 'Paste text' }).isDisabled()).toBe(true);
    expect(await viewer.getByRole('button', { name: 'Ctrl+Alt+Del' }).isDisabled()).toBe(true);
    // noVNC takes no clipboard in view only, either way: text copied on the device now stays there.
    // (A change of the desktop sent after it, and shown, proves it is not just slow.)
    copyOnDevice(display, 'copied while view only');
    await paintRoot(displayNumber, GREEN, []);
    await eventually(async () =>
      expect(near((await framebuffer(canvas(), 10, 10)).colour, GREEN)).toBe(true),
    );
    expect(await viewer.getByRole('region', { name: 'Device clipboard' }).count()).toBe(0);

    run.type('v');
    const paste = viewer.getByRole('button', { name: 'Paste text' });
    await eventually(async () => expect(await paste.isDisabled()).toBe(false));
    await paste.click();
    await viewer
      .getByRole('textbox', { name: 'Text for the remote computer' })
      .fill('pasted by the technician');
    await viewer.getByRole('button', { name: 'Send to clipboard' }).click();
    await eventually(() =>
      expect(rootProperty(display, 'CUT_BUFFER0')).toContain('pasted by the technician'),
    );
    expect(pageErrors).toEqual([]);
  });

  it('ending the support session stops the agent and every x11vnc it started for the monitors', async () => {
    await api.post(`/api/quick-support/sessions/${supportId}/end`).send({}).expect(200);
    await expect(run.exited).resolves.toEqual({ code: 0, signal: null });
    const x11vncs = (): string =>
      spawnSync('pgrep', ['-f', `x11vnc .*-display ${display} `], { encoding: 'utf8' }).stdout.trim();
    await eventually(() => expect(x11vncs()).toBe(''));
  });
});
