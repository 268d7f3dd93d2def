import { CHAT_LIMITS } from '../../../contracts/api/chat';
import { CONNECT_CATALOGUES } from '../../../contracts/i18n/connect';
import { LANGUAGE_NAMES, LANGUAGES } from '../../../contracts/i18n/language';
import { INSTALLER_OSES, InstallerOs } from '../../../contracts/installer-template';
import { installerFileName, quickRunCommand } from '../../installers/install-commands';
import { NOTE_MAX } from './connect-note';
import { CONNECT_PAGE_SCRIPT, connectPageCss } from './connect-page.assets';
import { ConnectText } from './connect-text';
import { markup, SafeHtml } from './html';
import { OS_LABELS } from './os-detection';

export interface Brand {
  name: string;
  primaryColor: string;
  accentColor: string;
  installerBaseName: string;
  /** The logo's address (BRAND_LOGO_URL or /api/branding/logo), shown in the header; none when absent. */
  logoUrl?: string | null;
}

export type PublicStatus = 'waiting' | 'active';
/** Why a link no longer opens the page: each has its own words and next step. */
export type ClosedLink = 'ended' | 'expired' | 'invalid';

/** What every page shares: the brand, the response's CSP nonce and the visitor's language. */
export interface PageFrame {
  brand: Brand;
  nonce: string;
  text: ConnectText;
  /** `lang=de` when the visitor chose the language (`?lang=`): carried in the page's own links. */
  langQuery: string;
}

export interface ConnectPageModel extends PageFrame {
  /** `/support/connect/<token>`: the page's own path, base of its links. */
  basePath: string;
  /** The page's absolute link (for the phone's "e-mail it to myself"). */
  pageUrl: string;
  status: PublicStatus;
  technicianName: string | null;
  deviceHostname: string | null;
  selectedOs: InstallerOs | null;
  /** A phone or tablet that chose no OS: it is asked to open the link on the computer instead. */
  phone: boolean;
  notes: { body: string }[];
  flash: { kind: 'ok' | 'error'; text: string } | null;
}

/** The status words the JSON poll reports (`statusText`, English: the page's script has its own). */
export const STATUS_WORDS: Readonly<Record<PublicStatus | 'ended', string>> = {
  waiting: CONNECT_CATALOGUES.en['status.waiting'],
  active: CONNECT_CATALOGUES.en['status.active'],
  ended: CONNECT_CATALOGUES.en['status.ended'],
};

/** `path?a=1&b=2`, leaving out empty parts. */
function withQuery(path: string, ...parts: string[]): string {
  const query = parts.filter((p) => p !== '').join('&');
  return query === '' ? path : `${path}?${query}`;
}

/** The language switch: plain links (`?lang=xx`), each language named in itself. */
function languageSwitch(f: PageFrame): SafeHtml {
  const links = LANGUAGES.map(
    (l) =>
      markup`<li><a href="?lang=${l}" hreflang="${l}" lang="${l}"${l === f.text.lang ? new SafeHtml(' aria-current="true"') : ''}>${LANGUAGE_NAMES[l]}</a></li>`,
  );
  return markup`<nav aria-label="${f.text.t('language.label')}"><ul>${links}</ul></nav>`;
}

function layout(f: PageFrame, headline: string, body: SafeHtml, script: SafeHtml | ''): string {
  const page = markup`<!doctype html>
<html lang="${f.text.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${f.text.t('page.title')}</title>
<style nonce="${f.nonce}">${new SafeHtml(connectPageCss(f.brand.primaryColor, f.brand.accentColor))}</style>
</head>
<body>
<header>${f.brand.logoUrl ? markup`<img src="${f.brand.logoUrl}" alt="${f.text.t('brand.logoAlt', { brand: f.brand.name })}" height="40">` : ''}<h1 id="headline">${headline}</h1>
${languageSwitch(f)}</header>
${body}
${script}
</body>
</html>
`;
  return page.value;
}

/** ` hidden` when the element should start hidden. */
function hiddenUnless(visible: boolean): SafeHtml | '' {
  return visible ? '' : new SafeHtml(' hidden');
}

/** ` aria-current="true"` on the chosen one of a set of links. */
function currentIf(chosen: boolean): SafeHtml | '' {
  return chosen ? new SafeHtml(' aria-current="true"') : '';
}

/**
 * The words the page's script needs (status, copy button, note replies), already in the page's
 * language, as JSON in the page's `data-words` attribute (escaped like any attribute value).
 */
