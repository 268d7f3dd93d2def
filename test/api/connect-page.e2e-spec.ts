import { Client } from 'pg';
import { INSTALLER_OSES } from '../../contracts/installer-template';
import { quickRunCommand } from '../../src/installers/install-commands';
import { QuickSupportService } from '../../src/quick-support/quick-support.service';
import { UsersService } from '../../src/users/users.service';
import { MAX_NOTES_PER_SESSION } from '../../src/quick-support/support-notes.service';
import {
  downloadInstaller,
  INSTALLER_FIXTURE_ENV,
  makeSupportSession,
  registerBody,
  RELAXED_LIMITS_ENV,
  USER_AGENTS,
} from '../support/quick-support-factories';
import { ADMIN_EMAIL, createTestApp, TestApp } from '../support/test-app';

const BRAND_ENV = {
  BRAND_NAME: 'Acme & Söhne',
  BRAND_PRIMARY_COLOR: '#123456',
  BRAND_ACCENT_COLOR: '#abcdef',
  INSTALLER_BASE_NAME: 'acme-support',
};

function decodeHtml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&');
}

/** The page with its per-response nonce blanked, so two responses can be compared byte for byte. */
function withoutNonce(html: string): string {
  return html.replace(/nonce="[^"]+"/g, 'nonce="N"');
}

function panelVisible(html: string, os: string): boolean {
  return new RegExp(`<div data-os-panel="${os}">`).test(html);
}

