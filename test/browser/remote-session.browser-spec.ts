import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';
import WebSocket from 'ws';
import { deriveRelayKey } from '../../contracts/node/relay-keys';
import { relayConnectUrl, relayWebSocketProtocols } from '../../contracts/relay-connect';
import { RELAY_CLOSE_CODE_HEADER, RelayCloseCode } from '../../contracts/relay-close-codes';
import { mintRelayToken } from '../../contracts/node/relay-token';
import { findDisplay } from '../../agent/src/channels/vnc-launcher';
import { startX11vnc } from '../../agent/src/test-support/xvfb';
import { buildAgentBundle } from '../agent/support/agent-env';
import { ScriptRun } from '../agent/support/script-run';
import { RELAXED_LIMITS_ENV, USER_AGENTS } from '../support/quick-support-factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_RELAY_SECRET } from '../support/test-app';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS, type CanvasLike } from './support/chromium';
import { CONNECTED, customerEnv, customerMachine, runScript } from './support/customer-device';
import { startRemoteStack, type RemoteStack } from './support/remote-stack';
import { signIn } from './support/technician';
import { expectAccessibleInBothThemes } from './support/themes';
import { content, eventually, hidden, settled, text, visible } from './support/waits';
import { needBinaries, KeyWatcher, paintRoot, rootProperty, startXvfb, type Rgb } from './support/x-display';

/**
 * Remote sessions end to end, as a new technician meets them: Debian's Chromium (playwright-core)
 * against the real portal, the real relay and the real Linux agent, run from the script a customer
 * downloads from the connect page, bridging to x11vnc on an Xvfb display painted with known colours.
 *
 * The technician creates a quick-support link; the customer opens it in another browser, downloads
 * and runs the script; the device shows up, without a reload, in the Quick-Support queue and in the
 * Remote Sessions launcher; the technician starts a session and the viewer pop-up shows the display's
 * pixels, sends keys to it, runs a shell and commands; the tokens expire and Reconnect fetches new
 * ones; another technician cannot get in; losing the VNC server is explained in words; End session
 * closes the viewer and the session lands in Recent; ending the quick-support session removes the
 * agent and its files.
 */
jest.setTimeout(180_000);

/** Short-lived relay tokens, so the suite sees them expire. */
const TOKEN_TTL_SEC = 30;
const SCREEN = { width: 800, height: 600 };
const BLUE: Rgb = { r: 0x33, g: 0x66, b: 0xcc };
const ORANGE: Rgb = { r: 0xff, g: 0x99, b: 0x00 };
/** An orange block in the top-right corner of the blue desktop. */
const BLOCK = { x: 600, y: 0, width: 200, height: 150, colour: ORANGE };
const VIEWER = { width: 1280, height: 820 };

const TECH = {
  email: 'helpdesk.technician@example.test',
  name: 'Help Desk Technician',
  password: 'help-desk-technician-pw',
};
const OTHER_TECH = {
  email: 'second.technician@example.test',
  name: 'Second Technician',
  password: 'second-technician-pw',
};
const CUSTOMER = 'Reception Desk';
const REASON = 'Printer queue is stuck';
/** What the agent reports as the device's name. */
const DEVICE = hostname();
/** The launcher names a quick-support device by its customer first, then its host name. */
const DEVICE_OPTION = new RegExp(`^${CUSTOMER} · ${DEVICE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `);

/** The remote framebuffer as noVNC drew it: its size and the colours at the given pixels. */
async function screenPixels(
  canvas: Locator,
  points: [number, number][],
): Promise<{ width: number; height: number; colours: Rgb[] }> {
  return canvas.evaluate((element: CanvasLike, at: [number, number][]) => {
    const context = element.getContext('2d')!;
    return {
      width: element.width,
      height: element.height,
      colours: at.map(([x, y]) => {
        const [r, g, b] = Array.from(context.getImageData(x, y, 1, 1).data);
        return { r, g, b };
      }),
    };
  }, points);
}