function scriptWords(m: ConnectPageModel): string {
  const x = m.text;
  const words = {
    status: { waiting: x.t('status.waiting'), active: x.t('status.active'), ended: x.t('status.ended') },
    explain: {
      waiting: x.t('status.explain.waiting'),
      active: x.t('status.explain.active'),
      ended: x.t('status.explain.ended'),
    },
    headline: {
      waiting: x.t('headline.open'),
      active: x.t('headline.connected'),
      ended: x.t('headline.closed'),
    },
    copied: x.t('downloads.copied'),
    noteSent: x.t('notes.sent'),
    noteFailed: x.t('notes.failed'),
    noteOffline: x.t('notes.offline'),
    // The chat's refusals, chosen by status and code (the portal's `message` is English).
    noteEmpty: x.t('notes.empty'),
    noteTooLong: x.t('notes.tooLong', { max: CHAT_LIMITS.bodyMax }),
    noteInvalid: x.t('notes.invalid'),
    noteRate: x.t('notes.rate'),
    chatFull: x.t('chat.full'),
    maxLength: CHAT_LIMITS.bodyMax,
    you: x.t('chat.you'),
    technician: x.t('chat.technician'),
  };
  return JSON.stringify(words);
}

function statusSection(m: ConnectPageModel): SafeHtml {
  const x = m.text;
  return markup`<section aria-live="polite">
<div class="status"><span>${x.t('status.label')} <strong id="status-word">${x.t(`status.${m.status}`)}</strong></span>
<span id="technician"${hiddenUnless(m.technicianName !== null)}>${x.t('status.technician')} <strong id="technician-name">${m.technicianName ?? ''}</strong></span>
<span id="device"${hiddenUnless(m.deviceHostname !== null)}>${x.t('status.device')} <strong id="device-name">${m.deviceHostname ?? ''}</strong></span></div>
<p id="status-explain" class="muted">${x.t(`status.explain.${m.status}`)}</p>
</section>`;
}

/**
 * "Who will connect", shown before anything is downloaded: the technician's name (or "a technician"
 * when none is assigned yet) and the organisation, what the tool can do and that the customer is asked
 * first, and the anti-scam line. Names are untrusted text: `markup` escapes them. The page's script
 * swaps the two name spans when the status poll reports another technician.
 */
function whoWillConnect(m: ConnectPageModel): SafeHtml {
  const x = m.text;
  const named = m.technicianName !== null;
  const org = markup`<strong>${m.brand.name}</strong>`;
  const who = markup`<span id="who-named"${hiddenUnless(named)}>${x.html('who.named', {
    name: markup`<strong id="who-name">${m.technicianName ?? ''}</strong>`,
    org,
  })}</span><span id="who-anyone"${hiddenUnless(!named)}>${x.html('who.anyone', { org })}</span>`;
  const abilities = (['screen', 'control', 'terminal', 'commands', 'files'] as const).map(
    (a) => markup`<li>${x.t(`ability.${a}`)}</li>`,
  );
  return markup`<section id="who" class="who" aria-labelledby="who-heading">
<h2 id="who-heading">${x.t('who.heading')}</h2>
<p class="who-line">${x.html('who.connects', { who })}</p>
<p>${x.t('who.canDo')}</p>
<ul class="abilities">${abilities}</ul>
<p>${x.t('who.askFirst')}</p>
<p id="scam-warning" class="warning"><strong>${x.t('who.scam')}</strong></p>
</section>`;
}

function osLinks(m: ConnectPageModel): SafeHtml {
  const links = INSTALLER_OSES.map(
    (os) =>
      markup`<a href="${withQuery('', `os=${os}`, m.langQuery)}" data-os="${os}"${currentIf(m.selectedOs === os)}>${OS_LABELS[os]}</a>`,
  );
  return markup`<div class="os-buttons" role="group" aria-label="${m.text.t('downloads.osGroup')}">${links}</div>`;
}

function osPanel(m: ConnectPageModel, os: InstallerOs): SafeHtml {
  const x = m.text;
  const file = installerFileName(m.brand.installerBaseName, os);
  const command = quickRunCommand(m.brand.installerBaseName, os);
  return markup`<div data-os-panel="${os}"${hiddenUnless(m.selectedOs === os)}>
<ol>
<li><a class="download" href="${withQuery(`${m.basePath}/download/${os}`, m.langQuery)}" download="${file}">${x.t('downloads.link', { file })}</a></li>
<li>${x.t(`downloads.steps.${os}`)}
<div class="cmd"><code id="cmd-${os}">${command}</code><button type="button" data-copy="cmd-${os}" hidden>${x.t('downloads.copy')}</button></div>
</li>
</ol>
<p class="muted">${x.t('downloads.otherFolder')}</p>
</div>`;
}

