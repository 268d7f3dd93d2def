import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import {
  downloadInstaller,
  INSTALLER_FIXTURE_ENV,
  installerTokenIn,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
} from '../support/quick-support-factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, TestApp } from '../support/test-app';
import { expectAccessible } from './support/accessibility';
import { ensureDashboardBuilt, launchChromium, SCREENSHOTS } from './support/chromium';
import { attribute, eventually, hidden, settled, text, visible } from './support/waits';

/**
 * The dashboard shell in Debian's Chromium against the real portal (real PostgreSQL, the production
 * build of client/ served by the portal): sign in as the first admin, add a technician, disable them,
 * sign out. Elements are found by role and label, as a user (or a screen reader) would find them.
 */
jest.setTimeout(180_000);

const BRAND = 'Northwind IT';
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0E7C66"/><path d="M8 24V8h4l8 10V8h4v16h-4l-8-10v10z" fill="#fff"/></svg>';

describe('dashboard shell (Chromium, real portal)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    mkdirSync(SCREENSHOTS, { recursive: true });
    // A yellow brand: white text on it, or it as text on white, would fail contrast; the dashboard
    // must pick readable shades by itself.
    t = await createTestApp({
      ...INSTALLER_FIXTURE_ENV,
      ...RELAXED_LIMITS_ENV,
      BRAND_NAME: BRAND,
      BRAND_PRIMARY_COLOR: '#FFD400',
      BRAND_ACCENT_COLOR: '#0E7C66',
    });
    mkdirSync(join(t.config.dataDir, 'brand'));
    writeFileSync(join(t.config.dataDir, 'brand', 'logo.svg'), LOGO_SVG);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 401/.test(message.text()))
        pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await techContext?.close();
    await browser?.close();
    await t?.close();
  });

  it('sends a signed-out visitor to the login page, keeping where they wanted to go', async () => {
    await page.goto(`${t.baseUrl}/admin/users`);
    await page.waitForURL(/\/login\?returnUrl=%2Fadmin%2Fusers$/);
    await visible(page.getByRole('heading', { name: 'Sign in' }));
    await eventually(async () => expect(await page.title()).toBe(`Sign in · ${BRAND}`));
    await settled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'login.png') });
    await expectAccessible(page, 'login page');
  });

  it('shows the configured brand name and logo on the login page, before sign-in', async () => {
    // Wide screens show the brand in the picture beside the form (hidden from screen readers, which
    // get the page title); narrow ones above the form, with the logo's alt text.
    const hero = page.locator('.login-hero');
    await text(hero, BRAND);
    const heroLogo = hero.locator('img');
    await visible(heroLogo);
    await eventually(async () =>
      expect(await page.evaluate("document.querySelector('.login-hero img').naturalWidth")).toBe(32),
    );
    await page.setViewportSize({ width: 600, height: 900 });
    try {
      await text(page.getByTestId('login-brand'), BRAND);
      await visible(page.getByRole('img', { name: `${BRAND} logo` }));
      await expectAccessible(page, 'login page on a narrow screen');
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('answers an address that is not a dashboard page with a plain, accessible 404 page', async () => {
    const probe = await context.newPage();
    try {
      const response = await probe.goto(`${t.baseUrl}/wp-admin/install.php`);
      expect(response?.status()).toBe(404);
      await visible(probe.getByRole('heading', { name: 'Page not found' }));
      expect(await probe.title()).toBe('Page not found');
      await expectAccessible(probe, 'the 404 page');
      await probe.getByRole('link', { name: 'Open the dashboard' }).click();
      await probe.waitForURL(/\/login\?returnUrl=/);
    } finally {
      await probe.close();
    }
  });

  it('explains a wrong password without leaving the page', async () => {
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('not-the-right-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await text(page.getByRole('alert'), 'The email or password is incorrect');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(page.url()).toContain('/login');
    // The button's state layer fades after the click; check the page as it rests.
    await settled(page);
    await expectAccessible(page, 'login page with an error');
  });

  it('signs the first admin in and opens the page from returnUrl inside the shell', async () => {
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${t.baseUrl}/admin/users`);

    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Quick-Support', 'Remote Sessions', 'Agent installers', 'Devices', 'Users']) {
      await visible(nav.getByRole('link', { name }));
    }
    await attribute(nav.getByRole('link', { name: 'Users' }), 'aria-current', 'page');
    await text(page.getByRole('group', { name: 'Signed-in user' }), ADMIN_EMAIL);
    await visible(page.getByRole('button', { name: 'Log out' }));
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    await text(nav.locator('..').locator('.sidebar-brand'), BRAND);
    await visible(page.getByRole('img', { name: `${BRAND} logo` }));
    await eventually(async () => expect(await page.title()).toBe(`Users · ${BRAND}`));
    await settled(page);
    await expectAccessible(page, 'users page');
  });

  it('does not let the admin disable or remove their own account', async () => {
    const row = page.getByRole('row').filter({ hasText: ADMIN_EMAIL });
    await text(row, 'You');
    await attribute(row.getByRole('button', { name: /^Disable / }), 'aria-disabled', 'true');
    await attribute(row.getByRole('button', { name: /^Remove / }), 'aria-disabled', 'true');
  });

  let technicianPassword = '';

  it('adds a technician with a generated password that is shown once', async () => {
    await page.getByRole('button', { name: 'Add technician' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add technician' });
    await dialog.getByLabel('Email').fill('helpdesk.technician@example.test');
    await dialog.getByLabel('Display name').fill('Help Desk Technician');
    await visible(dialog.getByText('Leave blank to generate one'));
    await settled(page);
    await expectAccessible(page, 'add-user dialog', 'mat-dialog-container');
    await dialog.getByRole('button', { name: 'Add technician' }).click();

    const shown = page.getByRole('dialog', { name: 'Initial password for Help Desk Technician' });
    // Creating the account hashes its password (scrypt, 32 MiB): seconds on a busy machine.
    await shown.waitFor({ state: 'visible', timeout: 30_000 });
    await visible(shown.getByText('will not be shown again'));
    await settled(page);
    await expectAccessible(page, 'initial-password dialog', 'mat-dialog-container');
    technicianPassword = await shown.getByLabel('Initial password').inputValue();
    expect(technicianPassword.length).toBeGreaterThanOrEqual(12);
    await shown.getByRole('button', { name: 'Done' }).click();
    await hidden(shown);

    const row = page.getByRole('row').filter({ hasText: 'helpdesk.technician@example.test' });
    await text(row, 'Help Desk Technician');
    await text(row, 'Technician');
    await text(row, 'Active');
    await text(row, 'Never');
    await page.mouse.move(0, 0);
    await settled(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'users.png') });
  });

  let techContext: BrowserContext | undefined;
  let tech: Page;

  it('shows the technician, signed in elsewhere, the shell without the Admin section', async () => {
    techContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    tech = await techContext.newPage();
    tech.setDefaultTimeout(10_000);
    await tech.goto(`${t.baseUrl}/`);
    await tech.getByLabel('Email').fill('helpdesk.technician@example.test');
    await tech.getByLabel('Password').fill(technicianPassword);
    await tech.getByRole('button', { name: 'Sign in' }).click();
    await tech.waitForURL(`${t.baseUrl}/quick-support`);
    await visible(tech.getByRole('heading', { level: 1, name: 'Quick-Support' }));
    await settled(tech);
    await expectAccessible(tech, 'quick-support page (empty queue)');
    const nav = tech.getByRole('navigation', { name: 'Main' });
    await visible(nav.getByRole('link', { name: 'Remote Sessions' }));
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);

    await tech.goto(`${t.baseUrl}/admin/users`);
    await tech.waitForURL(`${t.baseUrl}/quick-support`);
  });

  let auditorPassword = '';

  it('adds an auditor, the third role, from the same dialog', async () => {
    await page.getByRole('button', { name: 'Add technician' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add technician' });
    await dialog.getByLabel('Email').fill('compliance.auditor@example.test');
    await dialog.getByLabel('Display name').fill('Compliance Auditor');
    await dialog.getByLabel('Role').click();
    await page.getByRole('option', { name: /^Auditor — Reads session history/ }).click();
    await dialog.getByRole('button', { name: 'Add technician' }).click();
    const shown = page.getByRole('dialog', { name: 'Initial password for Compliance Auditor' });
    // Creating the account hashes its password (scrypt, 32 MiB): seconds on a busy machine.
    await shown.waitFor({ state: 'visible', timeout: 30_000 });
    auditorPassword = await shown.getByLabel('Initial password').inputValue();
    await shown.getByRole('button', { name: 'Done' }).click();
    await hidden(shown);
    const row = page.getByRole('row').filter({ hasText: 'compliance.auditor@example.test' });
    await text(row.getByRole('combobox', { name: 'Role of Compliance Auditor' }), 'Auditor');
  });

  it('shows an auditor only what they can read: no new links, no sessions to start, no viewer, no admin', async () => {
    const auditorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const auditor = await auditorContext.newPage();
      auditor.setDefaultTimeout(10_000);
      await auditor.goto(`${t.baseUrl}/`);
      await auditor.getByLabel('Email').fill('compliance.auditor@example.test');
      await auditor.getByLabel('Password').fill(auditorPassword);
      await auditor.getByRole('button', { name: 'Sign in' }).click();
      await auditor.waitForURL(`${t.baseUrl}/quick-support`);
      await text(auditor.getByRole('group', { name: 'Signed-in user' }), 'Auditor');
      await visible(auditor.getByRole('heading', { level: 2, name: 'Queue' }));
      expect(await auditor.getByRole('button', { name: 'New session' }).count()).toBe(0);
      const nav = auditor.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
      await nav.getByRole('link', { name: 'Remote Sessions' }).click();
      await visible(auditor.getByRole('heading', { level: 2, name: 'Sessions' }));
      await visible(auditor.getByText('Sessions appear here while technicians run them.'));
      await settled(auditor);
      await expectAccessible(auditor, 'remote-sessions page (auditor, empty)');
      expect(await auditor.getByRole('button', { name: 'Start session' }).count()).toBe(0);
      await auditor.goto(`${t.baseUrl}/admin/users`);
      await auditor.waitForURL(`${t.baseUrl}/quick-support`);
      await auditor.goto(`${t.baseUrl}/viewer/00000000-0000-4000-8000-000000000000`);
      await auditor.waitForURL(`${t.baseUrl}/quick-support`);
    } finally {
      await auditorContext.close();
    }
  });

  it('changes an account’s role from the table after a confirmation', async () => {
    const row = page.getByRole('row').filter({ hasText: 'compliance.auditor@example.test' });
    const select = row.getByRole('combobox', { name: 'Role of Compliance Auditor' });
    await select.click();
    await page.getByRole('option', { name: /^Technician — / }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Make Compliance Auditor a Technician?' });
    await text(confirm, 'signs them out everywhere');
    await settled(page);
    await expectAccessible(page, 'confirm dialog', 'mat-dialog-container');
    await confirm.getByRole('button', { name: 'Change role' }).click();
    await text(select, 'Technician');
    const users = await (await t.loginAs()).get('/api/users').expect(200);
    const changed = (users.body.items as { email: string; role: string }[]).find(
      (u) => u.email === 'compliance.auditor@example.test',
    );
    expect(changed?.role).toBe('technician');
  });

  it('disables the technician after a confirmation that says it signs them out everywhere', async () => {
    const row = page.getByRole('row').filter({ hasText: 'helpdesk.technician@example.test' });
    await row.getByRole('button', { name: 'Disable Help Desk Technician' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Disable Help Desk Technician?' });
    await text(confirm, 'signs them out everywhere');
    await confirm.getByRole('button', { name: 'Disable' }).click();

    await text(row, 'Disabled');
    await visible(row.getByRole('button', { name: 'Enable Help Desk Technician' }));
    const login = await t
      .browser()
      .post('/api/auth/login')
      .send({ email: 'helpdesk.technician@example.test', password: technicianPassword });
    expect(login.status).toBe(401);

    // Their open dashboard lost its session: the next load lands on the login page.
    await tech.reload();
    await tech.waitForURL(/\/login\?returnUrl=%2Fquick-support$/);
    await techContext?.close();
  });

  it('lets the admin choose a persistent device’s consent policy, with a line on what each means; a quick-support device always asks', async () => {
    const admin = await t.loginAs();
    const command = await admin.post('/api/installers').send({ os: 'linux' }).expect(201);
    const script = await t
      .http()
      .get('/api/installers/script')
      .set('Authorization', `Bearer ${/Bearer ([A-Za-z0-9_-]{43})/.exec(command.body.command)![1]}`)
      .expect(200);
    const server = await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(installerTokenIn(script.text), { hostname: 'BACKUP-SERVER' }))
      .expect(201);
    const support = await makeSupportSession(admin, { customerName: 'Front desk' });
    const { token } = await downloadInstaller(t, support.path, 'linux');
    await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { hostname: 'FRONT-DESK-PC' }))
      .expect(201);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await page.waitForURL(`${t.baseUrl}/admin/devices`);
    await visible(page.getByRole('heading', { level: 1, name: 'Devices' }));
    const serverRow = page.getByRole('listitem', { name: 'BACKUP-SERVER' });
    const quickRow = page.getByRole('listitem', { name: 'FRONT-DESK-PC' });
    await text(serverRow, 'Persistent agent');
    await text(serverRow, 'The person at the device is asked before each');
    await text(quickRow, 'Ask (always, for quick-support)');
    expect(await quickRow.getByRole('combobox').count()).toBe(0);
    await settled(page);
    await expectAccessible(page, 'devices page');

    const select = serverRow.getByRole('combobox', { name: 'Consent policy for BACKUP-SERVER' });
    await text(select, 'Ask');
    await select.click();
    await page.getByRole('option', { name: 'Silent' }).click();
    await text(select, 'Silent');
    await text(serverRow, 'Needs "consent": "silent" in the device’s own agent.json.');
    await visible(page.locator('mat-snack-bar-container').getByText('BACKUP-SERVER now uses “Silent”.'));
    // The notification has finished arriving (opening it closes an open select panel).
    await settled(page);
    const listed = (await admin.get('/api/devices').expect(200)).body.items as {
      id: string;
      consentPolicy: string;
    }[];
    expect(listed.find((d) => d.id === server.body.deviceId)?.consentPolicy).toBe('silent');

    await select.click();
    await page.getByRole('option', { name: 'Notify only' }).click();
    await text(serverRow, 'Needs "consent": "notify" in its agent.json.');
    await eventually(async () => {
      const items = (await admin.get('/api/devices').expect(200)).body.items as {
        id: string;
        consentPolicy: string;
      }[];
      expect(items.find((d) => d.id === server.body.deviceId)?.consentPolicy).toBe('notify');
    });
  });

  it('shows a focus ring on every control the keyboard reaches on a page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    await settled(page);
    await page.locator('body').focus();
    // What marks the focused element: its own outline (the :focus-visible rule), Material's strong
    // focus indicator (a ::before border), or a focused form field's thicker outline.
    const FOCUS_MARK = `(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { name: 'body', mark: 'none' };
      const name = (el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 40);
      const own = getComputedStyle(el);
      if (own.outlineStyle !== 'none' && parseFloat(own.outlineWidth) >= 2) return { name, mark: 'outline' };
      const indicators = [el, ...el.children, ...(el.parentElement ? el.parentElement.children : [])].filter(
        (node) => node.classList.contains('mat-focus-indicator') || node.classList.contains('mat-mdc-focus-indicator'),
      );
      for (const node of indicators) {
        const ring = getComputedStyle(node, '::before');
        if (ring.content !== 'none' && ring.display !== 'none' && ring.borderStyle !== 'none' && parseFloat(ring.borderWidth) >= 2)
          return { name, mark: 'indicator' };
      }
      if (el.closest('.mat-mdc-form-field.mat-focused')) return { name, mark: 'form-field' };
      return { name, mark: 'none' };
    })()`;
    const seen: { name: string; mark: string }[] = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate<{ name: string; mark: string }>(FOCUS_MARK));
    }
    expect(seen.filter((s) => s.name !== 'body').length).toBeGreaterThan(10);
    expect(seen.filter((s) => s.name !== 'body' && s.mark === 'none')).toEqual([]);
    await page.keyboard.press('Escape');
  });

  it('switches between the system theme, light and dark from the shell, and remembers the choice', async () => {
    const html = page.locator('html');
    const background = (): Promise<string> =>
      page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const isDark = async (): Promise<boolean> => {
      const [r, g, b] = ((await background()).match(/\d+/g) ?? []).map(Number);
      return r + g + b < 200;
    };
    const choose = async (name: 'System' | 'Light' | 'Dark'): Promise<void> => {
      await page.getByRole('button', { name: /^Theme: / }).click();
      await page.getByRole('menuitemradio', { name }).click();
      await hidden(page.getByRole('menu'));
    };

    await visible(page.getByRole('button', { name: 'Theme: System' }));
    expect(await isDark()).toBe(false);
    await page.getByRole('button', { name: 'Theme: System' }).click();
    await attribute(page.getByRole('menuitemradio', { name: 'System' }), 'aria-checked', 'true');
    await settled(page);
    await expectAccessible(page, 'theme menu', '.mat-mdc-menu-panel');
    await page.keyboard.press('Escape');

    await choose('Dark');
    await attribute(html, 'data-theme', 'dark');
    await eventually(async () => expect(await isDark()).toBe(true));
    await visible(page.getByRole('button', { name: 'Theme: Dark' }));
    await settled(page);
    await expectAccessible(page, 'users page, dark theme chosen in the menu');

    // Remembered in this browser.
    await page.reload();
    await visible(page.getByRole('heading', { level: 1, name: 'Users' }));
    await attribute(html, 'data-theme', 'dark');
    expect(await isDark()).toBe(true);

    await choose('Light');
    await attribute(html, 'data-theme', 'light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await eventually(async () => expect(await isDark()).toBe(false));

    // System follows the system's preference again.
    await choose('System');
    await attribute(html, 'data-theme', null);
    await eventually(async () => expect(await isDark()).toBe(true));
    await page.emulateMedia({ colorScheme: 'light' });
    await eventually(async () => expect(await isDark()).toBe(false));
    expect(await page.evaluate("localStorage.getItem('dashboard.theme')")).toBeNull();
  });

  it('passes the accessibility checks on every main page and dialog with the system in dark mode', async () => {
    const darkContext = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'en-US',
      colorScheme: 'dark',
    });
    try {
      const dark = await darkContext.newPage();
      dark.setDefaultTimeout(10_000);
      await dark.goto(`${t.baseUrl}/login`);
      await visible(dark.getByRole('heading', { name: 'Sign in' }));
      await settled(dark);
      await expectAccessible(dark, 'login page (dark)');
      await dark.getByLabel('Email').fill(ADMIN_EMAIL);
      await dark.getByLabel('Password').fill(ADMIN_PASSWORD);
      await dark.getByRole('button', { name: 'Sign in' }).click();
      await dark.waitForURL(`${t.baseUrl}/quick-support`);
      const pages: [string, string][] = [
        ['/quick-support', 'Quick-Support'],
        ['/remote-sessions', 'Remote Sessions'],
        ['/audit', 'Audit'],
        ['/admin/installers', 'Agent installers'],
        ['/admin/devices', 'Devices'],
        ['/admin/users', 'Users'],
      ];
      const nav = dark.getByRole('navigation', { name: 'Main' });
      for (const [path, heading] of pages) {
        await nav.getByRole('link', { name: heading }).click();
        await dark.waitForURL(`${t.baseUrl}${path}`);
        await visible(dark.getByRole('heading', { level: 1, name: heading }));
        await dark.mouse.move(0, 0);
        await settled(dark);
        await expectAccessible(dark, `${heading} page (dark)`);
      }
      await dark.getByRole('button', { name: 'Add technician' }).click();
      await visible(dark.getByRole('dialog', { name: 'Add technician' }));
      await settled(dark);
      await expectAccessible(dark, 'add-user dialog (dark)', 'mat-dialog-container');
      await dark.keyboard.press('Escape');
      await hidden(dark.getByRole('dialog'));

      await nav.getByRole('link', { name: 'Quick-Support' }).click();
      await visible(dark.getByRole('row').filter({ hasText: 'Front desk' }));
      await dark.mouse.move(0, 0);
      await settled(dark);
      await dark.screenshot({ path: join(SCREENSHOTS, 'dashboard-dark.png') });
    } finally {
      await darkContext.close();
    }
  });

  it('logs out back to the login page, and the dashboard then stays closed', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${t.baseUrl}/login`);
    await visible(page.getByRole('heading', { name: 'Sign in' }));
    await page.goto(`${t.baseUrl}/quick-support`);
    await page.waitForURL(/\/login\?returnUrl=%2Fquick-support$/);
    expect(pageErrors).toEqual([]);
  });
});