const near = (actual: Rgb, expected: Rgb): boolean =>
  Math.abs(actual.r - expected.r) <= 6 &&
  Math.abs(actual.g - expected.g) <= 6 &&
  Math.abs(actual.b - expected.b) <= 6;

/** Opens the popup the click opens, at the viewer's size. */
async function popupFrom(page: Page, click: () => Promise<void>): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), click()]);
  await popup.setViewportSize(VIEWER);
  popup.setDefaultTimeout(15_000);
  await popup.waitForURL(/\/viewer\/[0-9a-f-]{36}$/);
  return popup;
}

interface RelayAccessBody {
  url: string;
  expiresAt: string;
  tokens: { channel: string; token: string }[];
}

/** Dials the relay from outside the browser: resolves how the attempt ended. */
function dialRelay(
  url: string,
  token: string,
  origin: string,
): Promise<{ status?: number; closeCode?: string; code?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, relayWebSocketProtocols(token), { headers: { origin } });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode, closeCode: String(res.headers[RELAY_CLOSE_CODE_HEADER] ?? '') });
      res.resume();
      ws.terminate();
    });
    ws.once('close', (code) => resolve({ code }));
    ws.once('error', () => undefined);
  });
}

describe('remote sessions (Chromium, real portal, relay, Linux agent, x11vnc)', () => {
  needBinaries(
    ['Xvfb', 'x11vnc', 'xev', 'xprop', '/usr/bin/chromium'],
    'apt-get install chromium xvfb x11vnc x11-utils',
  );

  const scratch = mkdtempSync(join(tmpdir(), 'qs-remote-browser-'));
  const customerDir = customerMachine(scratch);
  const cleanups: Array<() => Promise<void>> = [];
  let stack: RemoteStack;
  let display: string;
  let keys: KeyWatcher;
  let stopVnc: () => Promise<void>;
  let vncPort: number;
  let browser: Browser;
  let techContext: BrowserContext;
  /** The technician's Quick-Support tab and Remote Sessions tab (both open all along). */
  let queue: Page;
  let sessions: Page;
  let viewer: Page;
  let run: ScriptRun | undefined;
  const tokenResponses: RelayAccessBody[] = [];
  const pageErrors: string[] = [];

  /** `expected`: console errors that are how a page learns something (a refused request, a closed socket). */
  const watchErrors = (page: Page, expected: RegExp = /status of 401/): void => {
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !expected.test(message.text()))
        pageErrors.push(`${page.url()}: ${message.text()}`);
    });
  };
  /** noVNC logs a closed connection as an error; the viewer explains it in words instead. */
  const VIEWER_EXPECTED =
    /status of 401|Failed when connecting|Connection closed|WebSocket connection to .* failed/;

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    const bundle = buildAgentBundle(scratch);

    const xvfb = await startXvfb(SCREEN.width, SCREEN.height);
    cleanups.push(xvfb.stop);
    display = xvfb.display;
    await paintRoot(xvfb.number, BLUE, [BLOCK]);
    keys = new KeyWatcher(display);
    cleanups.push(() => keys.stop());
    const vnc = await startX11vnc(display);
    stopVnc = vnc.stop;
    cleanups.push(vnc.stop);
    vncPort = vnc.port;

    stack = await startRemoteStack({
      dataDir: scratch,
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle, RELAY_TOKEN_TTL_SEC: String(TOKEN_TTL_SEC) },
    });
    const admin = await stack.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    for (const user of [TECH, OTHER_TECH]) {
      await admin
        .post('/api/users')
        .send({ email: user.email, displayName: user.name, role: 'technician', password: user.password })
        .expect(201);
    }

    browser = await launchChromium();
    techContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    techContext.on('response', (response: Response) => {
      if (
        response.request().method() === 'POST' &&
        /\/api\/remote-sessions\/[^/]+\/tokens$/.test(response.url()) &&
        response.ok()
      ) {
        void response.json().then((body: RelayAccessBody) => tokenResponses.push(body));
      }
    });
    queue = await techContext.newPage();
    queue.setDefaultTimeout(15_000);
    watchErrors(queue);
  });

  afterAll(async () => {
    run?.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  let supportPath = '';

  it('signs a new technician in and creates a quick-support link with "+ New session"', async () => {
    await signIn(queue, stack.portal.baseUrl, TECH);

    await queue.getByRole('button', { name: 'New session' }).first().click();
    const form = queue.getByRole('dialog', { name: 'New support session' });
    await form.getByLabel('Customer name').fill(CUSTOMER);
    await form.getByRole('button', { name: 'Create session' }).click();
    const share = queue.getByRole('dialog', { name: 'Send this link to your customer' });
    const link = await share.getByRole('textbox', { name: 'Customer link' }).inputValue();
    supportPath = new URL(link).pathname;
    await share.getByRole('button', { name: 'Done' }).click();
    await text(queue.getByRole('row').filter({ hasText: CUSTOMER }), 'Waiting');

    // The Remote Sessions page, in a second tab, with the launcher open before any device exists.
    sessions = await techContext.newPage();
    sessions.setDefaultTimeout(15_000);
    watchErrors(sessions);
    await sessions.goto(`${stack.portal.baseUrl}/remote-sessions`);
    await visible(sessions.getByRole('heading', { level: 1, name: 'Remote Sessions' }));
    await visible(sessions.getByText('No active sessions'));
    await text(sessions.getByRole('status').filter({ hasText: 'Live' }), 'Live');
    await sessions.getByRole('button', { name: 'Start session' }).first().click();
    const launcher = sessions.getByRole('dialog', { name: 'Start a remote session' });
    await launcher.getByRole('combobox', { name: 'Device' }).click();
    await visible(sessions.getByRole('option', { name: /No devices yet|Loading devices/ }));
    await visible(sessions.getByRole('option', { name: 'No devices yet' }));
    for (const page of [queue, sessions]) await page.evaluate('window.__sameDocument = true');
  });

  it('runs the Linux script the customer downloads; the device appears in both lists without a reload', async () => {
    const context = await browser.newContext({
      userAgent: USER_AGENTS.linux,
      locale: 'en-US',
      acceptDownloads: true,
    });
    const customer = await context.newPage();
    customer.setDefaultTimeout(15_000);
    watchErrors(customer, /status of 404/);
    await customer.goto(`${stack.portal.baseUrl}${supportPath}`);
    const [download] = await Promise.all([
      customer.waitForEvent('download'),
      customer.getByRole('link', { name: 'Download kwgroup-quicksupport.sh' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('kwgroup-quicksupport.sh');
    await download.saveAs(join(customerDir.downloads, 'kwgroup-quicksupport.sh'));

    const env = customerEnv(customerDir, { QS_VNC_PORT: String(vncPort) });
    // Without DISPLAY the agent finds the one X display there is, where it can start x11vnc itself
    // when the customer allowed the screen and no VNC server runs (the VNC test below relies on it).
    expect(findDisplay(env)).toBe(display);
    // The customer allows each channel for the session, pressing A when the terminal asks
    // (the consent suite drives the other answers and the desktop dialog).
    run = runScript(customerDir, env, { allowForSession: true });
    await run.waitFor(CONNECTED);

    // The customer's page follows within its 5-second poll.
    await text(customer.locator('#status-word'), 'Connected', 12_000);
    await context.close();

    const row = queue.getByRole('row').filter({ hasText: CUSTOMER });
    await text(row, 'Active');
    await text(row, DEVICE);
    const option = sessions.getByRole('option', { name: DEVICE_OPTION });
    await visible(option);
    await text(option, 'Linux · Quick-support');
    expect(await option.getAttribute('aria-disabled')).not.toBe('true');
    for (const page of [queue, sessions]) expect(await page.evaluate('window.__sameDocument')).toBe(true);
  });

  let sessionId = '';

  it('starts a Web session from the launcher; the viewer pop-up shows the display’s pixels', async () => {
    const launcher = sessions.getByRole('dialog', { name: 'Start a remote session' });
    await sessions.getByRole('option', { name: DEVICE_OPTION }).click();
    await hidden(sessions.getByRole('listbox'));
    await visible(launcher.getByRole('radio', { name: /Attended/ }));
    const rdp = launcher.getByRole('radio', { name: /RDP/ });
    await text(rdp, 'not available yet');
    expect(await rdp.isDisabled()).toBe(true);
    expect(await launcher.getByRole('radio', { name: /Web/ }).getAttribute('aria-checked')).toBe('true');
    await launcher.getByLabel('Reason (optional)').fill(REASON);
    await launcher.getByRole('checkbox', { name: 'Enable session recording' }).check();
    await text(launcher, 'The relay records the screen, shell and commands of this session');
    await settled(sessions);
    await expectAccessibleInBothThemes(sessions, 'start-session dialog', 'mat-dialog-container');

    viewer = await popupFrom(sessions, () => launcher.getByRole('button', { name: 'Start session' }).click());
    watchErrors(viewer, VIEWER_EXPECTED);
    sessionId = viewer.url().split('/').pop()!;
    await hidden(launcher);
    await eventually(async () => expect(await viewer.title()).toBe(`Remote · ${DEVICE}`));
    await text(viewer.getByRole('banner'), 'Web · Attended');

    const status = viewer.locator('app-screen-tab .status[role="status"]');
    await text(status, 'Connected');
    const canvas = viewer.locator('[data-testid="remote-screen"] canvas');
    const points: [number, number][] = [
      [10, 10],
      [400, 300],
      [790, 590],
      [700, 75],
      [599, 75],
      [700, 150],
    ];
    await eventually(async () => {
      const seen = await screenPixels(canvas, points);
      expect({ width: seen.width, height: seen.height }).toEqual(SCREEN);
      expect(seen.colours.map((c, i) => near(c, i === 3 ? ORANGE : BLUE))).toEqual(points.map(() => true));
    });

    // Scaled to fit the window (up here: the window is larger), or at its real size.
    const shownWidth = async (): Promise<number> => Math.round((await canvas.boundingBox())!.width);
    await eventually(async () => expect(await shownWidth()).toBeGreaterThan(SCREEN.width));
    const scale = viewer.getByRole('button', { name: 'Scale to fit' });
    await scale.click();
    await eventually(async () => expect(await scale.getAttribute('aria-pressed')).toBe('false'));
    await eventually(async () => expect(await shownWidth()).toBe(SCREEN.width));
    await scale.click();
    await eventually(async () => expect(await shownWidth()).toBeGreaterThan(SCREEN.width));

    // The list shows it as Active, with the reason and the recording flag.
    const row = sessions.locator(`tr[data-session-id="${sessionId}"]`);
    await text(row, 'Active');
    await text(row, REASON);
    await text(row, TECH.name);
    await visible(row.getByRole('link', { name: 'Recordings of this session' }));
    await sessions.bringToFront();
    await hidden(sessions.locator('mat-snack-bar-container'));
    await sessions.mouse.move(0, 0);
    await settled(sessions);
    await sessions.screenshot({ path: join(SCREENSHOTS, 'remote-sessions.png') });
    await expectAccessibleInBothThemes(sessions, 'remote-sessions page with an active session');

    await viewer.bringToFront();
    await viewer.mouse.move(0, 0);
    await settled(viewer);
    await viewer.screenshot({ path: join(SCREENSHOTS, 'viewer-screen.png') });
    await expectAccessibleInBothThemes(viewer, 'viewer, Screen tab');
  });

  it('sends what the technician types, Ctrl+Alt+Del and pasted text to the X display', async () => {
    const canvas = viewer.locator('[data-testid="remote-screen"] canvas');
    keys.clear();
    await canvas.click({ position: { x: 200, y: 400 } });
    await viewer.keyboard.type('qs7');
    await eventually(() => expect(keys.pressed).toEqual(['q', 's', '7']));

    keys.clear();
    await viewer.getByRole('button', { name: 'Ctrl+Alt+Del' }).click();
    await eventually(() => expect(keys.pressed).toEqual(['Control_L', 'Alt_L', 'Delete']));

    keys.clear();
    await viewer.getByRole('button', { name: 'Paste text' }).click();
    await viewer.getByRole('textbox', { name: 'Text for the remote computer' }).fill('Hi!');
    await settled(viewer);
    await expectAccessibleInBothThemes(viewer, 'viewer, paste-text panel');
    await viewer.getByRole('button', { name: 'Type it' }).click();
    await eventually(() =>
      expect(keys.pressed.filter((k) => !/^Shift/.test(k))).toEqual(['H', 'i', 'exclam']),
    );

    await viewer.getByRole('button', { name: 'Paste text' }).click();
    await viewer
      .getByRole('textbox', { name: 'Text for the remote computer' })
      .fill('clipboard from the technician');
    await viewer.getByRole('button', { name: 'Send to clipboard' }).click();
    await eventually(() =>
      expect(rootProperty(display, 'CUT_BUFFER0')).toContain('clipboard from the technician'),
    );
  });

  it('runs echo in the Shell tab, and resizing the window resizes the remote terminal', async () => {
    await viewer.getByRole('tab', { name: 'Shell' }).click();
    const status = viewer.locator('app-shell-tab [role="status"]');
    await text(status, /Connected · \d+ × \d+/);
    const terminal = viewer.locator('[data-testid="remote-terminal"]');
    await terminal.click();
    await viewer.keyboard.type('echo "hello-$((6*7))"');
    await viewer.keyboard.press('Enter');
    const rows = terminal.locator('.xterm-rows');
    await text(rows, 'hello-42');
    await viewer.mouse.move(0, 0);
    await settled(viewer);
    await viewer.screenshot({ path: join(SCREENSHOTS, 'viewer-shell.png') });
    await expectAccessibleInBothThemes(viewer, 'viewer, Shell tab');

    const size = async (): Promise<{ cols: number; rows: number }> => {
      const [, cols, rows] = /(\d+) × (\d+)/.exec(await status.innerText()) ?? [];
      return { cols: Number(cols), rows: Number(rows) };
    };
    const before = await size();
    await viewer.setViewportSize({ width: 900, height: 600 });
    await eventually(async () => {
      const after = await size();
      expect(after.cols).toBeLessThan(before.cols);
      expect(after.rows).toBeLessThan(before.rows);
    });
    const { cols, rows: rowCount } = await size();
    await viewer.keyboard.type('stty size');
    await viewer.keyboard.press('Enter');
    await text(rows, `${rowCount} ${cols}`);
    await viewer.setViewportSize(VIEWER);
  });

  it('runs a command from the Commands tab with its output and exit code, and cancels another', async () => {
    await viewer.getByRole('tab', { name: 'Commands' }).click();
    const command = viewer.getByRole('textbox', { name: 'Command' });
    await command.fill('echo out; echo err >&2; exit 3');
    await viewer.getByRole('button', { name: 'Run', exact: true }).click();
    const first = viewer.getByRole('region', { name: 'Command: echo out; echo err >&2; exit 3' });
    await text(first.locator('pre'), 'out');
    await text(first.locator('pre .stderr'), 'err');
    await text(first.getByTestId('command-exit'), /^Exit code 3 · \d/);

    await command.fill('sleep 30');
    await viewer.getByRole('button', { name: 'Run', exact: true }).click();
    const second = viewer.getByRole('region', { name: 'Command: sleep 30' });
    await second.getByRole('button', { name: 'Cancel' }).click();
    await text(second.getByTestId('command-exit'), /^Cancelled · Ended by SIGTERM/);
    await settled(viewer);
    await expectAccessibleInBothThemes(viewer, 'viewer, Commands tab with output');
    // The Files tab opens the files channel on demand (the customer allows it) and lists the home folder.
    await viewer.getByRole('tab', { name: 'Files' }).click();
    await text(viewer.getByTestId('files-status'), 'Connected', 60_000);
    await visible(viewer.getByRole('table', { name: `Files in ${customerDir.home}` }));
    await settled(viewer);
    await expectAccessibleInBothThemes(viewer, 'viewer, Files tab');
    await viewer.getByRole('tab', { name: 'Commands' }).click();
    await visible(command);
  });

  it('refuses tokens once they expire, and Reconnect dials again with fresh ones', async () => {
    expect(tokenResponses.length).toBe(1);
    const first = tokenResponses[0];
    const screenToken = first.tokens.find((t) => t.channel === 'screen')!.token;
    const expiresAt = Date.parse(first.expiresAt);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(TOKEN_TTL_SEC * 1000);
    // The relay allows 5 s of clock difference.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 6_000 - Date.now())));

    const url = relayConnectUrl(stack.relayWsUrl, { sid: sessionId, ch: 'screen', role: 'tech' });
    expect(await dialRelay(url, screenToken, stack.portal.baseUrl)).toEqual({
      status: 401,
      closeCode: String(RelayCloseCode.TokenExpired),
    });
    // The connection made with it is not affected: tokens are checked when dialling.
    await content(viewer.locator('app-screen-tab .status[role="status"]'), 'Connected');

    await viewer.getByRole('tab', { name: 'Screen' }).click();
    await viewer.getByRole('banner').getByRole('button', { name: 'Reconnect' }).click();
    await eventually(() => expect(tokenResponses.length).toBe(2));
    expect(Date.parse(tokenResponses[1].expiresAt)).toBeGreaterThan(Date.now());
    await text(viewer.locator('app-screen-tab .status[role="status"]'), 'Connected');
    await content(viewer.locator('app-shell-tab [role="status"]'), /Connected · /);
    const canvas = viewer.locator('[data-testid="remote-screen"] canvas');
    await eventually(async () =>
      expect(near((await screenPixels(canvas, [[300, 300]])).colours[0], BLUE)).toBe(true),
    );
  });

  it('keeps a second technician out: no tokens for them, and the relay refuses a third client', async () => {
    const otherApi: TestAgent = await stack.login(OTHER_TECH.email, OTHER_TECH.password);
    const refused = await otherApi.post(`/api/remote-sessions/${sessionId}/tokens`);
    expect(refused.status).toBe(403);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    const other = await context.newPage();
    other.setDefaultTimeout(15_000);
    watchErrors(other, /status of 40[13]/);
    await other.goto(`${stack.portal.baseUrl}/remote-sessions`);
    await other.getByLabel('Email').fill(OTHER_TECH.email);
    await other.getByLabel('Password').fill(OTHER_TECH.password);
    await other.getByRole('button', { name: 'Sign in' }).click();
    const row = other.locator(`tr[data-session-id="${sessionId}"]`);
    await text(row, TECH.name);
    // Connect and End are only offered to the technician who started the session (or an admin)...
    await text(row.locator('.action-bar'), `${TECH.name}’s session`);
    expect(await row.getByRole('button', { name: `Connect to ${DEVICE}` }).count()).toBe(0);
    expect(await row.getByRole('button', { name: `End the session with ${DEVICE}` }).count()).toBe(0);
    // ...and the viewer itself, opened by address, explains why it cannot connect.
    const otherViewer = await context.newPage();
    otherViewer.setDefaultTimeout(15_000);
    watchErrors(otherViewer, /status of 40[13]|WebSocket connection to .* failed/);
    await otherViewer.goto(`${stack.portal.baseUrl}/viewer/${sessionId}`);
    await text(
      otherViewer.getByRole('alert'),
      'This remote session belongs to another technician. Only they or an administrator can do this.',
    );

    // The first technician's tokens, tried from the second technician's browser, do not get in.
    const used = tokenResponses[1].tokens.find((t) => t.channel === 'screen')!.token;
    const url = relayConnectUrl(stack.relayWsUrl, { sid: sessionId, ch: 'screen', role: 'tech' });
    const attempt = await otherViewer.evaluate(
      `new Promise((resolve) => {
        const ws = new WebSocket(${JSON.stringify(url)}, ${JSON.stringify(relayWebSocketProtocols(used))});
        let opened = false;
        ws.onopen = () => (opened = true);
        ws.onclose = (e) => resolve({ opened, code: e.code });
      })`,
    );
    expect(attempt).toEqual({ opened: false, code: 1006 });
    await context.close();

    // Even a valid, unused tech token cannot join a pair that is complete: the relay closes it with
    // 4010 and leaves the technician's connection alone.
    const key = deriveRelayKey(TEST_RELAY_SECRET, 'token');
    const fresh = await mintRelayToken(
      key.secret,
      key.kid,
      { sid: sessionId, ch: 'screen', role: 'tech' },
      60,
    );
    expect(await dialRelay(url, fresh, stack.portal.baseUrl)).toEqual({ code: RelayCloseCode.DuplicateSide });
    await text(viewer.locator('app-screen-tab .status[role="status"]'), 'Connected');
  });

  it('says in words when the device’s VNC server goes away; Reconnect starts one for the session, since the customer allowed the screen', async () => {
    await stopVnc();
    const overlay = viewer.locator('app-screen-tab').getByRole('alert');
    await text(overlay, 'The remote device could not connect to its screen.');
    await overlay.getByRole('button', { name: 'Reconnect' }).click();
    // No server runs any more: the agent starts x11vnc on the display for this session itself (the
    // screen was allowed for the session, so the customer is not asked again) and the pixels return.
    await text(viewer.locator('app-screen-tab .status[role="status"]'), 'Connected');
    const canvas = viewer.locator('[data-testid="remote-screen"] canvas');
    await eventually(async () => {
      const [corner] = (await screenPixels(canvas, [[10, 10]])).colours;
      expect(near(corner, BLUE)).toBe(true);
    });
    await content(viewer.locator('app-shell-tab [role="status"]'), /Connected · /);
  });

  it('ends the session for everyone from the viewer: the pop-up closes, the session is in Recent', async () => {
    await viewer.getByRole('banner').getByRole('button', { name: 'End session' }).click();
    const confirm = viewer.getByRole('alertdialog', { name: `End the session with ${DEVICE}?` });
    await Promise.all([
      viewer.waitForEvent('close'),
      confirm.getByRole('button', { name: 'End session' }).click(),
    ]);

    await hidden(sessions.locator(`tr[data-session-id="${sessionId}"]`));
    await visible(sessions.getByText('No active sessions'));
    await sessions.getByRole('radio', { name: /Recent/ }).click();
    const row = sessions.locator(`tr[data-session-id="${sessionId}"]`);
    await text(row, 'Ended by the technician');
    await text(row, REASON);
    await text(row, 'just now');
    expect(await sessions.evaluate('window.__sameDocument')).toBe(true);
  });

  it('ending the quick-support session stops the agent, which removes every file it wrote', async () => {
    const row = queue.getByRole('row').filter({ hasText: CUSTOMER });
    await queue.bringToFront();
    await row.getByRole('button', { name: `End the session with ${CUSTOMER}` }).click();
    await queue
      .getByRole('alertdialog', { name: `End the session with ${CUSTOMER}?` })
      .getByRole('button', { name: 'End session' })
      .click();
    await expect(run!.exited).resolves.toEqual({ code: 0, signal: null });
    expect(run!.stdout).toContain('Ending the session and removing the support agent');
    expect(readdirSync(customerDir.tmp)).toEqual([]);
    expect(readdirSync(customerDir.home)).toEqual(['Downloads']);
    expect(pageErrors).toEqual([]);
  });
});
