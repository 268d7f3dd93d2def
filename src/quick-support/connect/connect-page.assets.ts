import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brandPalette, DARK_SURFACE, DARK_TEXT, LIGHT_SURFACE, LIGHT_TEXT } from './brand-colours';

/**
 * The connect page's stylesheet and script, inlined under the response's CSP nonce (no third-party or
 * extra requests). Brand colours meet readable text colours (brand-colours.ts); dark mode follows the system
 * (`prefers-color-scheme`). The script only enhances: OS buttons without reload, copy buttons, the chat (the
 * note form sends chat messages; the chat is polled with the status every 5 seconds), and the status poll.
 * It writes text with textContent, never HTML.
 */
export function connectPageCss(primary: string, accent: string): string {
  const p = brandPalette(primary, accent);
  return `
:root { --brand-primary: ${p.primary}; --brand-accent: ${p.accent}; --on-primary: ${p.onPrimary}; --on-accent: ${p.onAccent}; --primary-text: ${p.primaryTextLight};
  color-scheme: light dark; --text: ${LIGHT_TEXT}; --muted: #4f5966; --line: #c9d0d9; --bg: #f5f7fa; --surface: ${LIGHT_SURFACE}; --bubble: #e8eef7; --link: ${p.primaryTextLight}; --focus: #0b57d0;
  --warn-bg: #fdecea; --warn-text: #5c1510; --warn-line: #b3261e; --ok-bg: #e7f5ea; --ok-text: #1d5b2c; --err-bg: #fdecea; --err-text: #8a1f17; }
@media (prefers-color-scheme: dark) {
  :root { --primary-text: ${p.primaryTextDark}; --text: ${DARK_TEXT}; --muted: #b4bdc9; --line: #3a4452; --bg: #0f141a; --surface: ${DARK_SURFACE}; --bubble: #1f2a38; --link: #9cc3ff; --focus: #a8c7fa;
    --warn-bg: #3b1714; --warn-text: #ffdad5; --warn-line: #f28b82; --ok-bg: #15351f; --ok-text: #c4eccf; --err-bg: #3b1714; --err-text: #ffdad5; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg); }
header { background: var(--brand-primary); color: var(--on-primary); padding: 20px 24px; border-bottom: 4px solid var(--brand-accent); }
header h1 { margin: 0; font-size: 1.35rem; font-weight: 600; overflow-wrap: anywhere; }
header nav ul { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
header nav a { color: var(--on-primary); }
header nav a[aria-current="true"] { font-weight: 700; text-decoration: none; }
header a:focus-visible { outline-color: var(--on-primary); }
main { max-width: 760px; margin: 24px auto; padding: 0 16px; }
section { background: var(--surface); border: 1px solid var(--line); border-radius: 8px; padding: 20px; margin-bottom: 16px; }
h2 { font-size: 1.1rem; margin: 0 0 12px; }
a { color: var(--link); }
a:focus-visible, button:focus-visible, textarea:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.status { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; }
.status > span { min-width: 0; overflow-wrap: anywhere; }
.status strong { font-size: 1.2rem; color: var(--primary-text); }
.who p, .who li { overflow-wrap: anywhere; }
.who-line { font-size: 1.1rem; }
.abilities { margin: 4px 0 12px; }
.warning { padding: 10px 12px; border-left: 4px solid var(--warn-line); background: var(--warn-bg); color: var(--warn-text); border-radius: 4px; }
.muted { color: var(--muted); }
.os-buttons { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 16px; }
.os-buttons a { padding: 8px 16px; border: 2px solid var(--brand-primary); border-radius: 6px; color: var(--primary-text); text-decoration: none; font-weight: 600; }
.os-buttons a[aria-current="true"] { background: var(--brand-primary); color: var(--on-primary); }
.download, .email { display: inline-block; padding: 10px 18px; background: var(--brand-accent); color: var(--on-accent); border-radius: 6px; font-weight: 700; text-decoration: none; }
.cmd { display: flex; gap: 8px; align-items: stretch; margin: 8px 0; }
.cmd code { flex: 1; display: block; padding: 10px; background: #0f1720; color: #e6edf3; border: 1px solid var(--line); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font: 14px/1.4 ui-monospace, Menlo, Consolas, monospace; }
button { font: inherit; padding: 8px 14px; border: 0; border-radius: 6px; background: var(--brand-primary); color: var(--on-primary); cursor: pointer; }
textarea { width: 100%; min-height: 90px; font: inherit; padding: 8px; color: var(--text); background: var(--surface); border: 1px solid var(--muted); border-radius: 6px; }
.flash { padding: 8px 12px; border-radius: 6px; background: var(--ok-bg); color: var(--ok-text); }
.flash.error { background: var(--err-bg); color: var(--err-text); }
.phone h2 { font-size: 1.3rem; }
ol { padding-left: 20px; }
ol.chat { list-style: none; margin: 0 0 12px; padding: 0; display: flex; flex-direction: column; gap: 8px; max-height: 420px; overflow-y: auto; }
ol.chat li { max-width: 85%; padding: 8px 12px; border-radius: 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.chat li.from-customer { align-self: flex-end; background: var(--bubble); }
ol.chat li.from-technician { align-self: flex-start; background: var(--surface); border: 1px solid var(--line); }
ol.chat .sender { display: block; font-size: 0.8rem; font-weight: 600; color: var(--muted); white-space: normal; }
[hidden] { display: none !important; }
`;
}

/**
 * The page's browser script: a plain-JS file beside this one (client/connect-page.client.js), which
 * `npm run check` type-checks against the DOM (`// @ts-check`, client/tsconfig.json) and lint reads,
 * read once at boot. `npm run build:server` copies it into dist/ next to the compiled renderer.
 */
export const CONNECT_PAGE_SCRIPT = readFileSync(join(__dirname, 'client', 'connect-page.client.js'), 'utf8');
