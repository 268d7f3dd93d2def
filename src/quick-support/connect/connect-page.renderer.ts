import { INSTALLER_OSES, InstallerOs } from '../../../contracts/installer-template';
import { installerFileName, QUICK_RUN_STEPS, quickRunCommand } from '../../installers/install-commands';
import { CONNECT_PAGE_SCRIPT, connectPageCss } from './connect-page.assets';
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

export interface ConnectPageModel {
  brand: Brand;
  nonce: string;
  /** `/support/connect/<token>`: the page's own path, base of its links. */
  basePath: string;
  status: PublicStatus;
  technicianName: string | null;
  deviceHostname: string | null;
  selectedOs: InstallerOs | null;
  notes: { body: string }[];
  flash: { kind: 'ok' | 'error'; text: string } | null;
}

export const STATUS_WORDS: Readonly<Record<PublicStatus | 'ended', string>> = {
  waiting: 'Waiting',
  active: 'Connected',
  ended: 'Ended',
};
const STATUS_EXPLAIN: Readonly<Record<PublicStatus, string>> = {
  waiting: 'Download and run the support tool below. This page updates by itself.',
  active: 'Your computer is connected. Your technician can now help you.',
};

/** The fixed heading copy. */
export function headline(brandName: string): string {
  return `${brandName} remote support — a technician will assist you shortly`;
}

