import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type TestAgent from 'supertest/lib/agent';
import { startX11vnc } from '../../agent/src/test-support/xvfb';
import { buildAgentBundle } from '../agent/support/agent-env';
import { ScriptRun } from '../agent/support/script-run';
import { RELAXED_LIMITS_ENV, makeSupportSession } from '../support/quick-support-factories';
import { expectAccessible } from './support/accessibility';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS } from './support/chromium';
import { customerMachine, startCustomerDevice } from './support/customer-device';
import { startRemoteStack, type RemoteStack } from './support/remote-stack';
import { signInContext } from './support/technician';
import { eventually, hidden, settled, text, visible } from './support/waits';
import { needBinaries, paintRoot, startXvfb, type Rgb, canvasPixel, nearColour } from './support/x-display';

/**
 * The technician's workflow without detours, end to end: Debian's Chromium as the dashboard and the
 * viewer, the real portal and relay, the real Linux agent run from the downloaded script in a real
 * terminal (a PTY) on a desktop (Xvfb) served by x11vnc. Connect from the Quick-Support queue reaches
 * the live screen in one click; Ctrl-C in the customer's terminal reaches the viewer's header within a
 * second; the history pages and searches past the live list's 24 hours.
 */
jest.setTimeout(240_000);

const SCREEN = { width: 800, height: 600 };
const VIEWER = { width: 1280, height: 820 };
const BLUE: Rgb = { r: 0x33, g: 0x66, b: 0xcc };
const CUSTOMER = 'Ada Customer';
const TECH = {
  email: 'workflow.technician@example.test',
  name: 'Workflow Technician',
  password: 'workflow-tech-password',
};

