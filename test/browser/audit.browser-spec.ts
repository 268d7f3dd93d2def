import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, TestApp } from '../support/test-app';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS } from './support/chromium';
import { expectAccessibleInBothThemes } from './support/themes';
import { attribute, eventually, settled, text, visible } from './support/waits';

/**
 * The Audit page and a remote session's Timeline in Debian's Chromium against the real portal: lines
 * in the real trail (a remote session as the portal and, for consent, the agent's reports write them),
 * filters, paging, the CSV link, and hostile text shown as text.
 */
jest.setTimeout(180_000);

const HOSTILE = '<img src=x onerror="window.pwned=1"> rm -rf /';

describe('Audit page and session timeline (Chromium, real portal)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sessionId = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await createTestApp();
    const db = t.app.get(DataSource);
    const [{ id: adminId }] = await db.query<{ id: string }[]>(`SELECT id FROM users WHERE email = $1`, [
      ADMIN_EMAIL,
    ]);
    const [{ id: deviceId }] = await db.query<{ id: string }[]>(
      `INSERT INTO devices (kind, hostname, os, os_version, arch, agent_version, protocol_version, credential_hash)
       VALUES ('persistent', 'reception-pc', 'linux', '12', 'x64', '0.1.0', '1.0', repeat('0', 64)) RETURNING id`,
    );
    [{ id: sessionId }] = await db.query<{ id: string }[]>(
      `INSERT INTO remote_sessions (device_id, technician_id, type, protocol, status, channels, relay_url, started_at, ended_at, end_reason)
       VALUES ($1, $2, 'attended', 'vnc', 'ended', '{screen}', 'ws://127.0.0.1/ws', '2026-12-01T09:00Z', '2026-12-01T09:20Z', 'technician')
       RETURNING id`,
      [deviceId, adminId],
    );
    const line = (minute: number, actorType: string, action: string, details: object) =>
      db.query(
        `INSERT INTO audit_events (at, actor_type, actor_id, action, target_type, target_id, details)
         VALUES ($1, $2, $3, $4, 'remote_session', $5, $6::jsonb)`,
        [
          `2026-12-01T09:${String(minute).padStart(2, '0')}:00Z`,
          actorType,
          actorType === 'user' ? adminId : deviceId,
          action,
          sessionId,
          JSON.stringify(details),
        ],
      );
    await line(0, 'user', 'remote_session.started', { deviceId, protocol: 'vnc', type: 'attended' });
    await line(1, 'agent', 'remote_session.consent', { deviceId, channel: 'screen', event: 'asked' });
    await line(2, 'agent', 'remote_session.consent', {
      deviceId,
      channel: 'screen',
      event: 'allowed',
      mode: 'view_only',
    });
    await line(3, 'user', 'remote_session.command_run', { deviceId, command: HOSTILE });
    await line(4, 'agent', 'remote_session.something_new', { deviceId });
    await line(20, 'user', 'remote_session.ended', { reason: 'technician' });
    // Enough older lines for a second page.
    await db.query(
      `INSERT INTO audit_events (at, actor_type, action, target_type, target_id)
       SELECT timestamptz '2026-11-01' + g * interval '1 minute', 'agent', 'device.online', 'device', $1
         FROM generate_series(1, 60) g`,
      [deviceId],
    );

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${t.baseUrl}/login`);
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${t.baseUrl}/quick-support`);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it('opens Audit from the navigation: newest lines first, in sentences, untrusted text as text', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Audit' }));
    const table = page.getByRole('table', { name: 'Audit lines' });
    await text(table, 'Session ended — Ended by the technician');
    await text(table, `Administrator ran a command: ${HOSTILE}`);
    await text(table, 'The customer allowed the screen (view only)');
    await text(table, 'remote_session.something_new');
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    const rows = table.locator('tbody tr[data-action^="remote_session."]');
    await eventually(async () =>
      expect(await rows.first().getAttribute('data-action')).toBe('remote_session.ended'),
    );
    await settled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'audit.png') });
    await expectAccessibleInBothThemes(page, 'audit page');
  });

  it('filters by action prefix, carries the filters into the CSV link, and pages with Next / Previous', async () => {
    await page.getByLabel('Action').fill('device.');
    await page.getByRole('button', { name: 'Apply' }).click();
    const rows = page.getByRole('table', { name: 'Audit lines' }).locator('tbody tr');
    await eventually(async () => expect(await rows.count()).toBe(50));
    await attribute(
      page.getByRole('link', { name: 'Download CSV' }),
      'href',
      '/api/audit-events.csv?action=device.',
    );
    await page.getByRole('button', { name: 'Next' }).click();
    await eventually(async () => expect(await rows.count()).toBe(10));
    await text(page.getByRole('navigation', { name: 'Pages' }), 'Page 2');
    await attribute(page.getByRole('button', { name: 'Next' }), 'disabled', 'true');
    await page.getByRole('button', { name: 'Previous' }).click();
    await eventually(async () => expect(await rows.count()).toBe(50));
    await text(page.getByRole('navigation', { name: 'Pages' }), 'Page 1');

    const csv = await page.request.get(`${t.baseUrl}/api/audit-events.csv?action=device.`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split('\r\n').filter(Boolean)).toHaveLength(61);
  });

  it('shows a remote session’s Timeline in order, in sentences, unknown actions by name', async () => {
    await page.goto(`${t.baseUrl}/remote-sessions/${sessionId}`);
    await visible(page.getByRole('heading', { level: 2, name: 'Timeline' }));
    const items = page.getByRole('list', { name: 'Timeline' }).getByRole('listitem');
    await eventually(async () => expect(await items.count()).toBe(6));
    const sentences = await items.locator('.sentence').allInnerTexts();
    expect(sentences).toEqual([
      'Administrator started a VNC session (attended)',
      'The customer was asked to allow the screen',
      'The customer allowed the screen (view only)',
      `Administrator ran a command: ${HOSTILE}`,
      'remote_session.something_new',
      'Session ended — Ended by the technician',
    ]);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await settled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-timeline.png') });
    await expectAccessibleInBothThemes(page, 'session details with its timeline');
    expect(pageErrors).toEqual([]);
  });
});
