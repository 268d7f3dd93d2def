import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { buildAgentBundle } from '../agent/support/agent-env';
import { ScriptRun } from '../agent/support/script-run';
import { makeSupportSession, RELAXED_LIMITS_ENV, USER_AGENTS } from '../support/quick-support-factories';
import { expectAccessible } from './support/accessibility';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS } from './support/chromium';
import { CONNECTED, customerEnv, customerMachine, runScript } from './support/customer-device';
import { startRemoteStack, type RemoteStack } from './support/remote-stack';
import { signIn } from './support/technician';
import { content, hidden, text, visible } from './support/waits';

/**
 * The chat of a quick-support session, end to end: the technician in Debian's Chromium (the queue's
 * details panel), the customer on the connect page in another Chromium context, and the person at the
 * device in the real Linux agent's console (run from the downloaded script in a real terminal), all on
 * the real portal and PostgreSQL. Messages go both ways between each pair, as text only.
 */
jest.setTimeout(240_000);

const TECH = {
  email: 'chat.technician@example.test',
  name: 'Chat Technician',
  password: 'chat-tech-password',
};
const CUSTOMER = 'Front Office';
const MARKUP = '<img src=x onerror="document.title=1"><b>bold?</b>';

describe('support chat (Chromium, real portal, Linux agent)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'qs-chat-browser-'));
  const customerDir = customerMachine(scratch);
  let stack: RemoteStack;
  let browser: Browser;
  let techContext: BrowserContext;
  let customerContext: BrowserContext;
  let tech: Page;
  let customer: Page;
  let run: ScriptRun | undefined;
  let supportPath = '';
  const pageErrors: string[] = [];

  const watchErrors = (page: Page, expected = /status of 401/): void => {
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !expected.test(message.text()))
        pageErrors.push(`${page.url()}: ${message.text()}`);
    });
  };
  const sheet = (): Locator => tech.getByRole('dialog', { name: CUSTOMER });
  const techChat = (): Locator => sheet().locator('app-support-chat');
  const customerChat = (): Locator => customer.locator('#chat-list');

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    const bundle = buildAgentBundle(scratch);
    stack = await startRemoteStack({
      dataDir: scratch,
      env: { ...RELAXED_LIMITS_ENV, AGENT_BUNDLE_PATH: bundle },
    });
    const techApi = await stack.createTechnician(TECH);
    supportPath = (await makeSupportSession(techApi, { customerName: CUSTOMER })).path;

    browser = await launchChromium();
    techContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    tech = await techContext.newPage();
    tech.setDefaultTimeout(15_000);
    watchErrors(tech);
    customerContext = await browser.newContext({
      userAgent: USER_AGENTS.linux,
      locale: 'en-US',
      acceptDownloads: true,
    });
    customer = await customerContext.newPage();
    customer.setDefaultTimeout(15_000);
    watchErrors(customer, /status of 404/);
  });

  afterAll(async () => {
    run?.kill('SIGKILL');
    await browser?.close();
    await stack?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the customer writes first; the technician reads it in the session’s details', async () => {
    await customer.goto(`${stack.portal.baseUrl}${supportPath}`);
    await visible(customer.getByRole('heading', { name: 'Messages with your technician' }));
    await visible(customer.getByText('No messages yet.'));
    await customer.getByLabel('Describe the problem').fill('My printer is jammed.');
    await customer.getByRole('button', { name: 'Send' }).click();
    await text(customerChat(), 'You');
    await text(customerChat(), 'My printer is jammed.');
    await hidden(customer.getByText('No messages yet.'));
    await expectAccessible(customer, 'the connect page’s chat', '#notes-section');

    await signIn(tech, stack.portal.baseUrl, TECH);
    await tech
      .getByRole('row')
      .filter({ hasText: CUSTOMER })
      .getByRole('button', { name: `Details for ${CUSTOMER}` })
      .click();
    await text(techChat(), 'My printer is jammed.');
    await text(techChat(), 'Customer');
    await tech.evaluate('window.__sameDocument = true');
  });

  it('each side’s messages reach the other without a reload, as plain text', async () => {
    const box = sheet().getByRole('textbox', { name: 'Message to the customer' });
    await box.fill('Hello! I am looking at it. Which model is it?');
    await box.press('Enter');
    await text(techChat(), 'Hello! I am looking at it. Which model is it?');
    await text(customerChat(), 'Hello! I am looking at it. Which model is it?', 15_000);
    await text(customerChat(), TECH.name);

    await customer.getByLabel('Describe the problem').fill(MARKUP);
    await customer.getByRole('button', { name: 'Send' }).click();
    await text(techChat(), MARKUP);
    expect(await techChat().locator('img, b').count()).toBe(0);

    await box.fill(`Thanks. ${MARKUP}`);
    await sheet().getByRole('button', { name: 'Send' }).click();
    await text(customerChat(), `Thanks. ${MARKUP}`, 15_000);
    expect(await customerChat().locator('img, b').count()).toBe(0);
    expect(await customer.title()).not.toBe('1');
    expect(await tech.title()).not.toBe('1');

    await expectAccessible(tech, 'the chat in the session’s details', 'app-support-chat');
    await tech.mouse.move(0, 0);
    await tech.screenshot({ path: join(SCREENSHOTS, 'support-chat.png') });
    expect(await tech.evaluate('window.__sameDocument')).toBe(true);
  });

  it('the person at the device reads the technician in the agent’s console and answers there', async () => {
    const [download] = await Promise.all([
      customer.waitForEvent('download'),
      customer.getByRole('link', { name: 'Download kwgroup-quicksupport.sh' }).click(),
    ]);
    await download.saveAs(join(customerDir.downloads, 'kwgroup-quicksupport.sh'));
    run = runScript(customerDir, customerEnv(customerDir), { allowForSession: false });
    await run.waitFor(CONNECTED, 60_000);
    await text(customer.locator('#status-word'), 'Connected', 15_000);

    const box = sheet().getByRole('textbox', { name: 'Message to the customer' });
    await box.fill('Could you press M here\nand type the printer model?');
    await box.press('Enter');
    await run.waitFor(
      /Message from Chat Technician: Could you press M here\r?\n\s+and type the printer model\?/,
    );
    await run.waitFor(/Press M to answer/);
    // The customer's page gets it too.
    await text(customerChat(), 'type the printer model?', 15_000);

    run.type('m');
    await run.waitFor(/Your answer \(Enter sends, Esc cancels\): /);
    run.type('HP LaserJet 4000, kind of old\r');
    await run.waitFor(/Sent to your technician\./);
    await text(techChat(), 'HP LaserJet 4000, kind of old');
    await text(techChat(), 'Customer (support tool)');
    await text(customerChat(), 'HP LaserJet 4000, kind of old', 15_000);
  });

  it('ends the session: the chat stays readable to the technician and closes for the customer', async () => {
    await sheet().getByRole('button', { name: 'End session' }).click();
    await tech.getByRole('alertdialog').getByRole('button', { name: 'End session' }).click();
    await text(techChat(), 'The session has ended: its chat can be read but takes no new messages.');
    await hidden(sheet().getByRole('textbox', { name: 'Message to the customer' }));
    await text(techChat(), 'HP LaserJet 4000, kind of old');
    await text(customer.locator('#status-word'), 'Ended', 15_000);
    await hidden(customer.locator('#notes-section'));
    await run?.exited;
  });

  it('shows the chat in the timeline of a remote session on the device, merged by time', async () => {
    const db = stack.portal.app.get(DataSource);
    const [{ id: remoteId }] = await db.query<{ id: string }[]>(
      `INSERT INTO remote_sessions (device_id, technician_id, type, protocol, status, channels, relay_url, started_at, ended_at, end_reason)
       SELECT d.id, u.id, 'attended', 'vnc', 'ended', '{screen}', 'ws://127.0.0.1/ws', now(), now(), 'technician'
         FROM devices d, users u
        WHERE d.support_session_id = (SELECT id FROM support_sessions WHERE customer_name = $1) AND u.email = $2
       RETURNING id`,
      [CUSTOMER, TECH.email],
    );
    await sheet().getByRole('button', { name: 'Close details' }).click();
    await tech.goto(`${stack.portal.baseUrl}/remote-sessions/${remoteId}`);
    const timeline = tech.getByRole('list', { name: 'Timeline' });
    await text(timeline, 'My printer is jammed.');
    await text(timeline, 'HP LaserJet 4000, kind of old');
    await text(timeline, `chat · ${TECH.name}`);
    const chatLines = await timeline.locator('li.chat .sentence').allInnerTexts();
    expect(chatLines[0]).toBe('My printer is jammed.');
    expect(chatLines.at(-1)).toBe('HP LaserJet 4000, kind of old');
    expect(await timeline.locator('img, b').count()).toBe(0);

    // The viewer of a quick-support device has the chat as a tab (read-only once the session ended).
    const viewer = await techContext.newPage();
    viewer.on('pageerror', (error) => pageErrors.push(`${viewer.url()}: ${error.message}`));
    await viewer.goto(`${stack.portal.baseUrl}/viewer/${remoteId}`);
    await viewer.getByRole('tab', { name: 'Chat' }).click();
    const chat = viewer.locator('app-support-chat');
    await content(chat, 'HP LaserJet 4000, kind of old');
    await content(chat, 'The session has ended: its chat can be read but takes no new messages.');
    expect(await chat.locator('img, b').count()).toBe(0);
    await viewer.close();
    expect(pageErrors).toEqual([]);
  });
});
