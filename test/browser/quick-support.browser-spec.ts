import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { create as createQr, QRCodeErrorCorrectionLevel } from 'qrcode';
import type TestAgent from 'supertest/lib/agent';
import WebSocket from 'ws';
import { AGENT_CONTROL_PATH, AGENT_PROTOCOL_HEADER } from '../../contracts/agent-protocol/connection';
import { QuickSupportEventsController } from '../../src/quick-support/quick-support-events.controller';
import {
  downloadInstaller,
  INSTALLER_FIXTURE_ENV,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
  USER_AGENTS,
} from '../support/quick-support-factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, TestApp } from '../support/test-app';
import { ensureDashboardBuilt, launchChromium, ROOT, SCREENSHOTS, type CanvasLike } from './support/chromium';
import { expectAccessible } from './support/accessibility';
import { expectAccessibleInBothThemes } from './support/themes';
import { attribute, eventually, exactly, hidden, settled, text, visible } from './support/waits';

/**
 * Quick-support end to end in Debian's Chromium against the real portal (real PostgreSQL, the
 * production build of client/): a new technician signs in, creates a session with "+ New session",
 * gets its link and a QR code of it; customers open the link with each OS's user agent and find
 * their download preselected; a customer's chat messages (in the session's details), a connecting
 * device and new sessions reach the technician without a reload; the technician ends a session. Then an admin generates a
 * persistent-agent install command. People are named by role.
 */
jest.setTimeout(240_000);

const TECH_EMAIL = 'helpdesk.technician@example.test';
const TECH_NAME = 'Help Desk Technician';
const TECH_PASSWORD = 'help-desk-technician-password';
const CUSTOMER = 'Reception Desk';
const OSES = ['windows', 'macos', 'linux'] as const;
const FILE_NAMES = {
  windows: 'kwgroup-quicksupport.exe',
  macos: 'kwgroup-quicksupport.dmg',
  linux: 'kwgroup-quicksupport.sh',
} as const;

/** What a canvas shows, as one '1' (dark) or '0' (light) per pixel, read in the page. */
interface CanvasPixels {
  width: number;
  height: number;
  dark: string;
}

async function readCanvas(canvas: Locator): Promise<CanvasPixels> {
  return canvas.evaluate((element: CanvasLike) => {
    const { width, height } = element;
    const data = element.getContext('2d')!.getImageData(0, 0, width, height).data;
    let dark = '';
    for (let i = 0; i < data.length; i += 4) dark += data[i] + data[i + 1] + data[i + 2] < 384 ? '1' : '0';
    return { width, height, dark };
  });
}

/**
 * Reads the QR symbol off the pixels the way a scanner does (finder pattern → module size → one
 * sample per module centre) and returns the module grid, row by row as '1'/'0' strings.
 */
function sampleQrModules({ width, height, dark }: CanvasPixels): string[] {
  const at = (x: number, y: number): boolean => dark[y * width + x] === '1';
  let top = -1;
  let left = -1;
  for (let y = 0; y < height && top < 0; y++) {
    for (let x = 0; x < width; x++) {
      if (at(x, y)) {
        top = y;
        left = x;
        break;
      }
    }
  }
  expect(top).toBeGreaterThanOrEqual(0);
  // The top-left finder pattern's outer ring is 7 modules wide.
  let finderEnd = left;
  while (finderEnd < width && at(finderEnd, top)) finderEnd++;
  let right = width - 1;
  while (right > left && !at(right, top)) right--;
  // The finder gives the module size roughly; the whole symbol's width gives it exactly.
  const modules = Math.round((right - left + 1) / ((finderEnd - left) / 7));
  const moduleSize = (right - left + 1) / modules;
  const rows: string[] = [];
  for (let r = 0; r < modules; r++) {
    let row = '';
    for (let c = 0; c < modules; c++) {
      const x = Math.floor(left + (c + 0.5) * moduleSize);
      const y = Math.floor(top + (r + 0.5) * moduleSize);
      row += at(x, y) ? '1' : '0';
    }
    rows.push(row);
  }
  return rows;
}