describe('public connect page (real portal, real PostgreSQL)', () => {
  let t: TestApp;
  let db: Client;
  beforeAll(async () => {
    t = await createTestApp({ ...INSTALLER_FIXTURE_ENV, ...RELAXED_LIMITS_ENV, ...BRAND_ENV });
    db = new Client({ connectionString: t.config.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('serves the branded page with the fixed copy, brand colours as CSS variables and strict headers', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const res = await t.http().get(s.path).set('User-Agent', USER_AGENTS.linux).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain(
      '<h1 id="headline">Acme &amp; Söhne remote support — a technician will assist you shortly</h1>',
    );
    expect(res.text).toContain('--brand-primary: #123456; --brand-accent: #abcdef;');
    const csp = res.headers['content-security-policy'];
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain(`style-src 'nonce-${nonce}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.text).toContain(`<script nonce="${nonce}">`);
    expect(res.text).toContain(`<style nonce="${nonce}">`);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    // A new nonce per response.
    const again = await t.http().get(s.path).expect(200);
    expect(again.headers['content-security-policy']).not.toBe(csp);
  });

  it('says who will connect, what they can do and that the customer is asked first, before the download', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const res = await t.http().get(s.path).set('User-Agent', USER_AGENTS.linux).expect(200);
    const who = /<section id="who"[^>]*>([\s\S]*?)<\/section>/.exec(res.text)?.[1] ?? '';
    // Before the download section in the page's order, and not hidden.
    expect(res.text.indexOf('<section id="who"')).toBeLessThan(res.text.indexOf('<section id="downloads"'));
    expect(res.text).toMatch(/<section id="who" class="who"[^>]*>/);
    expect(who).toContain(
      '<span id="who-named"><strong id="who-name">Administrator</strong> from <strong>Acme &amp; Söhne</strong></span>',
    );
    expect(who).toContain('<span id="who-anyone" hidden>');
    for (const ability of [
      'see your screen',
      'control your mouse and keyboard',
      'open a terminal',
      'run commands on your computer',
      'see your files and copy files to and from your computer',
    ])
      expect(who).toContain(ability);
    expect(who).toContain('Your computer will ask you first');
    expect(who).toContain('You can stop it at any time.');
    expect(who).toContain(
      'Only continue if you contacted Acme &amp; Söhne yourself. Acme &amp; Söhne will never call you out of the blue.',
    );
  });

  it('says "a technician from" the organisation when no technician is assigned', async () => {
    const s = await makeSupportSession(await t.loginAs());
    await db.query(`UPDATE support_sessions SET assigned_to = NULL, created_by = NULL WHERE id = $1`, [s.id]);
    const res = await t.http().get(s.path).expect(200);
    expect(res.text).toContain('<span id="who-named" hidden><strong id="who-name"></strong>');
    expect(res.text).toContain(
      '<span id="who-anyone">A technician from <strong>Acme &amp; Söhne</strong></span> will connect to help you.',
    );
    expect(res.text).toContain('Only continue if you contacted Acme &amp; Söhne yourself.');
    expect((await t.http().get(`${s.path}/status`).expect(200)).body.technician).toBeNull();
  });

  it('loads nothing from anywhere else (no external URLs, no src attributes, no link tags)', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const res = await t.http().get(s.path).expect(200);
    expect(res.text).not.toMatch(/https?:\/\//);
    expect(res.text).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(res.text).not.toMatch(/<script[^>]+src=/i);
    expect(res.text).not.toMatch(/@import|url\(/);
  });

  it('preselects the visitor’s OS from the User-Agent, lets Client Hints and ?os= override it', async () => {
    const s = await makeSupportSession(await t.loginAs());
    for (const os of INSTALLER_OSES) {
      const res = await t.http().get(s.path).set('User-Agent', USER_AGENTS[os]).expect(200);
      expect(panelVisible(res.text, os)).toBe(true);
      expect(INSTALLER_OSES.filter((o) => panelVisible(res.text, o))).toEqual([os]);
      expect(res.text).toContain(`data-os="${os}" aria-current="true"`);
      expect(res.text).not.toContain('aria-pressed');
      expect(res.headers['accept-ch']).toContain('Sec-CH-UA-Platform');
    }
    const hinted = await t
      .http()
      .get(s.path)
      .set('User-Agent', USER_AGENTS.linux)
      .set('Sec-CH-UA-Platform', '"Windows"')
      .expect(200);
    expect(panelVisible(hinted.text, 'windows')).toBe(true);
    const chosen = await t
      .http()
      .get(`${s.path}?os=macos`)
      .set('User-Agent', USER_AGENTS.windows)
      .expect(200);
    expect(panelVisible(chosen.text, 'macos')).toBe(true);
    expect(panelVisible(chosen.text, 'windows')).toBe(false);
    const phone = await t.http().get(s.path).set('User-Agent', USER_AGENTS.iphone).expect(200);
    expect(INSTALLER_OSES.filter((o) => panelVisible(phone.text, o))).toEqual([]);
    expect(phone.text).toContain(
      '<h2 id="phone-heading">Open this link on the computer that needs help</h2>',
    );
    // OS buttons work without JavaScript: they are links to ?os=…
    for (const os of INSTALLER_OSES) expect(phone.text).toContain(`<a href="?os=${os}" data-os="${os}"`);
  });

  it('shows per OS a download link and a command that names exactly the file the download serves', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const page = await t.http().get(s.path).expect(200);
    for (const os of INSTALLER_OSES) {
      const command = decodeHtml(
        new RegExp(`<code id="cmd-${os}">([^<]*)</code>`).exec(page.text)?.[1] ?? '',
      );
      expect(command).toBe(quickRunCommand('acme-support', os));
      expect(page.text).toContain(`href="${s.path}/download/${os}"`);
      const dl = await t
        .http()
        .get(`${s.path}/download/${os}`)
        .set('User-Agent', USER_AGENTS[os])
        .responseType('blob')
        .expect(200);
      const served = /attachment; filename="([^"]+)"/.exec(dl.headers['content-disposition'])?.[1];
      expect(served).toBe(
        { windows: 'acme-support.exe', macos: 'acme-support.dmg', linux: 'acme-support.sh' }[os],
      );
      expect(command).toContain(served);
      expect(page.text).toContain(`data-copy="cmd-${os}" hidden>Copy</button>`);
    }
  });

  it('tells an ended, an expired and an unknown link apart in honest words; statuses and notes stay alike', async () => {
    const tech = await t.loginAs();
    const expired = await makeSupportSession(tech);
    await db.query(`UPDATE support_sessions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      expired.id,
    ]);
    const ended = await makeSupportSession(tech);
    await tech.post(`/api/quick-support/sessions/${ended.id}/end`).expect(200);
    const unknown = `/support/connect/${'A'.repeat(43)}`;
    const invalid = [unknown, '/support/connect/short', `/support/connect/${'%3Cscript%3E'.repeat(4)}`];
    const paths = [...invalid, expired.path, ended.path];
    const pages = await Promise.all(paths.map((p) => t.http().get(p)));
    for (const p of pages) {
      expect(p.status).toBe(404);
      expect(p.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(p.headers['cache-control']).toBe('no-store');
      // Nobody is promised help that is not coming, and no closed page runs a script.
      expect(p.text).not.toContain('will assist you shortly');
      expect(p.text).not.toMatch(/<script/);
      expect(p.text).toContain('<h1 id="headline">Acme &amp; Söhne remote support</h1>');
      expect(p.text).toContain('If you still need help, contact Acme &amp; Söhne and ask for a new link.');
    }
    // Unknown and malformed links look the same whatever the text: they tell a guesser nothing.
    for (const p of pages.slice(0, invalid.length)) {
      expect(withoutNonce(p.text)).toBe(withoutNonce(pages[0].text));
      expect(p.text).toContain('This support link does not work');
      expect(p.text).toContain('check that you opened the whole link');
    }
    const [expiredPage, endedPage] = pages.slice(invalid.length);
    expect(expiredPage.text).toContain('This support link has expired');
    expect(expiredPage.text).toContain('Support links only work for a limited time');
    expect(endedPage.text).toContain('This support session has ended');
    expect(endedPage.text).toContain('Your technician has closed this session.');
    // An expired session the expiry job has already ended still reads as expired.
    await db.query(
      `UPDATE support_sessions SET status = 'ended', end_reason = 'expired', ended_at = now() WHERE id = $1`,
      [expired.id],
    );
    expect((await t.http().get(expired.path).expect(404)).text).toContain('This support link has expired');
    // The same reasons in German, from the browser's language.
    const german = await t.http().get(ended.path).set('Accept-Language', 'de-DE,de;q=0.9').expect(404);
    expect(german.text).toContain('<html lang="de">');
    expect(german.text).toContain('Diese Support-Sitzung ist beendet');
    const statuses = await Promise.all(paths.map((p) => t.http().get(`${p}/status`)));
    for (const st of statuses) {
      expect(st.status).toBe(404);
      expect(st.body).toEqual(statuses[0].body);
    }
    const notes = await Promise.all(paths.map((p) => t.browser().post(`${p}/note`).send({ note: 'hi' })));
    for (const n of notes) {
      expect(n.status).toBe(404);
      expect(n.body).toEqual(notes[0].body);
    }
  });

  it('reports Waiting → Connected → Ended to the page’s status poll', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    const waiting = await t.http().get(`${s.path}/status`).expect(200);
    expect(waiting.body).toEqual({
      status: 'waiting',
      statusText: 'Waiting',
      technician: 'Administrator',
      device: null,
    });
    expect(waiting.headers['cache-control']).toBe('no-store');
    const { token } = await downloadInstaller(t, s.path, 'linux');
    await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { hostname: 'FRONT-DESK' }))
      .expect(201);
    const active = await t.http().get(`${s.path}/status`).expect(200);
    expect(active.body).toEqual({
      status: 'active',
      statusText: 'Connected',
      technician: 'Administrator',
      device: 'FRONT-DESK',
    });
    const page = await t.http().get(s.path).expect(200);
    expect(page.text).toContain('<strong id="status-word">Connected</strong>');
    expect(page.text).toContain('<section id="downloads" hidden>');
    await tech.post(`/api/quick-support/sessions/${s.id}/end`).expect(200);
    await t.http().get(`${s.path}/status`).expect(404);
    // The page script maps that 404 to the word "Ended", from the words the page hands it.
    expect(page.text).toContain('&quot;ended&quot;:&quot;Ended&quot;');
  });

  it('escapes every customer- and agent-supplied string it shows', async () => {
    const admin = await t.loginAs();
    await admin
      .post('/api/users')
      .send({
        email: 'xss-tech@example.test',
        displayName: '<img src=x onerror=alert(1)>',
        role: 'technician',
        password: 'xss-tech-pass-123',
      })
      .expect(201);
    const tech = await t.loginAs('xss-tech@example.test', 'xss-tech-pass-123');
    const s = await makeSupportSession(tech, {
      customerName: '<b>secret customer</b>',
      note: 'internal <i>note</i>',
    });
    await t
      .browser()
      .post(`${s.path}/note`)
      .send({ note: '</li><script>alert("note")</script>' })
      .expect(201);
    const { token } = await downloadInstaller(t, s.path, 'linux');
    await t
      .http()
      .post('/api/agent/register')
      .send(registerBody(token, { hostname: '"><svg onload=alert(2)>' }))
      .expect(201);
    const page = await t
      .http()
      .get(`${s.path}?error=%3Cscript%3Ealert(3)%3C/script%3E&os=%22%3E%3Cx`)
      .expect(200);
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The hostile name is the technician's name in "Who will connect", as text.
    expect(page.text).toContain(
      '<strong id="who-name">&lt;img src=x onerror=alert(1)&gt;</strong> from <strong>Acme &amp; Söhne</strong>',
    );
    expect(page.text).toContain('&quot;&gt;&lt;svg onload=alert(2)&gt;');
    expect(page.text).toContain('&lt;/li&gt;&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;');
    expect(page.text).not.toMatch(/<img|<svg|alert\(3\)|<script>alert/);
    // The technician's own fields never reach the public page.
    expect(page.text).not.toContain('secret customer');
    expect(page.text).not.toContain('internal');
    // Exactly one script element: the page's own.
    expect(page.text.match(/<script/g)).toHaveLength(1);
  });

  it('speaks German to Accept-Language: de, with lang="de", German copy and the same CSP', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const english = await t.http().get(s.path).set('User-Agent', USER_AGENTS.windows).expect(200);
    const res = await t
      .http()
      .get(s.path)
      .set('User-Agent', USER_AGENTS.windows)
      .set('Accept-Language', 'fr;q=0.4, de-AT, en;q=0.8')
      .expect(200);
    expect(res.text).toContain('<html lang="de">');
    expect(res.text).toContain(
      '<h1 id="headline">Acme &amp; Söhne Fernsupport — ein Techniker ist gleich für Sie da</h1>',
    );
    expect(res.text).toContain('<strong id="status-word">Wartet</strong>');
    expect(res.text).toContain(
      '<span id="who-named"><strong id="who-name">Administrator</strong> von <strong>Acme &amp; Söhne</strong></span><span id="who-anyone" hidden>Ein Techniker von <strong>Acme &amp; Söhne</strong></span> verbindet sich, um Ihnen zu helfen.',
    );
    expect(res.text).toContain(
      'Fahren Sie nur fort, wenn Sie sich selbst an Acme &amp; Söhne gewandt haben. Acme &amp; Söhne ruft Sie niemals unaufgefordert an.',
    );
    expect(res.text).toContain('>acme-support.exe herunterladen</a>');
    expect(res.text).toContain('&quot;active&quot;:&quot;Verbunden&quot;');
    expect(res.headers.vary).toContain('Accept-Language');
    // Links stay plain (the language follows the browser's header), and nothing else changes.
    expect(res.text).toContain(`href="${s.path}/download/windows"`);
    expect(res.text).toContain('<a href="?os=windows" data-os="windows" aria-current="true">Windows</a>');
    const policy = (r: typeof res): string =>
      String(r.headers['content-security-policy']).replace(/'nonce-[^']+'/g, "'nonce-N'");
    expect(policy(res)).toBe(policy(english));
    expect(policy(res)).toBe(
      "default-src 'none'; script-src 'nonce-N'; style-src 'nonce-N'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    expect(res.text.match(/<script/g)).toHaveLength(1);
  });

  it('hands the page script the chat’s refusals in the customer’s language, and the codes it picks them by', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const wordsOf = async (lang: string): Promise<Record<string, unknown>> => {
      const page = await t.http().get(s.path).set('Accept-Language', lang).expect(200);
      const attr = /data-words="([^"]*)"/.exec(page.text);
      return JSON.parse(decodeHtml(attr?.[1] ?? '')) as Record<string, unknown>;
    };
    const german = await wordsOf('de');
    expect(german).toMatchObject({
      noteEmpty: 'Schreiben Sie zuerst eine Nachricht.',
      noteTooLong: 'Eine Nachricht darf höchstens 1000 Zeichen lang sein.',
      noteInvalid: 'Die Nachricht konnte nicht gelesen werden. Bitte tippen Sie sie noch einmal.',
      noteRate: 'Sie haben in kurzer Zeit viele Nachrichten gesendet. Bitte warten Sie ein paar Minuten.',
      chatFull: expect.stringContaining(
        'In dieser Sitzung können keine weiteren Nachrichten gesendet werden',
      ),
      maxLength: 1000,
    });
    const french = await wordsOf('fr');
    expect(french.chatFull).toEqual(expect.stringContaining('Aucun autre message ne peut être envoyé'));
    expect(french.noteTooLong).toBe('Un message peut contenir au plus 1000 caractères.');
    // The script branches on status and code, never on the portal's (English) message: a message of
    // only invisible characters is a 400 validation_failed, one over the bound too.
    const invisible = await t.browser().post(`${s.path}/chat`).send({ body: '\u200b\u200b' }).expect(400);
    expect(invisible.body.code).toBe('validation_failed');
    const long = await t
      .browser()
      .post(`${s.path}/chat`)
      .send({ body: 'x'.repeat(1001) })
      .expect(400);
    expect(long.body.code).toBe('validation_failed');
    // No English refusal reaches the German page's words.
    expect(JSON.stringify(german)).not.toMatch(/Write a message|at most|many messages|could not be/);
  });

  it('switches language with ?lang= links that the page keeps in its own links; an unknown code is ignored', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const res = await t
      .http()
      .get(`${s.path}?lang=fr`)
      .set('User-Agent', USER_AGENTS.macos)
      .set('Accept-Language', 'de')
      .expect(200);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('<strong id="status-word">En attente</strong>');
    expect(res.text).toContain(
      'Ne continuez que si c’est vous qui avez contacté Acme &amp; Söhne. Acme &amp; Söhne ne vous appellera jamais sans que vous l’ayez demandé.',
    );
    // The switch: each language named in itself, the current one marked.
    const nav = /<nav aria-label="Langue">([\s\S]*?)<\/nav>/.exec(res.text)?.[1] ?? '';
    expect(nav).toContain('<a href="?lang=en" hreflang="en" lang="en">English</a>');
    expect(nav).toContain('<a href="?lang=de" hreflang="de" lang="de">Deutsch</a>');
    expect(nav).toContain('<a href="?lang=fr" hreflang="fr" lang="fr" aria-current="true">Français</a>');
    // The choice travels with the page's own links, the download and the note form.
    expect(res.text).toContain('<a href="?os=linux&amp;lang=fr" data-os="linux">Linux</a>');
    expect(res.text).toContain(`href="${s.path}/download/macos?lang=fr"`);
    expect(res.text).toContain(`action="${s.path}/note?lang=fr"`);
    expect(res.text).toContain('data-lang-query="lang=fr"');
    const form = await t
      .browser()
      .set('Sec-Fetch-Site', 'same-origin')
      .post(`${s.path}/note?lang=fr`)
      .type('form')
      .send({ note: '   ' })
      .expect(303);
    expect(form.headers.location).toBe(`${s.path}?error=empty&lang=fr`);
    const flashed = await t.http().get(form.headers.location).expect(200);
    expect(flashed.text).toContain('Écrivez un message avant de l’envoyer.');
    const json = await t.browser().post(`${s.path}/note`).set('Accept-Language', 'de').send({ note: ' ' });
    expect(json.status).toBe(400);
    expect(json.body.message).toBe('Schreiben Sie zuerst eine Nachricht.');
    for (const bad of ['xx', 'DE', '%3Cscript%3E', 'de&lang=fr']) {
      const page = await t.http().get(`${s.path}?lang=${bad}`).set('Accept-Language', 'de').expect(200);
      expect(page.text).toContain('<html lang="de">');
      expect(page.text).toContain('data-lang-query=""');
    }
  });

  it('passes the customer’s language into the install script, only as a known code', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const script = async (query: string, acceptLanguage?: string): Promise<string> => {
      const req = t.http().get(`${s.path}/download/linux${query}`).set('User-Agent', USER_AGENTS.linux);
      if (acceptLanguage) void req.set('Accept-Language', acceptLanguage);
      const res = await req.responseType('blob').expect(200);
      return (res.body as Buffer).toString('utf8');
    };
    expect(await script('?lang=fr', 'de')).toContain("LANGUAGE='fr'");
    expect(await script('', 'de-CH, en;q=0.5')).toContain("LANGUAGE='de'");
    expect(await script('')).toContain("LANGUAGE='en'");
    const hostile = await script(`?lang=${encodeURIComponent("fr'; rm -rf ~; '")}`);
    expect(hostile).toContain("LANGUAGE='en'");
    expect(hostile).not.toContain('rm -rf');
  });

  it('asks a phone to open the link on the computer, with a mailto link to send it to themselves', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const phone = await t.http().get(s.path).set('User-Agent', USER_AGENTS.iphone).expect(200);
    expect(phone.text).toContain('<section id="phone" class="phone" aria-labelledby="phone-heading">');
    expect(phone.text).toContain(
      '<h2 id="phone-heading">Open this link on the computer that needs help</h2>',
    );
    expect(phone.text).not.toContain('<section id="downloads"');
    const mailto = decodeHtml(/href="(mailto:[^"]+)"/.exec(phone.text)?.[1] ?? '');
    const url = new URL(mailto);
    expect(url.searchParams.get('subject')).toBe('Link for Acme & Söhne remote support');
    expect(url.searchParams.get('body')).toBe(
      `Open this link on the computer that needs help: ${t.config.portalOrigin}${s.path}`,
    );
    expect(url.pathname).toBe('');
    // Who will connect and the anti-scam line stay, and so does the note box.
    expect(phone.text).toContain('<section id="who"');
    expect(phone.text).toContain('id="scam-warning"');
    expect(phone.text).toContain('<form id="note-form"');
    // An Android phone by its client hints; in German.
    const android = await t
      .http()
      .get(s.path)
      .set('Sec-CH-UA-Platform', '"Android"')
      .set('Sec-CH-UA-Mobile', '?1')
      .set('Accept-Language', 'de')
      .expect(200);
    expect(android.text).toContain('Öffnen Sie diesen Link auf dem Computer, der Hilfe braucht');
    expect(android.text).toContain('Diesen Link an mich selbst mailen');
    // A desktop gets the normal page; a phone that chose an OS gets that OS's download.
    for (const ua of [USER_AGENTS.windows, USER_AGENTS.macos, USER_AGENTS.linux]) {
      const desktop = await t.http().get(s.path).set('User-Agent', ua).expect(200);
      expect(desktop.text).not.toContain('id="phone"');
      expect(desktop.text).not.toContain('mailto:');
    }
    const chosen = await t
      .http()
      .get(`${s.path}?os=windows`)
      .set('User-Agent', USER_AGENTS.iphone)
      .expect(200);
    expect(chosen.text).not.toContain('id="phone"');
    expect(panelVisible(chosen.text, 'windows')).toBe(true);
  });

  it('takes a note from a plain HTML form (no JavaScript): 303 back to the page, which shows it', async () => {
    const tech = await t.loginAs();
    const s = await makeSupportSession(tech);
    const browser = t.browser().set('Sec-Fetch-Site', 'same-origin');
    const res = await browser
      .post(`${s.path}/note`)
      .type('form')
      .send({ note: 'Line one\r\nLine <two>' })
      .expect(303);
    expect(res.headers.location).toBe(`${s.path}?sent=1`);
    const page = await t.http().get(res.headers.location).expect(200);
    expect(page.text).toContain('Your message was sent to the technician.');
    // The note is the chat's first message, escaped where the page renders it.
    expect(page.text).toContain('<span class="body">Line one\nLine &lt;two&gt;</span>');
    const form = /<form id="note-form" method="post" action="([^"]+)">/.exec(page.text);
    expect(form?.[1]).toBe(`${s.path}/note`);
    const session = await tech.get(`/api/quick-support/sessions/${s.id}`).expect(200);
    expect(session.body.notes.map((n: { body: string }) => n.body)).toEqual(['Line one\nLine <two>']);

    const empty = await browser.post(`${s.path}/note`).type('form').send({ note: '   ' }).expect(303);
    expect(empty.headers.location).toBe(`${s.path}?error=empty`);
    const long = await browser
      .post(`${s.path}/note`)
      .type('form')
      .send({ note: 'x'.repeat(1001) })
      .expect(303);
    expect(long.headers.location).toBe(`${s.path}?error=too_long`);
    expect((await t.http().get(long.headers.location)).text).toContain('at most 1000 characters');
  });

  it('checks notes sent as JSON and refuses cross-site posts', async () => {
    const s = await makeSupportSession(await t.loginAs());
    const ok = await t.browser().post(`${s.path}/note`).send({ note: '  spaced  ' }).expect(201);
    expect(ok.body).toMatchObject({ body: 'spaced' });
    expect((await t.browser().post(`${s.path}/note`).send({ note: '' })).status).toBe(400);
    expect(
      (
        await t
          .browser()
          .post(`${s.path}/note`)
          .send({ note: 'x'.repeat(1001) })
      ).status,
    ).toBe(400);
    expect((await t.browser().post(`${s.path}/note`).send({ note: 'nul\u0000byte' })).status).toBe(400);
    expect((await t.browser().post(`${s.path}/note`).send({ note: 'a', extra: 1 })).status).toBe(400);
    expect(
      (
        await t
          .browser()
          .post(`${s.path}/note`)
          .send({ note: ['a'] })
      ).status,
    ).toBe(400);
    const cross = await t
      .http()
      .post(`${s.path}/note`)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ note: 'forged' });
    expect(cross.status).toBe(403);
  });

  it('limits notes per session (429 for JSON, a message for the form)', async () => {
    const s = await makeSupportSession(await t.loginAs());
    let last = 0;
    for (let i = 0; i < 10; i++)
      last = (
        await t
          .browser()
          .post(`${s.path}/note`)
          .send({ note: `n${i}` })
      ).status;
    expect(last).toBe(201);
    const limited = await t.browser().post(`${s.path}/note`).send({ note: 'one too many' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const form = await t
      .browser()
      .set('Sec-Fetch-Site', 'same-origin')
      .post(`${s.path}/note`)
      .type('form')
      .send({ note: 'x' })
      .expect(303);
    expect(form.headers.location).toBe(`${s.path}?error=rate`);
    expect(MAX_NOTES_PER_SESSION).toBeGreaterThanOrEqual(10);
  });

  it('never lets the dashboard’s fallback answer /support paths, and keeps them out of /api', async () => {
    const s = await makeSupportSession(await t.loginAs());
    for (const p of ['/support', '/support/', '/support/connect', '/support/anything/else']) {
      const res = await t.http().get(p);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('<app-root');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    }
    await t.http().get(`/api${s.path}`).expect(404);
  });
});