function layout(brand: Brand, nonce: string, body: SafeHtml, script: boolean): string {
  const page = markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${brand.name} remote support</title>
<style nonce="${nonce}">${new SafeHtml(connectPageCss(brand.primaryColor, brand.accentColor))}</style>
</head>
<body>
<header>${brand.logoUrl ? markup`<img src="${brand.logoUrl}" alt="${brand.name} logo" height="40">` : ''}<h1>${headline(brand.name)}</h1></header>
${body}
${script ? markup`<script nonce="${nonce}">${new SafeHtml(CONNECT_PAGE_SCRIPT)}</script>` : ''}
</body>
</html>
`;
  return page.value;
}

/** ` hidden` when the element should start hidden. */
function hiddenUnless(visible: boolean): SafeHtml | '' {
  return visible ? '' : new SafeHtml(' hidden');
}

function osPanel(m: ConnectPageModel, os: InstallerOs): SafeHtml {
  const file = installerFileName(m.brand.installerBaseName, os);
  const command = quickRunCommand(m.brand.installerBaseName, os);
  return markup`<div data-os-panel="${os}"${hiddenUnless(m.selectedOs === os)}>
<ol>
<li><a class="download" href="${m.basePath}/download/${os}" download="${file}">Download ${file}</a></li>
<li>${QUICK_RUN_STEPS[os]}
<div class="cmd"><code id="cmd-${os}">${command}</code><button type="button" data-copy="cmd-${os}" hidden>Copy</button></div>
</li>
</ol>
<p class="muted">If your browser saved the file in another folder or under another name, change the path in the command to match.</p>
</div>`;
}

/**
 * What the tool will be able to do once the customer runs it, in the customer's words. Each one is
 * asked for on their computer first (the agent's consent prompt), and they can stop it at any time.
 */
export const ABILITIES: readonly string[] = [
  'see your screen',
  'control your mouse and keyboard',
  'open a terminal (a window for typing commands) on your computer',
  'run commands on your computer',
];

/** The anti-scam line, said plainly. */
export function scamWarning(organisation: string): string {
  return `Only continue if you contacted ${organisation} yourself. ${organisation} will never call you out of the blue.`;
}

/**
 * "Who will connect", shown before anything is downloaded: the technician's name (or "a technician"
 * when none is assigned yet) and the organisation, what the tool can do and that the customer is asked
 * first, and the anti-scam line. Names are untrusted text: `markup` escapes them. The page's script
 * swaps the two name spans when the status poll reports another technician.
 */
function whoWillConnect(m: ConnectPageModel): SafeHtml {
  const org = m.brand.name;
  const named = m.technicianName !== null;
  return markup`<section id="who" class="who" aria-labelledby="who-heading">
<h2 id="who-heading">Who will connect to your computer</h2>
<p class="who-line"><span id="who-named"${hiddenUnless(named)}><strong id="who-name">${m.technicianName ?? ''}</strong> from <strong>${org}</strong></span><span id="who-anyone"${hiddenUnless(!named)}>A technician from <strong>${org}</strong></span> will connect to help you.</p>
<p>Once you run the support tool, they will be able to:</p>
<ul class="abilities">${ABILITIES.map((a) => markup`<li>${a}</li>`)}</ul>
<p>Your computer will ask you first, each time: nothing happens until you allow it there. You can stop it at any time.</p>
<p id="scam-warning" class="warning"><strong>${scamWarning(org)}</strong></p>
</section>`;
}

export function renderConnectPage(m: ConnectPageModel): string {
  const osButtons = INSTALLER_OSES.map(
    (os) =>
      markup`<a href="?os=${os}" data-os="${os}" aria-pressed="${m.selectedOs === os ? 'true' : 'false'}">${OS_LABELS[os]}</a>`,
  );
  const flash = m.flash
    ? markup`<p id="note-flash" class="${m.flash.kind === 'ok' ? 'flash' : 'flash error'}">${m.flash.text}</p>`
    : markup`<p id="note-flash" class="flash" hidden></p>`;
  const body = markup`<main id="qs" data-status-url="${m.basePath}/status" data-note-url="${m.basePath}/note">
<section aria-live="polite">
<div class="status"><span>Status: <strong id="status-word">${STATUS_WORDS[m.status]}</strong></span>
<span id="technician"${hiddenUnless(m.technicianName !== null)}>Your technician: <strong id="technician-name">${m.technicianName ?? ''}</strong></span>
<span id="device"${hiddenUnless(m.deviceHostname !== null)}>Connected computer: <strong id="device-name">${m.deviceHostname ?? ''}</strong></span></div>
<p id="status-explain" class="muted">${STATUS_EXPLAIN[m.status]}</p>
</section>
${whoWillConnect(m)}
<section id="downloads"${hiddenUnless(m.status === 'waiting')}>
<h2>Get the support tool</h2>
<div class="os-buttons" role="group" aria-label="Your computer's operating system">${osButtons}</div>
<p id="os-hint" class="muted"${hiddenUnless(m.selectedOs === null)}>Choose your computer's operating system. On a phone or tablet, open this link on the computer that needs help.</p>
${INSTALLER_OSES.map((os) => osPanel(m, os))}
</section>
<section id="notes-section">
<h2>Send a note to your technician</h2>
${flash}
<form id="note-form" method="post" action="${m.basePath}/note">
<label for="note">Describe the problem or anything your technician should know.</label>
<textarea id="note" name="note" maxlength="1000" required></textarea>
<p><button type="submit">Send note</button></p>
</form>
<div id="notes-sent"${hiddenUnless(m.notes.length > 0)}><p class="muted">Notes you sent:</p>
<ul class="notes" id="notes-list">${m.notes.map((n) => markup`<li>${n.body}</li>`)}</ul></div>
</section>
</main>`;
  return layout(m.brand, m.nonce, body, true);
}

/** The one page for unknown, expired and ended links: nothing in it depends on the token. */
export function renderInactivePage(brand: Brand, nonce: string): string {
  const body = markup`<main><section>
<h2>This support link is not active</h2>
<p>It may have expired, or the support session has ended. If you still need help, ask your technician for a new link.</p>
</section></main>`;
  return layout(brand, nonce, body, false);
}

export function renderRateLimitedPage(brand: Brand, nonce: string, retryAfterSec: string): string {
  const body = markup`<main><section>
<h2>Please wait a moment</h2>
<p>There were too many requests from your network. Try again in ${retryAfterSec} seconds.</p>
</section></main>`;
  return layout(brand, nonce, body, false);
}
