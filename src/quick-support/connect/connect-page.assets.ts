import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The connect page's stylesheet and script, inlined under the response's CSP nonce (no third-party or
 * extra requests). The script only enhances: OS buttons without reload, copy buttons, the chat (the
 * note form sends chat messages; the chat is polled with the status every 5 seconds), and the status poll. It writes text with textContent, never HTML.
 */
export function connectPageCss(primary: string, accent: string): string {
  return `
:root { --brand-primary: ${primary}; --brand-accent: ${accent}; --text: #1d2430; --muted: #5b6573; --line: #d8dde4; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg); }
header { background: var(--brand-primary); color: #fff; padding: 20px 24px; border-bottom: 4px solid var(--brand-accent); }
header h1 { margin: 0; font-size: 1.35rem; font-weight: 600; overflow-wrap: anywhere; }
main { max-width: 760px; margin: 24px auto; padding: 0 16px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px; margin-bottom: 16px; }
h2 { font-size: 1.1rem; margin: 0 0 12px; }
.status { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; }
.status > span { min-width: 0; overflow-wrap: anywhere; }
.status strong { font-size: 1.2rem; color: var(--brand-primary); }
.who p, .who li { overflow-wrap: anywhere; }
.who-line { font-size: 1.1rem; }
.abilities { margin: 4px 0 12px; }
.warning { padding: 10px 12px; border-left: 4px solid #b3261e; background: #fdecea; color: #5c1510; border-radius: 4px; }
.muted { color: var(--muted); }
.os-buttons { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 16px; }
.os-buttons a { padding: 8px 16px; border: 2px solid var(--brand-primary); border-radius: 6px; color: var(--brand-primary); text-decoration: none; font-weight: 600; }
.os-buttons a[aria-pressed="true"] { background: var(--brand-primary); color: #fff; }
.download { display: inline-block; padding: 10px 18px; background: var(--brand-accent); color: #1d2430; border-radius: 6px; font-weight: 700; text-decoration: none; }
.cmd { display: flex; gap: 8px; align-items: stretch; margin: 8px 0; }
.cmd code { flex: 1; display: block; padding: 10px; background: #0f1720; color: #e6edf3; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; font: 14px/1.4 ui-monospace, Menlo, Consolas, monospace; }
button { font: inherit; padding: 8px 14px; border: 0; border-radius: 6px; background: var(--brand-primary); color: #fff; cursor: pointer; }
textarea { width: 100%; min-height: 90px; font: inherit; padding: 8px; border: 1px solid var(--line); border-radius: 6px; }
.flash { padding: 8px 12px; border-radius: 6px; background: #e7f5ea; color: #1d5b2c; }
.flash.error { background: #fdecea; color: #8a1f17; }
ol { padding-left: 20px; }
ol.chat { list-style: none; margin: 0 0 12px; padding: 0; display: flex; flex-direction: column; gap: 8px; max-height: 420px; overflow-y: auto; }
ol.chat li { max-width: 85%; padding: 8px 12px; border-radius: 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.chat li.from-customer { align-self: flex-end; background: #e8eef7; }
ol.chat li.from-technician { align-self: flex-start; background: #fff; border: 1px solid var(--line); }
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
