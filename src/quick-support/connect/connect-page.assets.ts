/**
 * The connect page's stylesheet and script, inlined under the response's CSP nonce (no third-party or
 * extra requests). The script only enhances: OS buttons without reload, copy buttons, the note form
 * without reload, and the 5-second status poll. It writes text with textContent, never HTML.
 */
export function connectPageCss(primary: string, accent: string): string {
  return `
:root { --brand-primary: ${primary}; --brand-accent: ${accent}; --text: #1d2430; --muted: #5b6573; --line: #d8dde4; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg); }
header { background: var(--brand-primary); color: #fff; padding: 20px 24px; border-bottom: 4px solid var(--brand-accent); }
header h1 { margin: 0; font-size: 1.35rem; font-weight: 600; }
main { max-width: 760px; margin: 24px auto; padding: 0 16px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px; margin-bottom: 16px; }
h2 { font-size: 1.1rem; margin: 0 0 12px; }
.status { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; }
.status strong { font-size: 1.2rem; color: var(--brand-primary); }
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
ul.notes { padding-left: 20px; }
ul.notes li { white-space: pre-wrap; overflow-wrap: anywhere; }
[hidden] { display: none !important; }
`;
}

export const CONNECT_PAGE_SCRIPT = `
(function () {
  'use strict';
  var root = document.getElementById('qs');
  if (!root) return;
  var statusUrl = root.getAttribute('data-status-url');
  var noteUrl = root.getAttribute('data-note-url');
  var WORDS = { waiting: 'Waiting', active: 'Connected', ended: 'Ended' };
  var EXPLAIN = {
    waiting: 'Download and run the support tool below. This page updates by itself.',
    active: 'Your computer is connected. Your technician can now help you.',
    ended: 'This support session has ended. You can close this page.'
  };
  function byId(id) { return document.getElementById(id); }
  function show(el, visible) { if (el) { el.hidden = !visible; } }

  function selectOs(os) {
    var buttons = root.querySelectorAll('[data-os]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-pressed', buttons[i].getAttribute('data-os') === os ? 'true' : 'false');
    }
    var panels = root.querySelectorAll('[data-os-panel]');
    for (var j = 0; j < panels.length; j++) { show(panels[j], panels[j].getAttribute('data-os-panel') === os); }
    show(byId('os-hint'), false);
    try { history.replaceState(null, '', '?os=' + os); } catch (e) { /* ignore: cosmetic only */ }
  }
  var osButtons = root.querySelectorAll('[data-os]');
  for (var k = 0; k < osButtons.length; k++) {
    osButtons[k].addEventListener('click', function (ev) { ev.preventDefault(); selectOs(this.getAttribute('data-os')); });
  }

  function copyText(text, button) {
    function done() { var old = button.textContent; button.textContent = 'Copied'; setTimeout(function () { button.textContent = old; }, 1500); }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { legacyCopy(text); done(); });
    } else { legacyCopy(text); done(); }
  }
  function legacyCopy(text) {
    var area = document.createElement('textarea');
    area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } catch (e) { /* the text stays selectable by hand */ }
    document.body.removeChild(area);
  }
  var copyButtons = root.querySelectorAll('[data-copy]');
  for (var c = 0; c < copyButtons.length; c++) {
    copyButtons[c].hidden = false;
    copyButtons[c].addEventListener('click', function () {
      var source = byId(this.getAttribute('data-copy'));
      if (source) { copyText(source.textContent, this); }
    });
  }

  var stopped = false;
  function render(state) {
    byId('status-word').textContent = WORDS[state.status] || 'Ended';
    byId('status-explain').textContent = EXPLAIN[state.status] || EXPLAIN.ended;
    var tech = byId('technician');
    if (state.technician) { byId('technician-name').textContent = state.technician; show(tech, true); } else { show(tech, false); }
    var device = byId('device');
    if (state.device) { byId('device-name').textContent = state.device; show(device, true); } else { show(device, false); }
    show(byId('downloads'), state.status === 'waiting');
    show(byId('notes-section'), state.status !== 'ended');
  }
  function poll() {
    if (stopped) return;
    fetch(statusUrl, { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        if (res.status === 404) { stopped = true; render({ status: 'ended' }); return null; }
        if (!res.ok) return null;
        return res.json();
      })
      .then(function (state) { if (state) render(state); })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { if (!stopped) setTimeout(poll, 5000); });
  }
  setTimeout(poll, 5000);

  var form = byId('note-form');
  if (form && window.fetch) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var field = form.querySelector('textarea');
      var flash = byId('note-flash');
      var text = field.value.trim();
      if (!text) return;
      fetch(noteUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ note: text })
      }).then(function (res) {
        return res.json().then(function (body) { return { ok: res.ok, status: res.status, body: body }; });
      }).then(function (r) {
        flash.hidden = false;
        if (r.ok) {
          flash.className = 'flash'; flash.textContent = 'Your note was sent to the technician.';
          field.value = '';
          var li = document.createElement('li'); li.textContent = r.body.body;
          byId('notes-list').appendChild(li); show(byId('notes-sent'), true);
        } else if (r.status === 404) {
          stopped = true; render({ status: 'ended' });
        } else {
          flash.className = 'flash error'; flash.textContent = (r.body && r.body.message) || 'The note could not be sent.';
        }
      }).catch(function () {
        flash.hidden = false; flash.className = 'flash error'; flash.textContent = 'The note could not be sent. Check your connection.';
      });
    });
  }
})();
`;