function downloadsSection(m: ConnectPageModel): SafeHtml {
  const x = m.text;
  return markup`<section id="downloads"${hiddenUnless(m.status === 'waiting')}>
<h2>${x.t('downloads.heading')}</h2>
${osLinks(m)}
<p id="os-hint" class="muted"${hiddenUnless(m.selectedOs === null)}>${x.t('downloads.osHint')}</p>
${INSTALLER_OSES.map((os) => osPanel(m, os))}
</section>`;
}

/**
 * A phone or tablet (no installer exists for it): say plainly where the link must be opened, and offer
 * to e-mail it to themselves (a `mailto:` link: the visitor's own mail app, nothing sent by the portal).
 * The OS links stay for a computer the detection took for a phone.
 */
function phoneSection(m: ConnectPageModel): SafeHtml {
  const x = m.text;
  const subject = encodeURIComponent(x.t('phone.mailSubject'));
  const body = encodeURIComponent(x.t('phone.mailBody', { url: m.pageUrl }));
  return markup`<section id="phone" class="phone" aria-labelledby="phone-heading"${hiddenUnless(m.status === 'waiting')}>
<h2 id="phone-heading">${x.t('phone.heading')}</h2>
<p>${x.t('phone.explain')}</p>
<p>${x.t('phone.email')}</p>
<p><a class="email" href="mailto:?subject=${subject}&body=${body}">${x.t('phone.emailLink')}</a></p>
<p class="muted">${x.t('phone.computer')}</p>
${osLinks(m)}
</section>`;
}

function notesSection(m: ConnectPageModel): SafeHtml {
  const x = m.text;
  const flash = m.flash
    ? markup`<p id="note-flash" class="${m.flash.kind === 'ok' ? 'flash' : 'flash error'}">${m.flash.text}</p>`
    : markup`<p id="note-flash" class="flash" hidden></p>`;
  return markup`<section id="notes-section" aria-labelledby="chat-heading">
<h2 id="chat-heading">${x.t('notes.heading')}</h2>
<ol class="chat" id="chat-list" aria-live="polite" aria-label="${x.t('chat.list')}">${m.notes.map(
    (n) =>
      markup`<li class="from-customer"><span class="sender">${x.t('chat.you')}</span><span class="body">${n.body}</span></li>`,
  )}</ol>
<p id="chat-empty" class="muted"${hiddenUnless(m.notes.length === 0)}>${x.t('chat.empty')}</p>
${flash}
<form id="note-form" method="post" action="${withQuery(`${m.basePath}/note`, m.langQuery)}">
<label for="note">${x.t('notes.label')}</label>
<textarea id="note" name="note" maxlength="${NOTE_MAX}" required></textarea>
<p><button type="submit">${x.t('notes.send')}</button></p>
</form>
</section>`;
}

/**
 * The open link's page: one section per concern, in the order the customer needs them. A new section
 * (a chat box, say) slots into this list; its words join the catalogues in contracts/i18n/connect/.
 */
export function renderConnectPage(m: ConnectPageModel): string {
  const sections = [
    statusSection(m),
    whoWillConnect(m),
    m.phone ? phoneSection(m) : downloadsSection(m),
    notesSection(m),
  ];
  const body = markup`<main id="qs" data-status-url="${m.basePath}/status" data-chat-url="${m.basePath}/chat" data-lang-query="${m.langQuery}" data-words="${scriptWords(m)}">
${sections.map((s) => markup`${s}\n`)}</main>`;
  const headline = m.text.t(m.status === 'active' ? 'headline.connected' : 'headline.open');
  const script = markup`<script nonce="${m.nonce}">${new SafeHtml(CONNECT_PAGE_SCRIPT)}</script>`;
  return layout(m, headline, body, script);
}

/**
 * A link that no longer opens the page, in honest words per reason: the session ended, the link
 * expired, or no such link (unknown or malformed: the same page whatever the text, so it tells a
 * guesser nothing). Each says what to do next.
 */
export function renderClosedPage(f: PageFrame, reason: ClosedLink): string {
  const x = f.text;
  const body = markup`<main><section aria-labelledby="closed-heading">
<h2 id="closed-heading">${x.t(`${reason}.heading`)}</h2>
<p>${x.t(`${reason}.text`)}</p>
<p>${x.t('closed.next')}</p>
</section></main>`;
  return layout(f, x.t('headline.closed'), body, '');
}

export function renderRateLimitedPage(f: PageFrame, retryAfterSec: string): string {
  const x = f.text;
  const body = markup`<main><section aria-labelledby="rate-heading">
<h2 id="rate-heading">${x.t('rate.heading')}</h2>
<p>${x.t('rate.text', { seconds: retryAfterSec })}</p>
</section></main>`;
  return layout(f, x.t('headline.closed'), body, '');
}
