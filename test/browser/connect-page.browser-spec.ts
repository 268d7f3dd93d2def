import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import {
  downloadInstaller,
  INSTALLER_FIXTURE_ENV,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
  USER_AGENTS,
} from '../support/quick-support-factories';
import { createTestApp, TestApp } from '../support/test-app';
import { expectAccessible } from './support/accessibility';
import { launchChromium, SCREENSHOTS } from './support/chromium';
import { attribute, text, visible } from './support/waits';

/**
 * The customer's connect page in Debian's Chromium against the real portal: it speaks the browser's
 * language (German from the context's locale), switches language by its links, follows the system's dark
 * mode, asks a phone to open the link on the computer, and tells each state apart. axe-core checks every
 * state, in light and dark, in more than one language. People are named by role.
 */
jest.setTimeout(240_000);

describe('connect page (Chromium, real portal)', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  /** A customer's browser: a desktop on Windows unless told otherwise. */
  async function customer(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({
      userAgent: USER_AGENTS.windows,
      viewport: { width: 1280, height: 1000 },
      locale: 'en-US',
      ...options,
    });
    contexts.push(context);
    // The browser's own favicon request reaches the dashboard's files, which this suite does not build.
    await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // The status poll's 404 once a session ends, and a closed link's own 404, are how the page learns.
      if (message.type() === 'error' && !/status of 404/.test(message.text()))
        pageErrors.push(message.text());
    });
    return page;
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    const seen = pageErrors.splice(0);
    expect(seen).toEqual([]);
  });

  it('speaks German to a German browser, and switches language with its links', async () => {
    const session = await makeSupportSession(await t.loginAs());
    const page = await customer({ locale: 'de-DE' });
    await page.goto(`${t.baseUrl}${session.path}`);
    await attribute(page.locator('html'), 'lang', 'de');
    await visible(page.getByRole('heading', { name: /Fernsupport — ein Techniker ist gleich für Sie da/ }));
    await text(page.locator('#status-word'), 'Wartet');
    const who = page.getByRole('region', { name: 'Wer sich mit Ihrem Computer verbindet' });
    await text(who, 'Administrator von KW Group verbindet sich, um Ihnen zu helfen.');
    await text(
      page.locator('#scam-warning'),
      'Fahren Sie nur fort, wenn Sie sich selbst an KW Group gewandt haben. KW Group ruft Sie niemals unaufgefordert an.',
    );
    await visible(page.getByRole('link', { name: 'kwgroup-quicksupport.exe herunterladen' }));
    await expectAccessible(page, 'connect page (German, waiting)');

    // The switch: plain links naming each language in itself.
    const languages = page.getByRole('navigation', { name: 'Sprache' });
    await attribute(languages.getByRole('link', { name: 'Deutsch' }), 'aria-current', 'true');
    await languages.getByRole('link', { name: 'Français' }).click();
    await attribute(page.locator('html'), 'lang', 'fr');
    await text(page.locator('#status-word'), 'En attente');
    await visible(page.getByRole('region', { name: 'Qui va se connecter à votre ordinateur' }));
    await expectAccessible(page, 'connect page (French, waiting)');

    // Choosing another OS keeps the language, in the address too.
    const systems = page.getByRole('group', { name: 'Système d’exploitation de votre ordinateur' });
    await systems.getByRole('link', { name: 'Linux' }).click();
    await attribute(systems.getByRole('link', { name: 'Linux' }), 'aria-current', 'true');
    await attribute(systems.getByRole('link', { name: 'Windows' }), 'aria-current', null);
    await visible(page.getByRole('link', { name: 'Télécharger kwgroup-quicksupport.sh' }));
    expect(new URL(page.url()).search).toBe('?os=linux&lang=fr');
    await page.getByRole('navigation', { name: 'Langue' }).getByRole('link', { name: 'English' }).click();
    await attribute(page.locator('html'), 'lang', 'en');
    await visible(page.getByRole('heading', { name: 'Who will connect to your computer' }));
  });

  it('shows visible focus rings to a keyboard user', async () => {
    const session = await makeSupportSession(await t.loginAs());
    const page = await customer();
    await page.goto(`${t.baseUrl}${session.path}`);
    await page.keyboard.press('Tab');
    const ring = await page.evaluate<{ style: string; width: string; name: string }>(`(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { style: style.outlineStyle, width: style.outlineWidth, name: el.textContent };
    })()`);
    expect(ring).toEqual({ style: 'solid', width: '3px', name: 'English' });
  });

  it('follows the system’s dark mode, readable in every state, and shows it in the docs', async () => {
    const session = await makeSupportSession(await t.loginAs());
    const page = await customer({ colorScheme: 'dark' });
    await page.goto(`${t.baseUrl}${session.path}`);
    await text(page.locator('#status-word'), 'Waiting');
    const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(15, 20, 26)');
    await expectAccessible(page, 'connect page (dark, waiting)');
    await page.screenshot({ path: join(SCREENSHOTS, 'connect-page-dark.png'), fullPage: true });
    const german = await customer({ colorScheme: 'dark', locale: 'de-DE' });
    await german.goto(`${t.baseUrl}${session.path}?error=too_long`);
    await visible(german.getByText('Eine Nachricht darf höchstens 1000 Zeichen lang sein.'));
    await expectAccessible(german, 'connect page (dark, German, with an error)');
    await german.goto(`${t.baseUrl}/support/connect/${'A'.repeat(43)}`);
    await visible(german.getByRole('heading', { name: 'Dieser Support-Link funktioniert nicht' }));
    await expectAccessible(german, 'invalid link (dark, German)');
  });

  it('asks a phone to open the link on the computer, and offers to e-mail it', async () => {
    const session = await makeSupportSession(await t.loginAs());
    for (const [locale, heading, mail] of [
      ['en-US', 'Open this link on the computer that needs help', 'E-mail this link to myself'],
      [
        'de-DE',
        'Öffnen Sie diesen Link auf dem Computer, der Hilfe braucht',
        'Diesen Link an mich selbst mailen',
      ],
      ['fr-FR', 'Ouvrez ce lien sur l’ordinateur qui a besoin d’aide', 'M’envoyer ce lien par e-mail'],
    ] as const) {
      const phone = await customer({
        userAgent: USER_AGENTS.iphone,
        viewport: { width: 390, height: 844 },
        locale,
        colorScheme: locale === 'de-DE' ? 'dark' : 'light',
      });
      await phone.goto(`${t.baseUrl}${session.path}`);
      await visible(phone.getByRole('heading', { name: heading }));
      const link = phone.getByRole('link', { name: mail });
      const href = (await link.getAttribute('href')) ?? '';
      expect(href.startsWith('mailto:?subject=')).toBe(true);
      expect(decodeURIComponent(href)).toContain(`${t.config.portalOrigin}${session.path}`);
      expect(await phone.getByRole('link', { name: /kwgroup-quicksupport/ }).count()).toBe(0);
      const widths = await phone.evaluate<number[]>(
        '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
      );
      expect(widths[0]).toBeLessThanOrEqual(widths[1]);
      await expectAccessible(phone, `phone page (${locale})`);
    }
  });

  it('tells the customer honestly when the computer is connected, and when the session ends', async () => {
    const tech = await t.loginAs();
    const session = await makeSupportSession(tech);
    const page = await customer({ locale: 'fr-FR' });
    await page.goto(`${t.baseUrl}${session.path}`);
    await text(page.locator('#status-word'), 'En attente');
    const { token } = await downloadInstaller(t, session.path, 'linux');
    await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { hostname: 'RECEPTION-PC' }))
      .expect(201);
    // The page follows within its 5-second poll, in its own language.
    await text(page.locator('#status-word'), 'Connecté');
    await text(page.locator('#headline'), 'votre ordinateur est connecté');
    await text(page.locator('#device-name'), 'RECEPTION-PC');
    await expectAccessible(page, 'connect page (French, connected)');

    await tech.post(`/api/quick-support/sessions/${session.id}/end`).expect(200);
    await text(page.locator('#status-word'), 'Terminé');
    await text(page.locator('#status-explain'), 'Cette session d’assistance est terminée');
    expect(await page.locator('#headline').innerText()).not.toContain('va vous aider');
    await expectAccessible(page, 'connect page (French, ended in place)');

    // Opened again, the link says it ended — not that a technician will assist shortly.
    await page.reload();
    await visible(page.getByRole('heading', { name: 'Cette session d’assistance est terminée' }));
    await text(page.locator('main'), 'demandez un nouveau lien');
    await expectAccessible(page, 'ended link (French)');
  });

  it('says an expired link expired and an unknown one does not work, each accessible', async () => {
    const expired = await makeSupportSession(await t.loginAs());
    const db = new Client({ connectionString: t.config.databaseUrl });
    await db.connect();
    try {
      await db.query(`UPDATE support_sessions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
        expired.id,
      ]);
    } finally {
      await db.end();
    }
    const page = await customer();
    await page.goto(`${t.baseUrl}${expired.path}`);
    await visible(page.getByRole('heading', { name: 'This support link has expired' }));
    await text(page.locator('main'), 'If you still need help, contact KW Group and ask for a new link.');
    await expectAccessible(page, 'expired link');
    await page.goto(`${t.baseUrl}/support/connect/not-a-real-link`);
    await visible(page.getByRole('heading', { name: 'This support link does not work' }));
    await expectAccessible(page, 'invalid link');
  });
});