describe('public connect page over https and behind limits', () => {
  it('sends HSTS when the portal is served over https', async () => {
    const t = await createTestApp({
      ...INSTALLER_FIXTURE_ENV,
      ...RELAXED_LIMITS_ENV,
      PORTAL_ORIGIN: 'https://portal.example.test',
    });
    try {
      // The session cookie is Secure on an https portal, so create the session through the service.
      const admin = (await t.app.get(UsersService).findByEmail(ADMIN_EMAIL))!;
      const created = await t.app
        .get(QuickSupportService)
        .create({ id: admin.id, email: admin.email, displayName: admin.displayName, role: 'admin' }, {});
      expect(created.url!.startsWith('https://portal.example.test/support/connect/')).toBe(true);
      const res = await t.http().get(new URL(created.url!).pathname).expect(200);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await t.close();
    }
  });

  it('rate-limits per address (429 page with Retry-After) and stops guessers after a few misses', async () => {
    const t = await createTestApp({
      ...INSTALLER_FIXTURE_ENV,
      TRUST_PROXY: '1',
      QS_PUBLIC_RATE_PER_IP: '5',
      QS_PUBLIC_MISSES_PER_IP: '3',
    });
    try {
      const s = await makeSupportSession(await t.loginAs());
      const from = (ip: string) => ({ 'X-Forwarded-For': ip });
      const codes: number[] = [];
      for (let i = 0; i < 6; i++) codes.push((await t.http().get(s.path).set(from('127.0.0.11'))).status);
      expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
      const limited = await t.http().get(s.path).set(from('127.0.0.11'));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.text).toContain('too many requests');
      expect((await t.http().get(`${s.path}/status`).set(from('127.0.0.11'))).body.code).toBe('rate_limited');
      // Another address is unaffected.
      await t.http().get(s.path).set(from('127.0.0.12')).expect(200);

      // Three unknown tokens from one address: then even a valid link answers 429 from there.
      for (let i = 0; i < 3; i++)
        await t
          .http()
          .get(`/support/connect/${String(i).repeat(43)}`)
          .set(from('127.0.0.13'))
          .expect(404);
      await t.http().get(s.path).set(from('127.0.0.13')).expect(429);
      await t.http().get(`${s.path}/status`).set(from('127.0.0.13')).expect(429);
      await t.http().get(`${s.path}/download/linux`).set(from('127.0.0.13')).expect(429);
      await t
        .http()
        .post('/api/agent/register')
        .set(from('127.0.0.13'))
        .send(registerBody('x'.repeat(43)))
        .expect(429);
    } finally {
      await t.close();
    }
  });

  it('rate-limits the addresses of one network together (per /24 budget), not everyone', async () => {
    const t = await createTestApp({
      ...INSTALLER_FIXTURE_ENV,
      TRUST_PROXY: '1',
      QS_PUBLIC_RATE_PER_IP: '1000',
      QS_PUBLIC_RATE_PER_NETWORK: '10',
    });
    try {
      const s = await makeSupportSession(await t.loginAs());
      const codes: number[] = [];
      for (let i = 0; i < 11; i++)
        codes.push(
          (
            await t
              .http()
              .get(`${s.path}/status`)
              .set('X-Forwarded-For', `127.0.1.${i + 1}`)
          ).status,
        );
      expect(codes.slice(0, 10).every((c) => c === 200)).toBe(true);
      expect(codes[10]).toBe(429);
      await t.http().get(`${s.path}/status`).set('X-Forwarded-For', '127.0.2.1').expect(200);
    } finally {
      await t.close();
    }
  });
});