/** The module grid `qrcode` produces for `text` at one error-correction level. */
function expectedQrModules(text: string, level: QRCodeErrorCorrectionLevel): string[] {
  const { modules } = createQr(text, { errorCorrectionLevel: level });
  const rows: string[] = [];
  for (let r = 0; r < modules.size; r++) {
    let row = '';
    for (let c = 0; c < modules.size; c++) row += modules.get(r, c) ? '1' : '0';
    rows.push(row);
  }
  return rows;
}

/** A quick-support agent's side of the control channel: registered, connected, said hello. */
interface FakeAgent {
  deviceId: string;
  socket: WebSocket;
  requests: { type: string }[];
}

async function connectAgent(t: TestApp, sessionPath: string): Promise<FakeAgent> {
  const { token } = await downloadInstaller(t, sessionPath, 'windows');
  const registered = await t
    .http()
    .post('/api/agent/register')
    .send(
      registerBody(token, {
        hostname: 'RECEPTION-PC',
        os: 'windows',
        osVersion: 'Windows 11 Pro 24H2',
        arch: 'x64',
      }),
    )
    .expect(201);
  const { deviceId, deviceCredential } = registered.body as { deviceId: string; deviceCredential: string };
  const hello = readFileSync(join(ROOT, 'docs', 'fixtures', 'request_hello.json'), 'utf8');
  const socket = new WebSocket(`${t.baseUrl.replace(/^http/, 'ws')}${AGENT_CONTROL_PATH}`, {
    headers: { authorization: `Bearer ${deviceId}.${deviceCredential}`, [AGENT_PROTOCOL_HEADER]: '1.0' },
  });
  const requests: { type: string }[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send(hello));
    socket.on('message', (raw: Buffer) => {
      const message = JSON.parse(raw.toString('utf8')) as { type: string; id?: string };
      if (message.type === 'hello_ack') resolve();
      else if (message.id) {
        requests.push(message);
        // Acknowledge what the portal asks (end_session) like a real agent would.
        socket.send(JSON.stringify({ type: 'ack', replyTo: message.id }));
      }
    });
  });
  return { deviceId, socket, requests };
}