describe('technician workflow (queue → viewer → history; Chromium, real agent on Xvfb, x11vnc)', () => {
  needBinaries(['Xvfb', 'x11vnc', '/usr/bin/chromium'], 'apt-get install …');

  const scratch = mkdtempSync(join(tmpdir(), 'qs-workflow-browser-'));
  const customer = customerMachine(scratch);
  const cleanups: Array<() => Promise<void>> = [];
  let stack: RemoteStack;
  let browser: Browser;
  let context: BrowserContext;
  let api: TestAgent;
  let run: ScriptRun;
  let deviceId: string;
  let hostname: string;
  let page: Page;
  let viewer: Page;
  let sessionId: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    const bundle = buildAgentBundle(scratch);
    const xvfb = await startXvfb(SCREEN.width, SCREEN.height);
    cleanups.push(xvfb.stop);
    await paintRoot(xvfb.number, BLUE, []);
    const vnc = await startX11vnc(xvfb.display);
    cleanups.push(vnc.stop);

    stack = await startRemoteStack({
      dataDir: scratch,
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle },
    });
    api = await stack.createTechnician(TECH);

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    await signInContext(context, stack.portal.baseUrl, TECH);

    // The customer downloads the script from the link and runs it in a terminal on their desktop,
    // and allows what the technician asks for, for the whole session.
    const support = await makeSupportSession(api, { customerName: CUSTOMER });
    const customerDevice = await startCustomerDevice(stack, support.path, api, customer, {
      env: { DISPLAY: xvfb.display, QS_VNC_PORT: String(vnc.port) },
      allowForSession: true,
    });
    run = customerDevice.run;
    ({ id: deviceId, hostname } = customerDevice.device);
  });

  afterAll(async () => {
    run?.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  const row = (): Locator => page.locator('tr', { hasText: CUSTOMER });

  it('(a) the queue, its details and the launcher name the customer; Connect reaches the live screen in one click', async () => {
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.portal.baseUrl}/quick-support`);
    await visible(row().getByRole('button', { name: /^Connect to Ada Customer’s device$/ }));
    await settled(page);
    await expectAccessible(page, 'the Quick-Support queue');

    // The details panel: who holds the session, Connect, and handing it over.
    await row()
      .getByRole('button', { name: `Details for ${CUSTOMER}` })
      .click();
    const details = page.getByRole('dialog');
    await text(details, `Held by ${TECH.name}`);
    await visible(details.getByRole('button', { name: 'Hand over' }));
    await visible(details.getByRole('button', { name: /^Connect$/ }));
    await settled(page);
    await expectAccessible(page, 'the session’s details panel', '.mat-mdc-dialog-container');
    await page.screenshot({ path: join(SCREENSHOTS, 'quick-support-details.png') });

    // More options… opens the launcher with the device chosen, named by its customer.
    await details.getByRole('button', { name: 'More options…' }).click();
    const launcher = page.getByRole('dialog', { name: 'Start a remote session' });
    await text(launcher.locator('mat-select'), `${CUSTOMER} · ${hostname}`);
    await launcher.locator('mat-select').click();
    await text(page.getByRole('option', { name: new RegExp(CUSTOMER) }), /Quick-support session of/);
    await page.keyboard.press('Escape');
    await settled(page);
    await expectAccessible(page, 'the Start-session launcher', '.mat-mdc-dialog-container');
    await launcher.getByRole('button', { name: 'Cancel' }).click();
    await hidden(launcher);
    await details.getByRole('button', { name: 'Close details' }).click();
    await eventually(async () => expect(await page.getByRole('dialog').count()).toBe(0));

    // One click on the row's Connect: the viewer opens and shows the customer's screen.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      row()
        .getByRole('button', { name: /^Connect to Ada Customer’s device$/ })
        .click(),
    ]);
    viewer = popup;
    await viewer.setViewportSize(VIEWER);
    viewer.setDefaultTimeout(30_000);
    await viewer.waitForURL(/\/viewer\/[0-9a-f-]{36}$/);
    sessionId = /\/viewer\/([0-9a-f-]{36})$/.exec(viewer.url())![1];
    const canvas = viewer.locator('[data-testid="remote-screen"] canvas');
    await visible(canvas);
    await eventually(
      async () => expect(nearColour(await canvasPixel(canvas, 10, 10), BLUE)).toBe(true),
      30_000,
    );
    const session = (await api.get(`/api/remote-sessions/${sessionId}`).expect(200)).body;
    expect(session).toMatchObject({
      deviceId,
      type: 'attended',
      protocol: 'web',
      status: 'active',
      customerName: CUSTOMER,
    });
    await visible(viewer.getByRole('button', { name: 'End session' }));
  });

  it('(b) Ctrl-C on the device: within a second the viewer’s header says the customer ended it, and End is gone', async () => {
    const header = viewer.locator('header.viewer-bar');
    // Watches the header in the page and stamps the moment the sentence appears there.
    const shown = viewer.evaluate<number>(`new Promise((resolve) => {
      const bar = document.querySelector('header.viewer-bar');
      const check = () => {
        if (!bar.textContent.includes('The customer ended the session')) return false;
        resolve(Date.now());
        return true;
      };
      if (check()) return;
      new MutationObserver((changes, observer) => {
        if (check()) observer.disconnect();
      }).observe(bar, { subtree: true, childList: true, characterData: true });
    })`);
    const pressed = Date.now();
    run.interrupt();
    const at = await shown;
    const elapsedMs = at - pressed;
    console.log(`Ctrl-C on the device → viewer header: ${elapsedMs} ms`);
    expect(elapsedMs).toBeLessThanOrEqual(1000);
    await text(header.locator('.ended-text'), 'The customer ended the session');
    expect(await header.getByRole('button', { name: 'End session' }).count()).toBe(0);
    expect(await header.getByRole('button', { name: 'Reconnect' }).count()).toBe(0);
    await text(viewer.locator('.cover'), 'This session has ended.');
    await expect(run.exited).resolves.toMatchObject({ code: 0 });
    const session = (await api.get(`/api/remote-sessions/${sessionId}`).expect(200)).body;
    expect(session.endReason).toBe('ended_on_device');
    await viewer.close();
  });

  it('(c) the history searches and pages through sessions older than a day, and exports them', async () => {
    // 30 more ended sessions on this device, one every 3 hours back over days.
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const techId = (await api.get('/api/auth/me').expect(200)).body.id as string;
      for (let i = 1; i <= 30; i++)
        await db.query(
          `INSERT INTO remote_sessions (device_id, technician_id, type, protocol, reason, status, channels, relay_url, started_at, ended_at, end_reason)
           VALUES ($1, $2, 'attended', 'web', $3, 'ended', '{screen}', 'ws://127.0.0.1:1/ws',
                   now() - make_interval(hours => $4 * 3) - interval '20 minutes', now() - make_interval(hours => $4 * 3), 'technician')`,
          [deviceId, techId, i % 10 === 0 ? `Printer jam ${i}` : `Routine check ${i}`, i],
        );
    } finally {
      await db.end();
    }

    await page.goto(`${stack.portal.baseUrl}/remote-sessions`);
    await page.getByRole('radio', { name: 'History' }).click();
    const summary = page.locator('app-session-history .summary');
    await text(summary, 'Sessions 1–25 of 31, newest first.');
    const rows = page.locator('app-session-history tr[data-session-id]');
    await eventually(async () => expect(await rows.count()).toBe(25));
    // The newest: the session the customer ended, with the customer's name.
    await text(rows.first(), CUSTOMER);
    await text(rows.first(), 'Ended by the person at the device');
    await settled(page);
    await expectAccessible(page, 'the Remote Sessions history');
    await page.screenshot({ path: join(SCREENSHOTS, 'remote-session-history.png') });

    await page.getByRole('button', { name: 'Next page' }).click();
    await text(summary, 'Sessions 26–31 of 31, newest first.');
    await eventually(async () => expect(await rows.count()).toBe(6));
    await text(rows.last(), 'Printer jam 30');

    await page.getByRole('searchbox', { name: 'Search' }).fill('printer jam');
    await text(summary, 'Sessions 1–3 of 3, newest first.');
    await eventually(async () => expect(await rows.count()).toBe(3));
    await text(rows.first(), 'Printer jam 10');

    // Export CSV downloads what the search shows.
    const exportLink = page.getByRole('link', { name: 'Export CSV' });
    expect(await exportLink.getAttribute('href')).toBe('/api/remote-sessions/export.csv?q=printer%20jam');
    const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
    const path = await download.path();
    const csv = readFileSync(path, 'utf8').split('\r\n').filter(Boolean);
    expect(csv).toHaveLength(1 + 3);
    expect(csv.slice(1).every((line) => line.includes(CUSTOMER) && line.includes('Printer jam'))).toBe(true);
  });
});
