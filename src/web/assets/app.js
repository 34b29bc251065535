// arcana Mini App. Plain ES2020, no framework, no build step.
// Runs under CSP `script-src 'self'; style-src 'self'`: every node is built with
// createElement + textContent (never innerHTML), no inline handlers or styles.
// The session token is never logged and never put into a URL.
// Every word the page shows comes from the server's table for the user's language (T, TP, TN
// below; src/web/assets/texts/*.toml): none is written here.
'use strict';

(() => {
  const TOKEN_KEY = 'arcana.token';
  const THEME_KEY = 'arcana.theme';
  const COLOR_RE = /^#[0-9a-fA-F]{3,8}$/;
  const THEME_KEYS = [
    'bg_color', 'text_color', 'hint_color', 'link_color', 'button_color',
    'button_text_color', 'secondary_bg_color', 'header_bg_color', 'bottom_bar_bg_color',
    'accent_text_color', 'section_bg_color', 'section_header_text_color',
    'section_separator_color', 'subtitle_text_color', 'destructive_text_color',
  ];
  const TELEGRAM_ORIGIN_RE = /^https:\/\/([a-z0-9-]+\.)*telegram\.org$/;
  const QUESTION_MAX = 200;

  const state = {
    token: null,
    me: null,
    page: 0,
    pages: 0,
    openId: null,
    drawing: false,
    deleting: false,
    exporting: false,
    ended: false,
    listSeq: 0,
  };

  // ---------------------------------------------------------------- helpers

  const $ = (id) => document.getElementById(id);

  function smooth() {
    try {
      return window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
    } catch (_) {
      return 'auto';
    }
  }

  /** Builds an element. `text` goes through textContent; attrs through setAttribute. */
  function el(tag, opts, children) {
    const node = document.createElement(tag);
    if (opts) {
      if (opts.className) node.className = opts.className;
      if (opts.text !== undefined && opts.text !== null) node.textContent = String(opts.text);
      if (opts.attrs) {
        for (const [k, v] of Object.entries(opts.attrs)) {
          if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
        }
      }
    }
    if (children) {
      for (const c of children) {
        if (c === null || c === undefined || c === false) continue;
        node.append(typeof c === 'string' ? document.createTextNode(c) : c);
      }
    }
    return node;
  }

  function storageGet(key) {
    try { return window.sessionStorage.getItem(key); } catch (_) { return null; }
  }
  function storageSet(key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (_) { /* storage disabled */ }
  }
  function storageRemove(key) {
    try { window.sessionStorage.removeItem(key); } catch (_) { /* storage disabled */ }
  }

  // ---------------------------------------------------------------- words

  /**
   * The page's words in one language: the table the server embedded (the browser's language),
   * replaced by the user's once Telegram's launch data or the session names it.
   */
  const words = { locale: 'en', texts: {} };

  function adoptWords(v) {
    if (!v || typeof v.locale !== 'string' || !v.texts || typeof v.texts !== 'object') return false;
    words.locale = v.locale;
    words.texts = v.texts;
    return true;
  }

  function readEmbeddedWords() {
    const node = document.getElementById('arcana-texts');
    try { adoptWords(JSON.parse(node ? node.textContent : '')); } catch (_) { /* keys stand in */ }
  }

  function fillText(text, vars) {
    return String(text).replace(/\{([a-z_]+)\}/g, (m, name) =>
      (vars && vars[name] !== undefined && vars[name] !== null ? String(vars[name]) : m));
  }

  /** The text of `key`, its {placeholders} filled from `vars`. */
  function T(key, vars) {
    const text = words.texts[key];
    return fillText(typeof text === 'string' ? text : key, vars);
  }

  /** The plural text of `key` for the number `n` ({n} and `vars` filled), by the language's rules. */
  function TP(key, n, vars) {
    const forms = words.texts[key];
    let text = key;
    if (forms && typeof forms === 'object') {
      let category = 'other';
      try { category = new Intl.PluralRules(words.locale).select(n); } catch (_) { category = n === 1 ? 'one' : 'other'; }
      text = forms[category] || forms.other || forms.many || forms.one || key;
    }
    return fillText(text, Object.assign({ n }, vars || {}));
  }

  /** The text of `key` as parts for setStatus: a {placeholder} named in `nodes` becomes that node. */
  function TN(key, nodes) {
    const raw = words.texts[key];
    const text = typeof raw === 'string' ? raw : key;
    const parts = [];
    let last = 0;
    text.replace(/\{([a-z_]+)\}/g, (m, name, at) => {
      parts.push(text.slice(last, at));
      parts.push(nodes && nodes[name] !== undefined ? nodes[name] : m);
      last = at + m.length;
      return m;
    });
    parts.push(text.slice(last));
    return parts;
  }

  /** Puts the current language's words into the page's fixed elements. */
  function applyWords() {
    document.documentElement.lang = words.locale;
    for (const node of document.querySelectorAll('[data-t]')) node.textContent = T(node.getAttribute('data-t'));
    for (const node of document.querySelectorAll('[data-t-aria-label]')) {
      node.setAttribute('aria-label', T(node.getAttribute('data-t-aria-label')));
    }
    document.title = T('app.title');
  }

  /**
   * Switches the page to the language `hint` names (Telegram's language_code, or the locale the
   * API answers in), as the server reads it. Resolves to whether the words changed.
   */
  async function switchWords(hint) {
    if (typeof hint !== 'string' || !/^[A-Za-z0-9_-]{1,35}$/.test(hint) || hint === words.locale) return false;
    try {
      const res = await fetch('/app/texts.json?lang=' + encodeURIComponent(hint), { credentials: 'same-origin' });
      if (!res.ok) return false;
      const v = await res.json();
      if (!v || v.locale === words.locale || !adoptWords(v)) return false;
      applyWords();
      return true;
    } catch (_) {
      return false; // the words the page has stay
    }
  }

  /** The browser's own tag for the page's language (its region's date forms), else the code. */
  function dateLocale() {
    const langs = Array.isArray(navigator.languages) && navigator.languages.length ? navigator.languages : [navigator.language];
    const own = langs.find((l) => typeof l === 'string' && l.toLowerCase().split(/[-_]/)[0] === words.locale);
    return own || words.locale;
  }

  function toDate(ms) {
    const n = Number(ms);
    if (!Number.isFinite(n)) return null;
    const d = new Date(n);
    return Number.isNaN(d.getTime()) ? null : d;
  }

  function fmtDateTime(ms) {
    const d = toDate(ms);
    if (!d) return '';
    try {
      return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
    } catch (_) {
      return d.toLocaleString();
    }
  }

  function fmtDate(ms) {
    const d = toDate(ms);
    if (!d) return '';
    try {
      return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'medium' }).format(d);
    } catch (_) {
      return d.toLocaleDateString();
    }
  }

  /** "Resets at 00:00 (UTC)": time shown in the API's reset zone when the browser knows it. */
  function fmtReset(ms, zone) {
    const d = toDate(ms);
    if (!d) return '';
    const label = typeof zone === 'string' && zone ? zone : '';
    const opts = { hour: '2-digit', minute: '2-digit' };
    let time = null;
    if (label) {
      try {
        time = new Intl.DateTimeFormat(dateLocale(), Object.assign({ timeZone: label }, opts)).format(d);
      } catch (_) {
        time = null; // not an IANA zone name the browser knows
      }
    }
    if (time !== null) return T('plan.resets_zone', { time, zone: label });
    let local;
    try { local = new Intl.DateTimeFormat(dateLocale(), opts).format(d); } catch (_) { local = d.toLocaleTimeString(); }
    return T('plan.resets_local', { time: local });
  }

  function tierLabel(tier) {
    const t = typeof tier === 'string' ? tier : '';
    if (!t) return T('plan.tier_unknown');
    const named = 'tier.' + t;
    if (typeof words.texts[named] === 'string') return T(named);
    return t.charAt(0).toUpperCase() + t.slice(1);
  }

  function safeKey(key) {
    return typeof key === 'string' && /^[a-z0-9_-]{1,32}$/.test(key) ? key : 'unknown';
  }

  // ---------------------------------------------------------------- status

  /** Shows a message in #status (aria-live). `parts` are strings or nodes. */
  function setStatus(parts, kind) {
    const s = $('status');
    if (!s) return;
    s.replaceChildren();
    const list = Array.isArray(parts) ? parts : [parts];
    for (const p of list) {
      if (p === null || p === undefined || p === '') continue;
      s.append(typeof p === 'string' ? document.createTextNode(p) : p);
    }
    s.className = 'status' + (kind ? ' status-' + kind : '');
    s.hidden = false;
  }

  function clearStatus() {
    const s = $('status');
    if (!s) return;
    s.replaceChildren();
    s.className = 'status';
  }

  function setMsg(id, text, kind) {
    const m = $(id);
    if (!m) return;
    m.textContent = text || '';
    m.className = 'msg' + (kind ? ' msg-' + kind : '');
  }

  function loginLink() {
    return el('a', { text: T('session.login_link'), attrs: { href: '/login' } });
  }

  // ---------------------------------------------------------------- theme

  function applyTheme(params) {
    if (!params || typeof params !== 'object') return false;
    const root = document.documentElement;
    let any = false;
    for (const key of THEME_KEYS) {
      const v = params[key];
      if (typeof v === 'string' && COLOR_RE.test(v)) {
        root.style.setProperty('--tg-theme-' + key.replace(/_/g, '-'), v);
        any = true;
      }
    }
    const bg = params.bg_color;
    if (typeof bg === 'string' && COLOR_RE.test(bg)) {
      const lum = luminance(bg);
      if (lum !== null) root.setAttribute('data-scheme', lum < 0.4 ? 'dark' : 'light');
    }
    return any;
  }

  function luminance(hex) {
    let h = hex.slice(1);
    if (h.length === 3 || h.length === 4) h = h.slice(0, 3).split('').map((c) => c + c).join('');
    if (h.length !== 6 && h.length !== 8) return null;
    const r = parseInt(h.slice(0, 2), 16) / 255;
    const g = parseInt(h.slice(2, 4), 16) / 255;
    const b = parseInt(h.slice(4, 6), 16) / 255;
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function parseThemeJson(text) {
    if (typeof text !== 'string' || !text || text.length > 4096) return null;
    try {
      const v = JSON.parse(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
    } catch (_) {
      return null;
    }
  }

  function onTelegramEvent(type, data) {
    if (type === 'theme_changed' && data && typeof data === 'object') {
      if (applyTheme(data.theme_params)) {
        try { storageSet(THEME_KEY, JSON.stringify(data.theme_params)); } catch (_) { /* ignore */ }
      }
    }
  }

  function listenTelegram() {
    // Mobile clients call window.Telegram.WebView.receiveEvent(type, data).
    try {
      const tg = window.Telegram = window.Telegram || {};
      const wv = tg.WebView = tg.WebView || {};
      if (typeof wv.receiveEvent !== 'function') wv.receiveEvent = onTelegramEvent;
    } catch (_) { /* ignore */ }
    // Telegram Web posts {eventType, eventData} as a JSON string from its own origin.
    window.addEventListener('message', (ev) => {
      if (ev.source !== window.parent) return;
      if (!TELEGRAM_ORIGIN_RE.test(String(ev.origin))) return;
      if (typeof ev.data !== 'string' || ev.data.length > 8192) return;
      try {
        const msg = JSON.parse(ev.data);
        if (msg && typeof msg.eventType === 'string') onTelegramEvent(msg.eventType, msg.eventData);
      } catch (_) { /* not ours */ }
    });
  }

  function tellTelegramReady() {
    try {
      const proxy = window.TelegramWebviewProxy;
      if (proxy && typeof proxy.postEvent === 'function') {
        proxy.postEvent('web_app_ready', '');
        proxy.postEvent('web_app_expand', '');
      }
    } catch (_) { /* not inside a Telegram client */ }
    try {
      if (window.parent !== window) {
        window.parent.postMessage(JSON.stringify({ eventType: 'web_app_ready', eventData: {} }), 'https://web.telegram.org');
        window.parent.postMessage(JSON.stringify({ eventType: 'web_app_expand', eventData: {} }), 'https://web.telegram.org');
      }
    } catch (_) { /* not inside Telegram Web */ }
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, message, data) {
      super(message);
      this.status = status;
      this.data = data || {};
    }
  }

  /**
   * What to tell the user of a refused request: the words for the answer's `reason` in their
   * language; without one, the server's (English) message only on an English page.
   */
  function errorText(status, data) {
    if (status === 429) {
      const n = data && Number.isFinite(Number(data.retry_after_s)) ? Math.max(1, Math.ceil(Number(data.retry_after_s))) : null;
      return n === null ? T('error.busy') : T('error.busy_for', { n });
    }
    const reasonKey = data && typeof data.reason === 'string' && /^[a-z_]{1,32}$/.test(data.reason) ? 'error.' + data.reason : '';
    let text = '';
    if (reasonKey && typeof words.texts[reasonKey] === 'string') {
      text = T(reasonKey);
    } else if (words.locale === 'en' && data && typeof data.error === 'string' && data.error && status < 500) {
      text = data.error.charAt(0).toUpperCase() + data.error.slice(1);
    }
    if (text) {
      const n = Number(data.retry_after_s);
      return Number.isFinite(n) && n > 0 ? T('error.retry_in', { text, n: Math.ceil(n) }) : text;
    }
    if (status === 404) return T('error.not_found');
    if (status >= 500) return T('error.server');
    return T('error.status', { status });
  }

  /**
   * Calls the JSON API. Resolves to the parsed body (or text when opts.raw).
   * Rejects with ApiError: status 0 for network errors; 401 also ends the session.
   */
  async function api(method, path, body, opts) {
    const headers = { Accept: 'application/json' };
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store', referrerPolicy: 'no-referrer' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (_) {
      throw new ApiError(0, T('error.network'), null);
    }
    let text = '';
    try { text = await res.text(); } catch (_) { throw new ApiError(0, T('error.network'), null); }
    if (res.ok && opts && opts.raw) return text;
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (_) { data = null; }
    }
    if (res.status === 401) {
      endSession(T('session.ended'));
      throw new ApiError(401, T('session.ended'), data);
    }
    if (!res.ok) throw new ApiError(res.status, errorText(res.status, data), data);
    if (data === null || typeof data !== 'object') throw new ApiError(res.status, T('error.unexpected'), null);
    return data;
  }

  function setToken(token) {
    state.token = token;
    if (token) storageSet(TOKEN_KEY, token); else storageRemove(TOKEN_KEY);
  }

  /** Drops the token and hides the app; shows `message` with a way back in. */
  function endSession(message, withLogin) {
    setToken(null);
    state.me = null;
    state.ended = true;
    const main = $('main');
    if (main) main.hidden = true;
    const nav = $('nav');
    if (nav) nav.hidden = true;
    showWho(null);
    const reading = $('reading');
    if (reading) reading.replaceChildren();
    const list = $('readings-list');
    if (list) list.replaceChildren();
    if (withLogin === false) {
      setStatus(message, 'info');
    } else {
      setStatus([message + '. '].concat(TN('session.outside', { login: loginLink() })), 'error');
    }
  }

  // ---------------------------------------------------------------- who

  /**
   * Shows whose account this page is signed in to, in the sticky header of every screen: the
   * first name Telegram signed (from /me or the session answer) and its initial as an avatar.
   * A page signed in to someone else's account (a planted sign-in) is then plain to see.
   */
  function showWho(who) {
    const box = $('who');
    if (!box) return;
    if (!who) {
      box.hidden = true;
      $('who-name').textContent = '';
      $('who-avatar').textContent = '';
      return;
    }
    const name = typeof who.first_name === 'string' ? who.first_name.trim() : '';
    const id = Number.isInteger(who.user_id) ? who.user_id : null;
    const shown = name || (id !== null ? T('who.user_id', { id }) : T('who.someone'));
    $('who-name').textContent = shown;
    const initial = name ? Array.from(name)[0].toLocaleUpperCase() : '?';
    $('who-avatar').textContent = initial;
    box.setAttribute('aria-label', T('who.aria', { name: shown }));
    box.hidden = false;
  }

  /** "Not you?": ends this session at once and says how to get into one's own account. */
  async function onNotYou() {
    try {
      if (state.token) await api('POST', '/api/v1/logout', {});
    } catch (_) { /* the token is dropped below either way */ }
    endSession(T('who.signed_out'), true);
  }

  // ---------------------------------------------------------------- plan

  function planRow(dl, label, value, id) {
    dl.append(el('dt', { text: label }), el('dd', { text: value, attrs: { id } }));
  }

  function renderPlan(me) {
    const dl = $('plan-body');
    dl.replaceChildren();
    showWho(me);

    planRow(dl, T('plan.plan'), tierLabel(me.tier), 'plan-tier');
    const allowance = me.allowance;
    if (allowance === null || allowance === undefined) {
      planRow(dl, T('plan.today'), T('plan.no_limit'), 'plan-left');
    } else {
      const m = Math.max(0, Number(allowance) || 0);
      const used = Math.max(0, Number(me.used_today) || 0);
      const left = Math.max(0, m - used);
      const r = fmtReset(me.resets_at, me.reset_zone);
      dl.append(el('dt', { text: T('plan.today') }), el('dd', { attrs: { id: 'plan-left' } }, [
        el('span', { className: 'plan-line', text: TP('plan.left_today', m, { left }) }),
        r ? el('span', { className: 'plan-line hint', text: r, attrs: { id: 'plan-resets' } }) : null,
      ]));
    }
    const credits = Math.max(0, Number(me.credits) || 0);
    planRow(dl, T('plan.credits'), String(credits), 'plan-credits');
    if (me.premium_until !== null && me.premium_until !== undefined) {
      const d = fmtDate(me.premium_until);
      if (d) planRow(dl, T('plan.premium_until'), d, 'plan-premium');
    }
  }

  function renderSpreadChoices(me) {
    const box = $('draw-choices');
    const prev = (box.querySelector('input[name="spread"]:checked') || {}).value;
    box.replaceChildren();
    const spreads = Array.isArray(me.spreads) ? me.spreads : [];
    const allowance = me.allowance;
    const exhausted = allowance !== null && allowance !== undefined &&
      (Number(me.used_today) || 0) >= (Number(allowance) || 0);
    let chosen = spreads.some((s) => s && s.key === prev) ? prev : null;
    if (!chosen) {
      const firstIncluded = spreads.find((s) => s && s.included);
      chosen = firstIncluded ? firstIncluded.key : (spreads[0] ? spreads[0].key : null);
    }
    spreads.forEach((s, i) => {
      if (!s || typeof s.key !== 'string') return;
      const id = 'spread-opt-' + i;
      const usesCredit = !s.included || exhausted;
      const input = el('input', { attrs: { type: 'radio', name: 'spread', id, value: s.key } });
      input.checked = s.key === chosen;
      const cards = Number(s.cards) || 0;
      const label = el('label', { className: 'choice', attrs: { for: id } }, [
        el('span', { className: 'choice-name', text: typeof s.name === 'string' ? s.name : s.key }),
        el('span', { className: 'choice-meta hint', text: TP('draw.cards', cards) }),
        usesCredit ? el('span', { className: 'badge', text: T('draw.uses_credit') }) : null,
      ]);
      box.append(el('div', { className: 'choice-row' + (usesCredit ? ' credit' : '') }, [input, label]));
    });
    $('draw-button').disabled = spreads.length === 0 || state.drawing;
  }

  async function loadMe() {
    const me = await api('GET', '/api/v1/me');
    if (await switchWords(me.locale)) rewordShown();
    state.me = me;
    renderPlan(me);
    renderSpreadChoices(me);
    $('code-row').hidden = !me.two_factor;
    return me;
  }

  /** After a change of language: the history and the open reading again, in its words. */
  function rewordShown() {
    if (state.lastPage) renderReadings(state.lastPage);
    if (state.shown) showReading(state.shown);
  }

  // ---------------------------------------------------------------- spreads

  // Card faces: one SVG document of <symbol id="card-N"> for all 78 cards, drawn by arcana and
  // loaded once (the browser caches it); each tile shows its card with <use>. Lines take the
  // theme's text colour (currentColor). A reversed card's art is turned; its name is not.
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const FACE_W = 120;
  const FACE_H = 180;

  async function loadFaces() {
    if (document.getElementById('faces')) return;
    try {
      const res = await fetch('/app/faces.svg', { credentials: 'same-origin' });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'image/svg+xml');
      const root = doc.documentElement;
      if (!root || root.namespaceURI !== SVG_NS || root.querySelector('script, foreignObject')) return;
      const faces = document.importNode(root, true);
      faces.setAttribute('id', 'faces');
      faces.setAttribute('aria-hidden', 'true');
      faces.setAttribute('class', 'faces-sprite');
      document.body.append(faces);
    } catch (_) { /* the tiles keep their names without art */ }
  }

  /** The card's art: upright, or lying across (turned a quarter) for the crossing card. */
  function cardArt(id, across) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'tile-art');
    svg.setAttribute('viewBox', across ? '0 0 ' + FACE_H + ' ' + FACE_W : '0 0 ' + FACE_W + ' ' + FACE_H);
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const use = document.createElementNS(SVG_NS, 'use');
    use.setAttribute('href', '#card-' + id);
    use.setAttribute('width', String(FACE_W));
    use.setAttribute('height', String(FACE_H));
    if (across) use.setAttribute('transform', 'translate(' + FACE_H + ' 0) rotate(90)');
    svg.append(use);
    return svg;
  }

  function cardTile(card, n, across) {
    const name = typeof card.name === 'string' ? card.name : '?';
    const pos = typeof card.position === 'string' ? card.position : '';
    const reversed = card.reversed === true;
    const id = Number.isInteger(card.card) && card.card >= 0 && card.card < 78 ? card.card : null;
    const tile = el('div', {
      className: 'tile pos-' + n + (reversed ? ' reversed' : '') + (card.major ? ' major' : ''),
      attrs: { 'data-card': name, 'data-position': n, 'data-reversed': reversed ? 'true' : 'false' },
    }, [
      el('span', { className: 'tile-num', text: n }),
      el('span', { className: 'tile-face' }, [id === null ? null : cardArt(id, across)]),
      el('span', { className: 'tile-name', text: name }),
      el('span', { className: 'tile-pos', text: pos }),
      reversed ? el('span', { className: 'tile-rev', text: T('reading.reversed') }) : null,
    ]);
    return tile;
  }

  function renderSpread(container, reading) {
    const key = safeKey(reading.spread);
    const cards = Array.isArray(reading.cards) ? reading.cards.filter((c) => c && typeof c === 'object') : [];
    container.replaceChildren();
    const crossing = key === 'celtic_cross' && cards.length === 10;
    const tiles = cards.map((c, i) => cardTile(c, i + 1, crossing && i === 1));
    let layout = key;
    if (key === 'celtic_cross' && tiles.length === 10) {
      tiles[0].classList.add('covered');
      tiles[1].classList.add('crossing');
      const centre = el('div', { className: 'cc-centre' }, [tiles[0], tiles[1]]);
      const cross = el('div', { className: 'cross' }, [centre, tiles[2], tiles[3], tiles[4], tiles[5]]);
      // Staff: DOM order 7..10, laid out bottom (7) to top (10) by CSS.
      const staff = el('div', { className: 'staff' }, tiles.slice(6));
      container.append(cross, staff);
    } else if ((key === 'one' && tiles.length === 1) || (key === 'three' && tiles.length === 3)) {
      container.append(...tiles);
    } else {
      layout = 'free';
      container.append(...tiles);
    }
    container.className = 'spread spread-' + key + ' layout-' + layout;
    container.setAttribute('data-spread', key);
    container.setAttribute('data-reading', typeof reading.id === 'string' ? reading.id : '');
    container.setAttribute('role', 'group');
    const spreadName = typeof reading.spread_name === 'string' ? reading.spread_name : T('reading.spread');
    container.setAttribute('aria-label', T('reading.laid_out', { spread: spreadName }));
  }

  /** Shrinks a card name whose longest word does not fit its tile (long names, narrow phones). */
  function fitNames(container) {
    for (const name of container.querySelectorAll('.tile-name')) {
      name.style.fontSize = '';
      name.classList.remove('wrap-any');
      let size = 1;
      let steps = 0;
      while (name.scrollWidth > name.clientWidth + 0.5 && steps < 4) {
        size -= 0.07;
        steps += 1;
        name.style.fontSize = size.toFixed(2) + 'em';
      }
      if (name.scrollWidth > name.clientWidth + 0.5) name.classList.add('wrap-any');
    }
  }

  function renderLegend(ol, reading) {
    ol.replaceChildren();
    const cards = Array.isArray(reading.cards) ? reading.cards : [];
    cards.forEach((c, i) => {
      if (!c || typeof c !== 'object') return;
      const reversed = c.reversed === true;
      ol.append(el('li', { className: reversed ? 'reversed-entry' : '', attrs: { 'data-position': i + 1 } }, [
        el('span', { className: 'lg-pos', text: (typeof c.position === 'string' ? c.position : T('reading.position', { n: i + 1 })) }),
        el('span', { className: 'lg-card' }, [
          el('strong', { text: typeof c.name === 'string' ? c.name : '?' }),
          reversed ? el('span', { className: 'lg-rev', text: T('reading.reversed_note') }) : null,
        ]),
        typeof c.meaning === 'string' && c.meaning ? el('span', { className: 'lg-meaning', text: c.meaning }) : null,
      ]));
    });
  }

  function showReading(reading, opts) {
    if (!reading || typeof reading !== 'object') return;
    const o = opts || {};
    state.openId = typeof reading.id === 'string' ? reading.id : null;
    state.shown = reading;
    const view = $('reading-view');
    $('reading-h').textContent = typeof reading.spread_name === 'string' && reading.spread_name ? reading.spread_name : T('reading.heading');
    $('reading-meta').textContent = fmtDateTime(reading.at);
    const q = $('reading-question');
    if (typeof reading.question === 'string' && reading.question.trim()) {
      q.textContent = reading.question;
      q.hidden = false;
    } else {
      q.textContent = '';
      q.hidden = true;
    }
    const cov = $('coverage');
    if (o.coverage) {
      cov.textContent = o.coverage;
      cov.hidden = false;
    } else {
      cov.textContent = '';
      cov.hidden = true;
    }
    renderSpread($('reading'), reading);
    renderLegend($('legend'), reading);
    view.hidden = false;
    const navBtn = document.querySelector('#nav [data-target="reading-view"]');
    if (navBtn) navBtn.hidden = false;
    fitNames($('reading'));
    markOpen();
    if (o.focus) {
      view.scrollIntoView({ block: 'start', behavior: smooth() });
      $('reading-h').focus({ preventScroll: true });
    }
  }

  // ---------------------------------------------------------------- history

  function markOpen() {
    for (const b of document.querySelectorAll('#readings-list .reading-item')) {
      if (b.getAttribute('data-id') === state.openId) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
  }

  function cardSummary(cards) {
    if (!Array.isArray(cards)) return '';
    return cards
      .filter((c) => c && typeof c.name === 'string')
      .map((c) => (c.reversed === true ? T('reading.reversed_name', { name: c.name }) : c.name))
      .join(', ');
  }

  function renderReadings(data) {
    const list = $('readings-list');
    list.replaceChildren();
    state.lastPage = data;
    const readings = Array.isArray(data.readings) ? data.readings : [];
    state.page = Number.isInteger(data.page) ? data.page : state.page;
    state.pages = Number.isInteger(data.pages) ? data.pages : (readings.length ? state.page + 1 : 0);
    for (const r of readings) {
      if (!r || typeof r !== 'object') continue;
      const btn = el('button', {
        className: 'reading-item',
        attrs: { type: 'button', 'data-id': typeof r.id === 'string' ? r.id : '' },
      }, [
        el('span', { className: 'ri-head' }, [
          el('span', { className: 'ri-spread', text: typeof r.spread_name === 'string' ? r.spread_name : T('reading.heading') }),
          el('span', { className: 'ri-date', text: fmtDateTime(r.at) }),
        ]),
        typeof r.question === 'string' && r.question.trim() ? el('span', { className: 'ri-q', text: r.question }) : null,
        el('span', { className: 'ri-cards', text: cardSummary(r.cards) }),
      ]);
      btn.addEventListener('click', () => {
        clearStatus();
        showReading(r, { focus: true });
      });
      list.append(el('li', null, [btn]));
    }
    const empty = readings.length === 0 && state.page === 0;
    $('readings-empty').hidden = !empty;
    $('pager').hidden = state.pages <= 1;
    $('newer').disabled = state.page <= 0;
    $('older').disabled = state.page >= state.pages - 1;
    $('page-info').textContent = state.pages > 0 ? T('history.page', { page: state.page + 1, pages: state.pages }) : '';
    markOpen();
    return readings;
  }

  async function loadReadings(page, opts) {
    const o = opts || {};
    const seq = ++state.listSeq;
    const p = Math.max(0, page | 0);
    const data = await api('GET', '/api/v1/readings?page=' + encodeURIComponent(String(p)));
    if (seq !== state.listSeq) return null; // a newer request superseded this one
    if (p > 0 && Number.isInteger(data.pages) && p >= data.pages) {
      // Past the last page the answer is empty: the history shrank (retention, a deletion)
      // under this page, so show its new last page instead.
      return loadReadings(data.pages - 1, o);
    }
    const readings = renderReadings(data);
    if (o.autoOpen) {
      if (readings.length > 0) {
        showReading(readings[0]);
      } else if (p === 0) {
        $('reading-view').hidden = true;
        showDrawScreen();
      }
    }
    return readings;
  }

  async function changePage(delta) {
    const next = state.page + delta;
    if (next < 0 || (state.pages && next > state.pages - 1)) return;
    const newer = $('newer');
    const older = $('older');
    newer.disabled = true;
    older.disabled = true;
    try {
      await loadReadings(next);
      clearStatus();
      $('readings-h').focus({ preventScroll: true });
    } catch (e) {
      report(e);
      newer.disabled = state.page <= 0;
      older.disabled = state.page >= state.pages - 1;
    }
  }

  function showDrawScreen() {
    const draw = $('draw');
    draw.scrollIntoView({ block: 'start' });
    $('draw-h').focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- draw

  function coverageText(cov) {
    if (!cov || typeof cov !== 'object') return '';
    const left = Number(cov.left);
    if (cov.kind === 'allowance' && Number.isFinite(left)) {
      return TP('draw.left_today', left);
    }
    if (cov.kind === 'credit' && Number.isFinite(left)) {
      return T('draw.paid_credit', { n: left });
    }
    return '';
  }

  async function onDraw(ev) {
    ev.preventDefault();
    if (state.drawing || state.ended) return;
    const checked = document.querySelector('#draw-choices input[name="spread"]:checked');
    if (!checked) {
      setMsg('draw-msg', T('draw.choose_spread'), 'error');
      return;
    }
    const question = $('question').value.trim().slice(0, QUESTION_MAX);
    const body = { spread: checked.value };
    if (question) body.question = question;
    const button = $('draw-button');
    state.drawing = true;
    button.disabled = true;
    button.textContent = T('draw.drawing');
    button.setAttribute('aria-busy', 'true');
    setMsg('draw-msg', T('draw.shuffling'), '');
    try {
      const res = await api('POST', '/api/v1/draw', body);
      const reading = res.reading;
      const cov = coverageText(res.coverage);
      $('question').value = '';
      updateCount();
      setMsg('draw-msg', cov ? T('draw.done_with', { coverage: cov }) : T('draw.done'), 'ok');
      showReading(reading, { coverage: cov, focus: true });
      const lower = cov ? cov.charAt(0).toLocaleLowerCase(words.locale) + cov.slice(1) : '';
      setStatus(cov ? T('draw.laid_out_with', { coverage: lower }) : T('draw.laid_out'), 'ok');
      // Refresh the plan and the history; failures here are not the draw's failure.
      Promise.allSettled([loadMe(), loadReadings(0)]).then((results) => {
        const list = results[1].status === 'fulfilled' ? results[1].value : null;
        adoptDrawnId(reading, list);
        markOpen();
      });
    } catch (e) {
      if (e.status === 401) return;
      let text = e.message;
      if (e.status === 403 && e.data && e.data.reason === 'daily_limit') {
        const zone = state.me ? state.me.reset_zone : '';
        const r = fmtReset(e.data.resets_at !== undefined ? e.data.resets_at : (state.me && state.me.resets_at), zone);
        if (r) text += '. ' + r + '.';
        loadMe().catch(() => {});
      }
      setMsg('draw-msg', text, 'error');
    } finally {
      state.drawing = false;
      button.textContent = T('draw.button');
      button.removeAttribute('aria-busy');
      button.disabled = state.ended;
    }
  }

  /** A fresh draw comes without an id; take the stored one from the newest history entry if it is the same reading. */
  function adoptDrawnId(reading, list) {
    if (state.shown !== reading || state.openId || !Array.isArray(list) || !list[0]) return;
    const top = list[0];
    const names = (r) => (Array.isArray(r.cards) ? r.cards.map((c) => (c && c.name) + (c && c.reversed ? '^' : '')).join('|') : '');
    if (top.spread === reading.spread && typeof top.id === 'string' && names(top) === names(reading)) {
      state.openId = top.id;
      $('reading').setAttribute('data-reading', top.id);
    }
  }

  function updateCount() {
    const q = $('question');
    $('question-count').textContent = q.value.length + ' / ' + QUESTION_MAX;
  }

  // ---------------------------------------------------------------- privacy

  function onExportClick() {
    setMsg('privacy-msg', '', '');
    if (state.me && state.me.two_factor) openExportForm();
    else doExport(null);
  }

  function openExportForm() {
    $('export-form').hidden = false;
    $('export').setAttribute('aria-expanded', 'true');
    $('export-code').focus();
  }

  function closeExportForm(refocus) {
    $('export-form').hidden = true;
    $('export-code').value = '';
    $('export').setAttribute('aria-expanded', 'false');
    if (refocus) $('export').focus();
  }

  function onExportSubmit(ev) {
    ev.preventDefault();
    const code = $('export-code').value.replace(/\s+/g, '');
    if (!code) {
      setMsg('privacy-msg', T('privacy.enter_code'), 'error');
      $('export-code').focus();
      return;
    }
    doExport(code);
  }

  /** Fetches the export (with a step-up code under two-factor) and offers it as a download. */
  async function doExport(code) {
    if (state.exporting || state.ended) return;
    state.exporting = true;
    const buttons = [$('export'), $('export-go')];
    for (const b of buttons) b.disabled = true;
    setMsg('privacy-msg', T('privacy.preparing'), '');
    try {
      const text = code
        ? await api('POST', '/api/v1/export', { code }, { raw: true })
        : await api('GET', '/api/v1/export', undefined, { raw: true });
      closeExportForm(false);
      const blob = new Blob([text], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = el('a', { attrs: { href: url, download: 'arcana-export.json' } });
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30000);
      setMsg('privacy-msg', T('privacy.downloading'), 'ok');
      showExportText(text);
    } catch (e) {
      if (e.status === 401) return;
      setMsg('privacy-msg', e.message, 'error');
      const reason = e.data && e.data.reason;
      if (reason === 'code_required' || reason === 'code_invalid') {
        openExportForm();
        $('export-code').select();
      }
    } finally {
      state.exporting = false;
      for (const b of buttons) b.disabled = false;
    }
  }

  /** Some in-app browsers ignore downloads; the same JSON is also shown, ready to copy. */
  function showExportText(text) {
    let pretty = text;
    try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* show as sent */ }
    const old = $('export-view');
    if (old) old.remove();
    const details = el('details', { className: 'export-view', attrs: { id: 'export-view' } }, [
      el('summary', { text: T('privacy.show_export') }),
      el('pre', { className: 'export-text', text: pretty, attrs: { tabindex: '0' } }),
    ]);
    $('privacy-msg').after(details);
  }

  function openDeleteConfirm() {
    const form = $('delete-form');
    form.hidden = false;
    $('delete').setAttribute('aria-expanded', 'true');
    setMsg('privacy-msg', '', '');
    const needCode = !!(state.me && state.me.two_factor);
    $('code-row').hidden = !needCode;
    if (needCode) $('delete-code').focus();
    else $('delete-yes').focus();
  }

  function closeDeleteConfirm() {
    $('delete-form').hidden = true;
    $('delete-code').value = '';
    $('delete').setAttribute('aria-expanded', 'false');
    $('delete').focus();
  }

  async function onDelete(ev) {
    ev.preventDefault();
    if (state.deleting || state.ended) return;
    const needCode = !!(state.me && state.me.two_factor);
    const code = $('delete-code').value.replace(/\s+/g, '');
    if (needCode && !code) {
      setMsg('privacy-msg', T('privacy.enter_code'), 'error');
      $('delete-code').focus();
      return;
    }
    const yes = $('delete-yes');
    state.deleting = true;
    yes.disabled = true;
    setMsg('privacy-msg', T('privacy.deleting'), '');
    try {
      const res = await api('POST', '/api/v1/delete', needCode ? { code } : {});
      if (res && res.deleted === true) {
        setMsg('privacy-msg', '', '');
        endSession(T('privacy.deleted'), false);
      } else {
        setMsg('privacy-msg', T('privacy.not_confirmed'), 'error');
      }
    } catch (e) {
      if (e.status === 401) return;
      setMsg('privacy-msg', e.message, 'error');
      const reason = e.data && e.data.reason;
      if (reason === 'code_required' || reason === 'code_invalid') {
        $('code-row').hidden = false;
        $('delete-code').focus();
        $('delete-code').select();
      }
    } finally {
      state.deleting = false;
      yes.disabled = false;
    }
  }

  async function onLogout() {
    const b = $('logout');
    b.disabled = true;
    try {
      await api('POST', '/api/v1/logout', {});
    } catch (e) {
      if (e.status === 401) return;
      if (e.status === 0) {
        setMsg('privacy-msg', e.message, 'error');
        b.disabled = false;
        return;
      }
    }
    b.disabled = false;
    setToken(null);
    state.ended = true;
    $('main').hidden = true;
    $('nav').hidden = true;
    showWho(null);
    setStatus(TN('privacy.logged_out', { login: loginLink() }), 'info');
  }

  // ---------------------------------------------------------------- boot

  function report(e) {
    if (e && e.status === 401) return; // endSession already said so
    setStatus(e && e.message ? e.message : T('error.network'), 'error');
  }

  function wire() {
    $('draw-form').addEventListener('submit', onDraw);
    $('question').addEventListener('input', updateCount);
    $('newer').addEventListener('click', () => changePage(-1));
    $('older').addEventListener('click', () => changePage(1));
    $('export').setAttribute('aria-expanded', 'false');
    $('export').setAttribute('aria-controls', 'export-form');
    $('export').addEventListener('click', onExportClick);
    $('export-form').addEventListener('submit', onExportSubmit);
    $('export-cancel').addEventListener('click', () => closeExportForm(true));
    $('delete').setAttribute('aria-expanded', 'false');
    $('delete').setAttribute('aria-controls', 'delete-form');
    $('delete').addEventListener('click', openDeleteConfirm);
    $('delete-cancel').addEventListener('click', closeDeleteConfirm);
    $('delete-form').addEventListener('submit', onDelete);
    $('logout').addEventListener('click', onLogout);
    $('not-you').addEventListener('click', onNotYou);
    window.addEventListener('resize', onResize);
    for (const b of document.querySelectorAll('#nav .nav-btn')) {
      b.addEventListener('click', () => {
        const target = $(b.getAttribute('data-target'));
        if (!target || target.hidden) return;
        target.scrollIntoView({ block: 'start', behavior: smooth() });
        const h = target.querySelector('h2');
        if (h) {
          if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
          h.focus({ preventScroll: true });
        }
      });
    }
  }

  function onResize() {
    if (state.resizeTimer) clearTimeout(state.resizeTimer);
    state.resizeTimer = setTimeout(() => {
      const view = $('reading-view');
      if (view && !view.hidden) fitNames($('reading'));
    }, 150);
  }

  async function loadAll() {
    setStatus(T('app.loading'), 'info');
    const results = await Promise.allSettled([loadMe(), loadReadings(0, { autoOpen: true })]);
    if (state.ended) return;
    const failed = results.find((r) => r.status === 'rejected');
    $('main').hidden = false;
    $('nav').hidden = false;
    if (!$('reading-view').hidden) fitNames($('reading'));
    if (failed) {
      const e = failed.reason;
      if (retryable(e)) setStatus([e.message + ' ', retryButton(loadAll)], 'error');
      else report(e);
      if (results[0].status === 'rejected') {
        $('plan-body').replaceChildren(el('dt', { text: T('plan.plan') }), el('dd', { className: 'hint', text: T('plan.not_loaded') }));
        // Without /me we cannot offer spreads; keep the page but say why.
        $('draw-button').disabled = true;
      }
    } else {
      clearStatus();
    }
    // The draw screen may have been scrolled to before main was shown.
    if (results[1].status === 'fulfilled' && Array.isArray(results[1].value) && results[1].value.length === 0) {
      showDrawScreen();
    }
  }

  async function boot() {
    readEmbeddedWords();
    listenTelegram();
    const stored = parseThemeJson(storageGet(THEME_KEY));
    if (stored) applyTheme(stored);

    const hash = window.location.hash ? window.location.hash.slice(1) : '';
    const params = new URLSearchParams(hash);
    const theme = parseThemeJson(params.get('tgWebAppThemeParams'));
    if (theme && applyTheme(theme)) storageSet(THEME_KEY, JSON.stringify(theme));
    tellTelegramReady();

    const loginCode = params.get('login_code');
    const initData = params.get('tgWebAppData');
    const launch = initData !== null ? telegramLaunch(params) : null;
    if (loginCode !== null || initData !== null) {
      // Remove the one-time login code / initData from the address bar and history.
      try { history.replaceState(null, '', '/app'); } catch (_) { /* ignore */ }
    }

    wire();
    updateCount();
    // Inside Telegram the launch data names the user's language: the page speaks it from the
    // first word on (the session's answer, which also knows a stored choice, has the last word).
    if (launch) await switchWords(initDataLanguage(initData));
    loadFaces();

    state.token = storageGet(TOKEN_KEY);
    if (loginCode) {
      // Back from the Telegram Login page: the code is exchanged together with this browser's
      // login cookie, so nobody else's link can sign this browser in.
      setToken(null);
      await openSession({ login_code: loginCode });
      return;
    }
    if (initData !== null && !launch) {
      // A sign-in in the address but no Telegram client around it: a link someone made, perhaps
      // with their own sign-in (login CSRF). It is not used; a session this tab had goes on.
      if (state.token) {
        state.ended = false;
        await loadAll();
      }
      setStatus(TN('session.not_in_telegram', { login: loginLink() }), 'error');
      return;
    }
    if (initData) {
      // After a reload Telegram hands over the same initData, which arcana accepts only once:
      // keep this tab's token while it still works for the same user.
      if (state.token && await tokenWorksFor(initDataUser(initData))) {
        state.ended = false;
        await loadAll();
        return;
      }
      setToken(null);
      await openSession({ init_data: initData, launch });
      return;
    }

    if (!state.token) {
      setStatus(TN('session.no_auth', { login: loginLink() }), 'info');
      return;
    }
    state.ended = false;
    await loadAll();
  }

  /**
   * How this page was opened inside a Telegram client, or null when it cannot have been: the
   * address carries exactly one tgWebAppData and a named tgWebAppPlatform, and a Telegram client
   * is around the page — a native client's injected TelegramWebviewProxy, or a frame of
   * Telegram's web client (the CSP's frame-ancestors admits only those; where the browser names
   * the framing origins, they must be Telegram's). Anyone can put initData into a link; only a
   * Telegram client can put this page inside itself.
   */
  function telegramLaunch(params) {
    if (params.getAll('tgWebAppData').length !== 1) return null;
    // `arcana demo --web`: its server marks the page; only that server accepts the claim.
    if (document.querySelector('meta[name="arcana-launch"][content="demo"]')) return { platform: 'demo', via: 'demo' };
    const platforms = params.getAll('tgWebAppPlatform');
    const platform = platforms.length === 1 ? platforms[0] : '';
    if (!/^[a-z_]{1,20}$/.test(platform) || platform === 'unknown') return null;
    let native = false;
    try {
      const proxy = window.TelegramWebviewProxy;
      native = !!proxy && typeof proxy.postEvent === 'function';
    } catch (_) { native = false; }
    if (native) return { platform, via: 'webview' };
    let framed = false;
    try {
      framed = window.parent !== window;
      const ancestors = window.location.ancestorOrigins;
      if (framed && ancestors && ancestors.length) {
        framed = Array.from(ancestors).every((o) => TELEGRAM_ORIGIN_RE.test(String(o)));
      }
    } catch (_) { framed = false; }
    return framed ? { platform, via: 'frame' } : null;
  }

  /** The Telegram user id named in initData, or null. */
  function initDataUser(initData) {
    try {
      const user = JSON.parse(new URLSearchParams(initData).get('user') || 'null');
      return user && typeof user.id === 'number' ? user.id : null;
    } catch (_) {
      return null;
    }
  }

  /** The language_code of the user named in initData, or null (it only picks the page's words). */
  function initDataLanguage(initData) {
    try {
      const user = JSON.parse(new URLSearchParams(initData).get('user') || 'null');
      return user && typeof user.language_code === 'string' ? user.language_code : null;
    } catch (_) {
      return null;
    }
  }

  /** Whether the stored token still works and belongs to `userId` (no messages shown). */
  async function tokenWorksFor(userId) {
    if (userId === null) return false;
    try {
      const res = await fetch('/api/v1/me', { headers: { Authorization: 'Bearer ' + state.token } });
      if (!res.ok) return false;
      const me = await res.json();
      return !!me && me.user_id === userId;
    } catch (_) {
      return false;
    }
  }

  /** Trades Telegram's initData (or a login code) for a session token, then loads everything. */
  async function openSession(body) {
    setStatus(T('app.opening'), 'info');
    try {
      const res = await api('POST', '/api/v1/session', body);
      if (!res || typeof res.token !== 'string' || !res.token) {
        throw new ApiError(500, T('error.unexpected'), null);
      }
      setToken(res.token);
      await switchWords(res.locale);
      showWho(res);
    } catch (e) {
      if (e.status === 401) return; // endSession showed the message
      // The hash is gone from the URL, so a reload could not retry: offer it here.
      if (retryable(e)) setStatus([e.message + ' ', retryButton(() => openSession(body))], 'error');
      else report(e);
      return;
    }
    state.ended = false;
    await loadAll();
  }

  function retryable(e) {
    return !!e && (e.status === 0 || e.status === 429 || e.status >= 500);
  }

  function retryButton(fn) {
    const b = el('button', { className: 'btn btn-secondary btn-small', text: T('app.try_again'), attrs: { type: 'button' } });
    b.addEventListener('click', () => {
      b.disabled = true;
      fn();
    });
    return b;
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => { boot(); });
  } else {
    boot();
  }
})();
