// @ts-check
// The connect page's script (src/quick-support/connect/connect-page.assets.ts serves it inline under
// the page's CSP nonce). Plain ES5-style JS for old customer browsers; type-checked against the DOM by
// client/tsconfig.json in `npm run check`. It only enhances the page and writes text, never HTML.
(function () {
  'use strict';
  // Cast once, checked on the next line: nested functions cannot see a `var` narrowed by the check.
  var root = /** @type {HTMLElement} */ (document.getElementById('qs'));
  if (!root) return;
  var statusUrl = root.getAttribute('data-status-url') || '';
  var chatUrl = root.getAttribute('data-chat-url') || '';
  var langQuery = root.getAttribute('data-lang-query') || '';
  /** @typedef {{ status: string, technician?: string | null, device?: string | null }} PublicStatus */
  /**
   * The page's words in its language, from the server (JSON in #qs's data-words).
   * @typedef {{ status: Record<string, string>, explain: Record<string, string>, headline: Record<string, string>,
   *   copied: string, noteSent: string, noteFailed: string, noteOffline: string, noteEmpty: string,
   *   noteTooLong: string, noteInvalid: string, noteRate: string, chatFull: string, maxLength: number,
   *   you: string, technician: string }} Words
   */
  /** @type {Words} */
  var T = readWords();
  /** @returns {Words} */
  function readWords() {
    try {
      /** @type {unknown} */
      var words = JSON.parse(root.getAttribute('data-words') || '');
      return /** @type {Words} */ (words);
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- ES5 has no optional catch binding
    } catch (e) {
      return {
        status: { waiting: 'Waiting', active: 'Connected', ended: 'Ended' },
        explain: {},
        headline: {},
        copied: 'Copied',
        noteSent: 'Your message was sent to the technician.',
        noteFailed: 'The message could not be sent.',
        noteOffline: 'The message could not be sent. Check your connection.',
        noteEmpty: 'Write a message before sending it.',
        noteTooLong: 'A message can be at most 1000 characters long.',
        noteInvalid: 'The message could not be read. Please type it again.',
        noteRate: 'You have sent many messages in a short time. Please wait a few minutes.',
        chatFull: 'No more messages can be sent in this session.',
        maxLength: 1000,
        you: 'You',
        technician: 'Your technician',
      };
    }
  }
  /** @param {string} id @returns {HTMLElement | null} */
  function byId(id) {
    return document.getElementById(id);
  }
  /** @param {string} id @param {string} text */
  function setText(id, text) {
    var el = byId(id);
    if (el) el.textContent = text;
  }
  /** @param {HTMLElement | null} el @param {boolean} visible */
  function show(el, visible) {
    if (el) {
      el.hidden = !visible;
    }
  }

  /**
   * Why the portal refused a chat message, in the page's words: chosen by status and `code`, never
   * the answer's `message` (the portal writes it in English).
   * @param {number} status @param {string | undefined} code @param {string} text what was sent
   * @returns {string}
   */
  function refusalText(status, code, text) {
    // Characters as the portal counts them (code points): a surrogate pair is one.
    var tooLong = text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length > T.maxLength;
    if (status === 413 || (status === 400 && tooLong)) return T.noteTooLong;
    // Not too long, yet refused: nothing was left once invisible characters were removed.
    if (status === 400 && code === 'validation_failed') return T.noteEmpty;
    if (status === 400) return T.noteInvalid;
    if (status === 409 && code === 'chat_limit_reached') return T.chatFull;
    if (status === 429) return T.noteRate;
    return T.noteFailed;
  }

  /** @param {string} os */
  function selectOs(os) {
    var buttons = root.querySelectorAll('[data-os]');
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].getAttribute('data-os') === os) buttons[i].setAttribute('aria-current', 'true');
      else buttons[i].removeAttribute('aria-current');
    }
    var panels = /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-os-panel]'));
    for (var j = 0; j < panels.length; j++) {
      show(panels[j], panels[j].getAttribute('data-os-panel') === os);
    }
    show(byId('os-hint'), false);
    try {
      history.replaceState(null, '', '?os=' + os + (langQuery ? '&' + langQuery : ''));
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- ES5 has no optional catch binding
    } catch (e) {
      /* ignore: cosmetic only */
    }
  }
  // The phone page has no download panels: its OS links load the computer's page instead.
  var osButtons = root.querySelectorAll('#downloads [data-os]');
  for (var k = 0; k < osButtons.length; k++) {
    osButtons[k].addEventListener(
      'click',
      /** @this {HTMLElement} @param {Event} ev */ function (ev) {
        ev.preventDefault();
        selectOs(this.getAttribute('data-os') || '');
      },
    );
  }

  /** @param {string} text @param {HTMLElement} button */
  function copyText(text, button) {
    function done() {
      var old = button.textContent;
      button.textContent = T.copied;
      setTimeout(function () {
        button.textContent = old;
      }, 1500);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      void navigator.clipboard.writeText(text).then(done, function () {
        legacyCopy(text);
        done();
      });
    } else {
      legacyCopy(text);
      done();
    }
  }
  /** @param {string} text */
  function legacyCopy(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try {
      document.execCommand('copy');
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- ES5 has no optional catch binding
    } catch (e) {
      /* the text stays selectable by hand */
    }
    document.body.removeChild(area);
  }
  var copyButtons = /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-copy]'));
  for (var c = 0; c < copyButtons.length; c++) {
    copyButtons[c].hidden = false;
    copyButtons[c].addEventListener(
      'click',
      /** @this {HTMLElement} */ function () {
        var source = byId(this.getAttribute('data-copy') || '');
        if (source) {
          copyText(source.textContent || '', this);
        }
      },
    );
  }

  var stopped = false;
  /** @param {PublicStatus} state */
  function render(state) {
    var known = state.status === 'waiting' || state.status === 'active' ? state.status : 'ended';
    setText('status-word', T.status[known] || '');
    setText('status-explain', T.explain[known] || '');
    setText('headline', T.headline[known] || '');
    var tech = byId('technician');
    if (state.technician) {
      setText('technician-name', state.technician);
      setText('who-name', state.technician);
      show(tech, true);
    } else {
      show(tech, false);
    }
    // "Who will connect" names whoever the session is assigned to now (a session can be handed over).
    if (state.status !== 'ended') {
      show(byId('who-named'), !!state.technician);
      show(byId('who-anyone'), !state.technician);
    }
    var device = byId('device');
    if (state.device) {
      setText('device-name', state.device);
      show(device, true);
    } else {
      show(device, false);
    }
    show(byId('downloads'), state.status === 'waiting');
    show(byId('phone'), state.status === 'waiting');
    show(byId('notes-section'), state.status !== 'ended');
  }
  function poll() {
    if (stopped || !statusUrl) return;
    void fetch(statusUrl, {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
    })
      .then(
        /** @returns {Promise<PublicStatus> | null} */ function (res) {
          if (res.status === 404) {
            stopped = true;
            render({ status: 'ended' });
            return null;
          }
          if (!res.ok) return null;
          return res.json();
        },
      )
      .then(
        /** @param {PublicStatus | null} state */ function (state) {
          if (state) render(state);
        },
      )
      .catch(function () {
        /* offline for a moment: try again at the next tick */
      })
      .then(function () {
        loadChat();
        if (!stopped) setTimeout(poll, 5000);
      });
  }
  setTimeout(poll, 5000);

  // The chat: the technician's messages and the customer's own, oldest first, written as text only.
  // The first load replaces the server-rendered notes with the whole chat; then each poll asks only
  // for what came after the last message it has (`after=<id>`), page by page.
  /** @typedef {{ id: string, sender: string, author?: string | null, body: string }} ChatMessage */
  /** @typedef {{ items: ChatMessage[], more: boolean }} ChatPage */
  var chatList = byId('chat-list');
  /** @type {string | null} */
  var lastId = null;
  var chatLoaded = false;
  var chatLoading = false;
  /** @type {Record<string, boolean>} */
  var seen = {};
  /** @param {ChatMessage} m */
  function appendMessage(m) {
    if (!chatList || seen[m.id]) return;
    seen[m.id] = true;
    var li = document.createElement('li');
    li.className = m.sender === 'technician' ? 'from-technician' : 'from-customer';
    var who = document.createElement('span');
    who.className = 'sender';
    who.textContent = m.sender === 'technician' ? m.author || T.technician : T.you;
    var body = document.createElement('span');
    body.className = 'body';
    body.textContent = m.body;
    li.appendChild(who);
    li.appendChild(body);
    chatList.appendChild(li);
    chatList.scrollTop = chatList.scrollHeight;
    show(byId('chat-empty'), false);
  }
  function loadChat() {
    if (stopped || !chatUrl || !chatList || chatLoading || typeof window.fetch !== 'function') return;
    chatLoading = true;
    var url = lastId ? chatUrl + '?after=' + encodeURIComponent(lastId) : chatUrl;
    var again = false;
    void fetch(url, {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
    })
      .then(
        /** @returns {Promise<ChatPage> | null} */ function (res) {
          if (res.status === 404) {
            stopped = true;
            render({ status: 'ended' });
            return null;
          }
          if (!res.ok) return null;
          return res.json();
        },
      )
      .then(
        /** @param {ChatPage | null} page */ function (page) {
          if (!page || !chatList) return;
          if (!chatLoaded) {
            while (chatList.firstChild) chatList.removeChild(chatList.firstChild);
            seen = {};
            chatLoaded = true;
          }
          for (var i = 0; i < page.items.length; i++) appendMessage(page.items[i]);
          if (page.items.length > 0) lastId = page.items[page.items.length - 1].id;
          again = page.more;
        },
      )
      .catch(function () {
        /* offline for a moment: the next poll asks again */
      })
      .then(function () {
        chatLoading = false;
        if (again) loadChat();
      });
  }
  loadChat();

  var form = byId('note-form');
  if (form && chatUrl && typeof window.fetch === 'function') {
    form.addEventListener(
      'submit',
      /** @this {HTMLElement} @param {Event} ev */ function (ev) {
        ev.preventDefault();
        // Cast once, checked on the next line (the callbacks below cannot see a narrowed `var`).
        var field = /** @type {HTMLTextAreaElement} */ (this.querySelector('textarea'));
        var flash = /** @type {HTMLElement} */ (byId('note-flash'));
        if (!field || !flash) return;
        var text = field.value.trim();
        if (!text) return;
        fetch(chatUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ body: text }),
        })
          .then(function (res) {
            return res.json().then(
              /** @param {ChatMessage & { code?: string }} body */ function (body) {
                return { ok: res.ok, status: res.status, body: body };
              },
            );
          })
          .then(function (r) {
            if (r.ok) {
              flash.hidden = true;
              field.value = '';
              appendMessage(r.body);
              loadChat();
            } else if (r.status === 404) {
              stopped = true;
              render({ status: 'ended' });
            } else {
              flash.hidden = false;
              flash.className = 'flash error';
              flash.textContent = refusalText(r.status, r.body ? r.body.code : undefined, text);
            }
          })
          .catch(function () {
            flash.hidden = false;
            flash.className = 'flash error';
            flash.textContent = T.noteOffline;
          });
      },
    );
  }
})();