describe('quick-support (Chromium, real portal)', () => {
  let t: TestApp;
  let browser: Browser;
  let techContext: BrowserContext;
  let tech: Page;
  let techApi: TestAgent;
  let agent: FakeAgent | undefined;
  const extraContexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const row = (customer: string): Locator => tech.getByRole('row').filter({ hasText: customer });
  const kpi = (name: 'waiting' | 'active' | 'ended'): Locator => tech.locator(`[data-kpi="${name}"]`);
  /** `expected`: console errors that are how the page learns something (e.g. the link's 404 once ended). */
  const watchErrors = (page: Page, expected = /status of 401/): void => {
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !expected.test(message.text())) pageErrors.push(message.text());
    });
  };

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV });
    const admin = await t.loginAs();
    await admin
      .post('/api/users')
      .send({ email: TECH_EMAIL, displayName: TECH_NAME, role: 'technician', password: TECH_PASSWORD })
      .expect(201);
    techApi = await t.loginAs(TECH_EMAIL, TECH_PASSWORD);

    browser = await launchChromium();
    techContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    await techContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
    tech = await techContext.newPage();
    tech.setDefaultTimeout(10_000);
    watchErrors(tech);
  });

  afterAll(async () => {
    agent?.socket.close();
    for (const context of extraContexts) await context.close();
    await techContext?.close();
    await browser?.close();
    await t?.close();
  });

  it('signs a new technician in to an empty queue that is listening for live updates', async () => {
    await tech.goto(`${t.baseUrl}/`);
    await tech.getByLabel('Email').fill(TECH_EMAIL);
    await tech.getByLabel('Password').fill(TECH_PASSWORD);
    await tech.getByRole('button', { name: 'Sign in' }).click();
    await tech.waitForURL(`${t.baseUrl}/quick-support`);

    await visible(tech.getByRole('heading', { level: 1, name: 'Quick-Support' }));
    await visible(tech.getByText('No open sessions'));
    for (const name of ['waiting', 'active', 'ended'] as const) await exactly(kpi(name), '0');
    await text(tech.getByRole('status').filter({ hasText: 'Live' }), 'Live');
    // Everything after this point must reach the page without a reload.
    await tech.evaluate('window.__sameDocument = true');
    await settled(tech);
    await expectAccessible(tech, 'quick-support page (empty queue)');
  });

  let sessionUrl = '';
  let sessionPath = '';

  it('creates a session with "+ New session" and shows its link with Copy URL and a QR code of it', async () => {
    await tech.getByRole('button', { name: 'New session' }).first().click();
    const form = tech.getByRole('dialog', { name: 'New support session' });
    await form.getByLabel('Customer name').fill(CUSTOMER);
    await form.getByLabel('Note').fill('Front-desk printer prints blank pages');
    await settled(tech);
    await expectAccessible(tech, 'new-session dialog', 'mat-dialog-container');
    await form.getByRole('button', { name: 'Create session' }).click();

    const share = tech.getByRole('dialog', { name: 'Send this link to your customer' });
    await text(share, `Session created for ${CUSTOMER}`);
    sessionUrl = await share.getByRole('textbox', { name: 'Customer link' }).inputValue();
    // <PORTAL_ORIGIN>/support/connect/<token>. The harness's app keeps the configured origin while it
    // listens on a random port, so customers below open the same path on the test server.
    expect(sessionUrl).toMatch(/^https?:\/\/[^/]+\/support\/connect\/[A-Za-z0-9_-]{22,}$/);
    sessionPath = new URL(sessionUrl).pathname;

    await share.getByRole('button', { name: 'Copy URL' }).click();
    await visible(share.getByRole('button', { name: 'Copied' }));
    expect(await tech.evaluate('navigator.clipboard.readText()')).toBe(sessionUrl);

    await share.getByRole('button', { name: 'Show QR' }).click();
    const qr = share.getByRole('img', { name: 'QR code of the customer link' });
    await attribute(qr, 'data-state', 'ready');
    const pixels = await readCanvas(qr);
    expect(pixels.width).toBeGreaterThan(100);
    expect(pixels.dark).toContain('1');
    // The drawn symbol is exactly the QR encoding of the link (at one of the four correction levels).
    const drawn = sampleQrModules(pixels);
    const levels: QRCodeErrorCorrectionLevel[] = ['L', 'M', 'Q', 'H'];
    expect(levels.some((level) => expectedQrModules(sessionUrl, level).join('\n') === drawn.join('\n'))).toBe(
      true,
    );
    await visible(share.getByRole('button', { name: 'Hide QR' }));

    await tech.mouse.move(0, 0);
    await settled(tech);
    await tech.screenshot({ path: join(SCREENSHOTS, 'new-session.png') });
    await expectAccessible(tech, 'session-link dialog', 'mat-dialog-container');

    await share.getByRole('button', { name: 'Done' }).click();
    await hidden(share);
    await text(row(CUSTOMER), 'Waiting');
    await text(row(CUSTOMER), 'just now');
    await text(row(CUSTOMER), 'Not connected yet');
    await exactly(kpi('waiting'), '1');
  });

  let customer: Page;

  it('preselects the matching download for a customer on Windows, macOS and Linux', async () => {
    for (const os of ['linux', 'macos', 'windows'] as const) {
      const context = await browser.newContext({
        userAgent: USER_AGENTS[os],
        viewport: { width: 1280, height: 1000 },
        locale: 'en-US',
      });
      extraContexts.push(context);
      customer = await context.newPage();
      customer.setDefaultTimeout(10_000);
      // The connect page's status poll answers 404 once the session has ended: that is its signal.
      watchErrors(customer, /status of 404/);
      await customer.goto(`${t.baseUrl}${sessionPath}`);
      await visible(
        customer.getByRole('heading', { name: /remote support — a technician will assist you shortly/ }),
      );
      await text(customer.locator('#status-word'), 'Waiting');
      // Who will connect, before anything is downloaded (no download has been clicked yet).
      const who = customer.getByRole('region', { name: 'Who will connect to your computer' });
      await visible(who);
      await text(who, `${TECH_NAME} from KW Group will connect to help you.`);
      await text(who, 'see your screen');
      await text(who, 'control your mouse and keyboard');
      await text(who, 'Your computer will ask you first');
      await text(
        who,
        'Only continue if you contacted KW Group yourself. KW Group will never call you out of the blue.',
      );

      for (const other of OSES) {
        const chosen = other === os;
        await attribute(customer.locator(`[data-os="${other}"]`), 'aria-current', chosen ? 'true' : null);
        const download = customer.getByRole('link', { name: `Download ${FILE_NAMES[other]}` });
        if (chosen) await visible(download);
        else await hidden(download);
      }
      // The Windows customer (the last) stays to send notes.
      if (os !== 'windows') await context.close();
    }
  });

  it('shows the messages the customer writes on their page at once, as plain text', async () => {
    await customer
      .getByLabel('Describe the problem')
      .fill('The printer shows error E-17 since this morning.');
    await customer.getByRole('button', { name: 'Send' }).click();
    await text(customer.locator('#chat-list'), 'The printer shows error E-17 since this morning.');
    await customer.mouse.move(0, 0);
    await customer.screenshot({ path: join(SCREENSHOTS, 'connect-page.png'), fullPage: true });

    // Markup in a message is the customer's text, never the page's.
    const markup = '<img src=x onerror="document.title=1"><b>bold?</b>';
    await customer.getByLabel('Describe the problem').fill(markup);
    await customer.getByRole('button', { name: 'Send' }).click();
    await text(customer.locator('#chat-list'), markup);
    expect(await customer.locator('#chat-list img, #chat-list b').count()).toBe(0);

    await customer.getByLabel('Describe the problem').fill('I restarted it twice already.');
    await customer.getByRole('button', { name: 'Send' }).click();
    await text(customer.locator('#chat-list'), 'I restarted it twice already.');
    expect(await tech.evaluate('window.__sameDocument')).toBe(true);
  });

  it('follows the customer’s device as it registers and comes online, without a reload', async () => {
    agent = await connectAgent(t, sessionPath);
    await text(row(CUSTOMER), 'Active');
    await text(row(CUSTOMER), 'RECEPTION-PC');
    await text(row(CUSTOMER), 'Windows');
    await visible(row(CUSTOMER).getByRole('img', { name: 'online' }));
    await exactly(kpi('active'), '1');
    await exactly(kpi('waiting'), '0');

    // Colleagues' sessions arrive live too.
    const payables = await makeSupportSession(techApi, {
      customerName: 'Accounts Payable',
      note: 'VPN drops every hour',
    });
    await t
      .browser()
      .post(`${payables.path}/note`)
      .set('Content-Type', 'application/json')
      .send({ note: 'Outlook keeps asking for my password.' })
      .expect(201);
    await makeSupportSession(techApi, { customerName: 'Warehouse Office' });
    const sales = await makeSupportSession(techApi, { customerName: 'Sales Floor' });
    await techApi.post(`/api/quick-support/sessions/${sales.id}/end`).expect(200);

    await text(row('Accounts Payable'), 'Outlook keeps asking for my password.');
    await text(row('Warehouse Office'), 'Waiting');
    await exactly(kpi('waiting'), '2');
    await exactly(kpi('ended'), '1');
    expect(await tech.evaluate('window.__sameDocument')).toBe(true);

    await tech.mouse.move(0, 0);
    await settled(tech);
    await tech.screenshot({ path: join(SCREENSHOTS, 'quick-support.png') });
    await expectAccessibleInBothThemes(tech, 'quick-support page (queue with sessions)');
  });

  it('opens the session details with the chat and the link again', async () => {
    await row(CUSTOMER)
      .getByRole('button', { name: `Details for ${CUSTOMER}` })
      .click();
    const sheet = tech.getByRole('dialog', { name: CUSTOMER });
    await text(sheet, 'The printer shows error E-17 since this morning.');
    await text(sheet, 'Front-desk printer prints blank pages');
    await text(sheet, 'RECEPTION-PC');
    expect(await sheet.getByRole('textbox', { name: 'Customer link' }).inputValue()).toBe(sessionUrl);
    await text(sheet, '<img src=x onerror="document.title=1"><b>bold?</b>');
    expect(await sheet.locator('app-support-chat img, app-support-chat b').count()).toBe(0);
    await settled(tech);
    await expectAccessibleInBothThemes(tech, 'session details sheet', 'mat-dialog-container');
    await sheet.getByRole('button', { name: 'Close details' }).click();
    await hidden(sheet);
  });

  it('ends a session after a confirmation, and the agent is told to remove itself', async () => {
    await row(CUSTOMER)
      .getByRole('button', { name: `End the session with ${CUSTOMER}` })
      .click();
    const confirm = tech.getByRole('alertdialog', { name: `End the session with ${CUSTOMER}?` });
    await text(confirm, 'RECEPTION-PC disconnects and removes itself');
    await settled(tech);
    await expectAccessible(tech, 'end-session confirmation', 'mat-dialog-container');
    await confirm.getByRole('button', { name: 'End session' }).click();
    await hidden(confirm);

    await visible(tech.getByText(`The session with ${CUSTOMER} has ended.`));
    // It leaves the Open view and is counted, and listed, as ended.
    await hidden(row(CUSTOMER));
    await exactly(kpi('active'), '0');
    await exactly(kpi('ended'), '2');
    await tech.getByRole('radio', { name: 'Ended' }).click();
    await text(row(CUSTOMER), 'Ended');
    await text(row('Sales Floor'), 'Ended');
    expect(await row('Warehouse Office').count()).toBe(0);
    await eventually(() => expect(agent!.requests.map((r) => r.type)).toContain('end_session'));

    // The customer's page learns it within its 5-second poll; the link is dead.
    await text(customer.locator('#status-word'), 'Ended');
    const gone = await t.http().get(sessionPath);
    expect(gone.status).toBe(404);
  });

  it('reconnects the live stream after the portal drops it, and catches up on what it missed', async () => {
    await tech.getByRole('radio', { name: 'Open' }).click();
    await text(row('Warehouse Office'), 'Waiting');
    const live = tech.getByRole('status').filter({ hasText: /Live|Connecting|Reconnecting/ });
    await text(live, 'Live');

    // While the stream is down (dropped by the portal, and refused on the first retries), a
    // session is created: its event goes nowhere.
    let refused = 0;
    await tech.route('**/api/quick-support/events', async (route) => {
      refused++;
      await route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: '{"code":"unavailable","message":"down"}',
      });
    });
    t.app.get(QuickSupportEventsController).onModuleDestroy();
    await text(live, 'Reconnecting…');
    await makeSupportSession(techApi, { customerName: 'Front Office' });
    await eventually(() => expect(refused).toBeGreaterThanOrEqual(1));
    expect(await row('Front Office').count()).toBe(0);

    await tech.unroute('**/api/quick-support/events');
    await text(live, 'Live');
    // The refused attempts were logged by the browser; they were this test's doing.
    const refusals = pageErrors.filter((message) => /status of 503/.test(message));
    expect(refusals).toHaveLength(refused);
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((message) => !refusals.includes(message)));
    await text(row('Front Office'), 'Waiting');
    await exactly(kpi('waiting'), '3');
    expect(await tech.evaluate('window.__sameDocument')).toBe(true);
  });

  it('gives an admin a one-line persistent-agent install command bound to a one-shot token', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    extraContexts.push(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
    const admin = await context.newPage();
    admin.setDefaultTimeout(10_000);
    watchErrors(admin);
    await admin.goto(`${t.baseUrl}/admin/installers`);
    await admin.getByLabel('Email').fill(ADMIN_EMAIL);
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(`${t.baseUrl}/admin/installers`);
    await visible(admin.getByRole('heading', { level: 1, name: 'Agent installers' }));
    await visible(admin.getByText('Persistent agent or quick-support?'));

    await admin.getByRole('radio', { name: 'Linux' }).click();
    await admin.getByRole('button', { name: 'Generate install command' }).click();
    const command = admin.locator('pre.command').first();
    await text(admin.getByRole('heading', { name: 'Install command for Linux' }), 'Linux');
    const line = await command.innerText();
    expect(line).toMatch(
      /^\(f=\$\(mktemp\) && curl -fsSL -H 'Authorization: Bearer [A-Za-z0-9_-]+' 'https?:\/\/[^']+\/api\/installers\/script' .*sudo bash/,
    );
    const expiry = admin.getByRole('status').filter({ hasText: 'Expires' });
    await eventually(async () =>
      expect(await expiry.innerText()).toMatch(/Expires in (1 hour|\d+ minutes) \(at \d\d:\d\d\)/),
    );

    await admin.getByRole('button', { name: 'Copy command' }).click();
    expect(await admin.evaluate('navigator.clipboard.readText()')).toBe(line);

    // The command's token fetches the install script (and only through the header).
    const token = /Bearer ([A-Za-z0-9_-]+)/.exec(line)?.[1];
    expect(token).toBeDefined();
    await t.http().get('/api/installers/script').set('Authorization', `Bearer ${token}`).expect(200);

    await admin.mouse.move(0, 0);
    await settled(admin);
    await admin.screenshot({ path: join(SCREENSHOTS, 'installers.png') });
    await expectAccessibleInBothThemes(admin, 'agent installers page');
    expect(pageErrors).toEqual([]);
  });

  it('shows a hostile 100-character technician name as text on a phone, without breaking the layout', async () => {
    const longName =
      `<img src=x onerror=document.title=1>${'Wolfeschlegelsteinhausenbergerdorff'.repeat(3)}`.slice(0, 100);
    expect(longName).toHaveLength(100);
    const admin = await t.loginAs();
    await admin
      .post('/api/users')
      .send({
        email: 'long.name@example.test',
        displayName: longName,
        role: 'technician',
        password: 'long-name-technician-password',
      })
      .expect(201);
    const longNamed = await makeSupportSession(
      await t.loginAs('long.name@example.test', 'long-name-technician-password'),
    );
    const context = await browser.newContext({
      userAgent: USER_AGENTS.iphone,
      viewport: { width: 360, height: 740 },
      locale: 'en-US',
    });
    extraContexts.push(context);
    const phone = await context.newPage();
    phone.setDefaultTimeout(10_000);
    watchErrors(phone, /status of 404/);
    await phone.goto(`${t.baseUrl}${longNamed.path}`);
    const who = phone.getByRole('region', { name: 'Who will connect to your computer' });
    await visible(who);
    expect(await phone.locator('#who-name').innerText()).toBe(longName);
    await text(who, `${longName} from KW Group will connect to help you.`);
    expect(await phone.locator('img').count()).toBe(0);
    expect(await phone.title()).not.toBe('1');
    // Nothing is wider than the phone's screen: no sideways scrolling, the warning fits.
    const widths = await phone.evaluate<number[]>(
      "[document.documentElement.scrollWidth, document.documentElement.clientWidth, document.getElementById('who').getBoundingClientRect().right]",
    );
    expect(widths[0]).toBeLessThanOrEqual(widths[1]);
    expect(widths[2]).toBeLessThanOrEqual(widths[1]);
    await visible(phone.locator('#scam-warning'));
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
