// The wacart web simulator: the customer's phone and the business's view of the sandbox.
//
// Rules this file keeps:
// - Data from the sandbox becomes text only (textContent and text nodes, through `h`); no
//   markup is ever built from strings.
// - Prices stay decimal strings; sums and products are exact (BigInt), never floats.
// - The page holds no truth: every change the sandbox makes arrives as an event on
//   /sandbox/events, and the page fetches again what it shows.
'use strict';

(() => {
  const THREAD_PAGE = 60;
  const CART_MAX = 99;
  const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

  const S = {
    overview: null,
    customers: [],
    customer: null, // wa_id
    device: null, // device name
    chats: [],
    number: null, // phone_number_id of the open chat
    thread: null, // {number, messages: Map(position -> message), before, typing, read_upto}
    cart: null,
    screens: [], // the phone's navigation stack above the thread: {kind, ...}
    reply: null, // message the composer quotes
    deliveries: [],
    outbound: [],
    open: new Set(), // open <details> in the business pane
    pane: 'webhooks',
  };

  // ---- DOM ----

  /** An element: props set as attributes or listeners; children as nodes or text. */
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, kids);
    return el;
  }

  function append(el, kids) {
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }

  const $ = (id) => document.getElementById(id);

  // Icons drawn here, so the page looks the same without an emoji font.
  const ICONS = {
    cart: ['M3 4h2l2.4 10.2a1 1 0 0 0 1 .8h8.7a1 1 0 0 0 1-.8L20 7H6', 'c9 19', 'c17 19'],
    trash: ['M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13'],
    pin: ['M12 21s-6-5.5-6-11a6 6 0 0 1 12 0c0 5.5-6 11-6 11z', 'c12 10'],
    camera: ['M4 8h3l2-3h6l2 3h3v11H4z', 'C12 13'],
    image: ['M4 5h16v14H4z', 'M4 16l5-5 4 4 3-3 4 4', 'c15.5 9'],
    reply: ['M10 8L5 12l5 4M5 12h9a5 5 0 0 1 5 5v1'],
    smile: ['C12 12', 'M8.5 14.5a4 4 0 0 0 7 0', 'c9.5 10', 'c14.5 10'],
  };

  function icon(name) {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'icon');
    svg.setAttribute('aria-hidden', 'true');
    for (const d of ICONS[name]) {
      let el;
      if (d[0] === 'c' || d[0] === 'C') {
        const [x, y] = d.slice(1).trim().split(' ');
        el = document.createElementNS(NS, 'circle');
        el.setAttribute('cx', x);
        el.setAttribute('cy', y);
        el.setAttribute('r', d[0] === 'C' ? (name === 'smile' ? '9' : '3.5') : '1.4');
      } else {
        el = document.createElementNS(NS, 'path');
        el.setAttribute('d', d);
      }
      svg.append(el);
    }
    return svg;
  }

  function replace(el, ...kids) {
    el.replaceChildren();
    return append(el, kids);
  }

  // ---- Money: exact decimals ----

  const SYMBOLS = { USD: '$', EUR: '€', GBP: '£', INR: '₹', BRL: 'R$', JPY: '¥', MXN: 'MX$', IDR: 'Rp' };

  function money(amount, currency) {
    if (amount === null || amount === undefined) return '';
    const symbol = SYMBOLS[currency];
    return symbol ? `${symbol}${amount}` : `${amount} ${currency || ''}`.trim();
  }

  /** `"3.79" × 3 = "11.37"`, exactly. */
  function times(amount, quantity) {
    const [whole, frac = ''] = String(amount).split('.');
    const scale = frac.length;
    const units = BigInt(whole + frac) * BigInt(quantity);
    if (scale === 0) return units.toString();
    const digits = units.toString().padStart(scale + 1, '0');
    return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }

  // ---- Time ----

  function clockText(seconds) {
    const d = new Date(seconds * 1000);
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function dateTime(ms) {
    return new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' });
  }

  // ---- The API ----

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    const text = await r.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (_) {
      data = null;
    }
    if (!r.ok) {
      const e = data && data.error;
      const details = e && e.error_data && typeof e.error_data === 'object' ? e.error_data.details : null;
      throw new ApiError(r.status, details || (e && e.message) || text || `HTTP ${r.status}`, data);
    }
    return data;
  }

  const enc = encodeURIComponent;
  const customerPath = () => `/sandbox/customers/${enc(S.customer)}`;
  const cartPath = (number) =>
    `${customerPath()}/devices/${enc(S.device)}/carts/${enc(number || S.number)}`;

  // ---- Toasts ----

  let toastTimer = null;
  function toast(message) {
    const t = $('toast');
    t.textContent = message;
    t.classList.add('shown');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => t.classList.remove('shown'), 6000);
  }

  async function attempt(what, f) {
    try {
      return await f();
    } catch (e) {
      toast(`${what}: ${e.message}`);
      return undefined;
    }
  }

  // ---- The cart dialog ----

  function notice(text) {
    const d = $('dialog');
    $('dialog-title').textContent = 'Cart updated';
    $('dialog-text').textContent = text;
    if (!d.open) d.showModal();
    $('dialog-ok').focus();
  }

  // ---- Loading ----

  let refreshing = null;
  let again = false;

  /** Fetches again everything shown; overlapping calls coalesce into one more run. */
  function refresh() {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        await attempt('Refresh', refreshOnce);
      } while (again);
      refreshing = null;
    })();
    return refreshing;
  }

  async function refreshOnce() {
    const [overview, customers] = await Promise.all([
      api('GET', '/sandbox/overview'),
      api('GET', '/sandbox/customers'),
    ]);
    S.overview = overview;
    S.customers = customers.data;
    pickDefaults();
    renderWho();
    const jobs = [refreshChats(), refreshBusiness()];
    if (S.number) jobs.push(refreshThread());
    const top = S.screens[S.screens.length - 1];
    if (top && (top.kind === 'cart' || top.kind === 'items' || top.kind === 'product' || top.kind === 'catalog')) {
      jobs.push(refreshCart());
    }
    await Promise.all(jobs);
    renderScreen();
  }

  function pickDefaults() {
    const ids = S.customers.map((c) => c.wa_id);
    if (!S.customer || !ids.includes(S.customer)) S.customer = ids[0] || null;
    const c = currentCustomer();
    const devices = c ? Object.keys(c.devices || {}) : [];
    if (!S.device || !devices.includes(S.device)) S.device = devices[0] || null;
  }

  function currentCustomer() {
    return S.customers.find((c) => c.wa_id === S.customer) || null;
  }

  function numberInfo(id) {
    return ((S.overview && S.overview.numbers) || []).find((n) => n.phone_number_id === id) || null;
  }

  async function refreshChats() {
    if (!S.customer) {
      S.chats = [];
    } else {
      S.chats = (await api('GET', `${customerPath()}/threads`)).data;
    }
    if (!S.number && S.chats.length) S.number = S.chats[0].phone_number_id;
    renderChats();
  }

  async function refreshThread(older) {
    const number = S.number;
    if (!number || !S.customer || !S.device) return;
    if (!S.thread || S.thread.number !== number || S.thread.customer !== S.customer || S.thread.device !== S.device) {
      S.thread = { number, customer: S.customer, device: S.device, messages: new Map(), before: undefined, typing: false };
      S.reply = null;
    }
    const t = S.thread;
    let q = `?limit=${THREAD_PAGE}&device=${enc(S.device)}`;
    if (older) {
      if (t.before === null || t.before === undefined) return;
      q += `&before=${t.before}`;
    }
    const page = await api('GET', `${customerPath()}/threads/${enc(number)}${q}`);
    if (S.thread !== t) return;
    for (const m of page.messages) t.messages.set(m.position, m);
    if (older || t.before === undefined) t.before = page.paging.before;
    t.typing = page.typing;
    t.read_upto = page.read_upto;
  }

  async function refreshCart() {
    if (!S.number || !S.device) return;
    S.cart = await api('GET', cartPath());
    if (S.cart.notice) notice(S.cart.notice);
  }

  async function refreshBusiness() {
    const o = S.overview;
    const lastDelivery = o.webhooks.last_id;
    const after = Math.max(0, lastDelivery - 30);
    const [deliveries, outbound] = await Promise.all([
      api('GET', `/sandbox/webhooks/deliveries?after=${after}&limit=30`),
      api('GET', '/sandbox/outbound?limit=30'),
    ]);
    S.deliveries = deliveries.data.slice().reverse();
    S.outbound = outbound.data;
    renderBusiness();
  }

  // ---- Who: customer and device ----

  function renderWho() {
    const sel = $('customer');
    const options = S.customers.map((c) =>
      h('option', { value: c.wa_id, selected: c.wa_id === S.customer }, `${c.name || c.wa_id} (+${c.wa_id})`),
    );
    if (sig(sel, options.map((o) => o.value + o.textContent + o.selected))) replace(sel, options);
    sel.value = S.customer || '';
    const c = currentCustomer();
    const devices = c ? Object.entries(c.devices || {}) : [];
    const dsel = $('device');
    const doptions = devices.map(([name, d]) =>
      h('option', { value: name, selected: name === S.device }, `${name} (${platformName(d.platform)} ${d.app_version})`),
    );
    if (sig(dsel, doptions.map((o) => o.value + o.textContent))) replace(dsel, doptions);
    dsel.value = S.device || '';
    const d = c && S.device ? c.devices[S.device] : null;
    const form = $('device-form');
    if (d && form.dataset.for !== `${S.customer}/${S.device}/${d.platform}/${d.app_version}`) {
      form.dataset.for = `${S.customer}/${S.device}/${d.platform}/${d.app_version}`;
      $('platform').value = d.platform;
      $('app-version').value = d.app_version;
    }
  }

  /** Whether `key` differs from what `el` was last drawn from (and remembers it). */
  function sig(el, key) {
    const k = JSON.stringify(key);
    if (el.dataset.sig === k) return false;
    el.dataset.sig = k;
    return true;
  }

  function platformName(p) {
    return { android: 'Android', ios: 'iOS', web: 'Web' }[p] || p;
  }

  // ---- Chats ----

  function summary(m) {
    if (!m) return '';
    if (m.unsupported) return 'Update WhatsApp to see this message';
    const p = m.payload || {};
    switch (kindOf(m)) {
      case 'text':
        return m.text || '';
      case 'product':
        return `Product: ${m.text || productTitle(m) || ''}`;
      case 'product_list':
        return `Products: ${m.text || ''}`;
      case 'catalog_message':
        return `Catalog: ${m.text || ''}`;
      case 'order':
        return `Order: ${orderCount(m)} items`;
      case 'template':
        return m.text || (m.template && m.template.header) || 'Template';
      case 'image':
        return `Photo${m.text || (p.image && p.image.caption) ? `: ${m.text || p.image.caption}` : ''}`;
      case 'location':
        return `Location: ${m.text || ''}`;
      case 'reaction':
        return `Reacted ${m.text || (p.reaction && p.reaction.emoji) || ''}`;
      case 'button':
      case 'list':
        return interactiveBody(p) || m.type;
      default:
        return m.text || interactiveBody(p) || m.type;
    }
  }

  function interactiveBody(p) {
    return (p && p.interactive && p.interactive.body && p.interactive.body.text) || '';
  }

  function productTitle(m) {
    const s = m.sections && m.sections[0];
    const pr = s && s.products[0];
    return pr && pr.title;
  }

  function orderCount(m) {
    const items = (m.order && m.order.product_items) || [];
    return items.reduce((n, i) => n + (i.quantity || 0), 0);
  }

  function initials(name) {
    const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
    return (words.slice(0, 2).map((w) => Array.from(w)[0]).join('') || '?').toUpperCase();
  }

  function renderChats() {
    const ul = $('chats');
    if (!sig(ul, [S.number, S.chats])) return;
    if (!S.chats.length) {
      replace(ul, h('li', { class: 'empty' }, 'No business numbers yet.'));
      return;
    }
    replace(
      ul,
      S.chats.map((c) => {
        const name = c.verified_name || `+${c.display_number}`;
        const last = c.last;
        return h(
          'li',
          {},
          h(
            'button',
            {
              class: `chat${c.phone_number_id === S.number ? ' current' : ''}`,
              'data-number': c.phone_number_id,
              'aria-current': c.phone_number_id === S.number ? 'true' : null,
              onclick: () => openChat(c.phone_number_id),
            },
            h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(name)),
            h(
              'span',
              { class: 'chat-main' },
              h('span', { class: 'chat-name', dir: 'auto' }, name),
              h('span', { class: 'chat-last', dir: 'auto' }, last ? summary(last) : 'No messages yet'),
            ),
            h(
              'span',
              { class: 'chat-meta' },
              last ? h('span', { class: 'chat-time' }, clockText(last.timestamp)) : null,
              c.unread
                ? h('span', { class: 'badge', 'aria-label': `${c.unread} unread` }, String(c.unread))
                : null,
            ),
          ),
        );
      }),
    );
  }

  function openChat(number) {
    S.number = number;
    S.screens = [];
    S.thread = null;
    S.cart = null;
    saveHash();
    renderChats();
    refresh();
    $('phone').focus();
  }

  // ---- The phone's screens ----

  function push(screen) {
    S.screens.push(screen);
    renderScreen();
    refresh();
    const back = document.querySelector('#screen .back');
    if (back) back.focus();
  }

  function pop() {
    S.screens.pop();
    renderScreen();
    refresh();
  }

  function renderScreen() {
    const top = S.screens[S.screens.length - 1];
    if (!top) return renderThread();
    if (top.kind === 'items') return renderItems(top);
    if (top.kind === 'product') return renderProduct(top);
    if (top.kind === 'catalog') return renderCatalog(top);
    if (top.kind === 'cart') return renderCart();
    return renderThread();
  }

  /** The screen's frame: a bar with a back button and a title, then the body. */
  function frame(kind, title, subtitle) {
    const screen = $('screen');
    let bar;
    if (screen.dataset.kind === kind && screen.firstChild) {
      bar = screen.firstChild;
    } else {
      screen.dataset.kind = kind;
      replace(screen);
      bar = h('div', { class: 'bar' });
      screen.append(bar, h('div', { class: 'body' }), h('div', { class: 'foot' }));
    }
    replace(
      bar,
      kind === 'thread'
        ? h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(title))
        : h('button', { class: 'back', 'aria-label': 'Back', onclick: pop }, '←'),
      h('div', { class: 'bar-title' }, h('h2', { dir: 'auto' }, title), subtitle ? h('p', { class: 'bar-sub', dir: 'auto' }, subtitle) : null),
      kind === 'thread' && S.number ? cartButton() : null,
    );
    const [, body, foot] = screen.children;
    return { body, foot };
  }

  function cartButton() {
    const n = cartUnits();
    return h(
      'button',
      { class: 'cart-button', onclick: () => push({ kind: 'cart' }), 'aria-label': n ? `Cart, ${n} items` : 'Cart' },
      icon('cart'),
      n ? h('span', { class: 'badge', 'aria-hidden': 'true' }, String(n)) : null,
    );
  }

  function cartUnits() {
    if (!S.cart || !S.cart.items) return 0;
    return S.cart.items.reduce((n, i) => n + i.quantity, 0);
  }

  function quantityOf(retailerId) {
    const line = S.cart && S.cart.items && S.cart.items.find((i) => i.retailer_id === retailerId);
    return line ? line.quantity : 0;
  }

  // ---- The thread ----

  function renderThread() {
    const screen = $('screen');
    if (!S.customer || !S.device) {
      screen.dataset.kind = '';
      replace(screen, h('p', { class: 'empty' }, 'Add a customer to start.'));
      return;
    }
    if (!S.number) {
      screen.dataset.kind = '';
      replace(screen, h('p', { class: 'empty' }, 'Pick a chat.'));
      return;
    }
    const info = numberInfo(S.number);
    const name = (info && info.verified_name) || `+${(info && info.display_number) || S.number}`;
    const t = S.thread;
    const subtitle = t && t.typing ? 'typing…' : `+${(info && info.display_number) || ''} · business account`;
    const f = frame('thread', name, subtitle);
    let list = f.body.querySelector('ol.messages');
    if (!list) {
      const older = h('button', { class: 'older', onclick: () => loadOlder() }, 'Load earlier messages');
      list = h('ol', { class: 'messages', role: 'log', 'aria-label': 'Messages', 'aria-live': 'polite' });
      const typing = h('p', { class: 'typing', hidden: true, 'aria-live': 'polite' }, 'typing…');
      replace(f.body, older, list, typing);
      replace(f.foot, composer());
      watchTop(f.body, older);
      f.body.dataset.stick = 'bottom';
      f.body.addEventListener('scroll', () => {
        const b = f.body;
        b.dataset.stick = b.scrollHeight - b.scrollTop - b.clientHeight < 40 ? 'bottom' : '';
      });
    }
    if (!t) return;
    const olderButton = f.body.querySelector('.older');
    olderButton.hidden = t.before === null || t.before === undefined;
    f.body.querySelector('.typing').hidden = !t.typing;
    drawMessages(f.body, list, t);
    drawReplyBar(f.foot);
  }

  /** Loads older messages when the top of the thread comes into view. */
  function watchTop(body, older) {
    if (!('IntersectionObserver' in window)) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !older.hidden) loadOlder();
    }, { root: body });
    io.observe(older);
  }

  let loadingOlder = false;
  async function loadOlder() {
    if (loadingOlder || !S.thread) return;
    loadingOlder = true;
    const body = $('screen').querySelector('.body');
    const fromBottom = body ? body.scrollHeight - body.scrollTop : 0;
    await attempt('Earlier messages', () => refreshThread(true));
    renderScreen();
    if (body) body.scrollTop = body.scrollHeight - fromBottom;
    loadingOlder = false;
  }

  /** Draws each message once, and again only when what it shows changed. */
  function drawMessages(body, list, t) {
    const stick = body.dataset.stick === 'bottom';
    const all = Array.from(t.messages.values()).sort((a, b) => a.position - b.position);
    const byId = new Map(all.map((m) => [m.id, m]));
    const reactions = new Map(); // target id -> {customer, business}
    for (const m of all) {
      if (m.type !== 'reaction') continue;
      const target = m.direction === 'inbound' ? m.reply_to : m.payload && m.payload.reaction && m.payload.reaction.message_id;
      const emoji = m.direction === 'inbound' ? m.text : m.payload && m.payload.reaction && m.payload.reaction.emoji;
      if (!target) continue;
      const r = reactions.get(target) || {};
      r[m.direction === 'inbound' ? 'customer' : 'business'] = emoji || '';
      reactions.set(target, r);
    }
    const shown = all.filter((m) => m.type !== 'reaction');
    const keep = new Set(shown.map((m) => String(m.position)));
    for (const li of Array.from(list.children)) {
      if (!keep.has(li.dataset.position)) li.remove();
    }
    let next = null;
    for (let i = shown.length - 1; i >= 0; i--) {
      const m = shown[i];
      const quoted = m.reply_to ? byId.get(m.reply_to) : null;
      const key = JSON.stringify([m, reactions.get(m.id) || null, quoted ? summary(quoted) : null, S.reply && S.reply.id === m.id]);
      let li = list.querySelector(`:scope > li[data-position="${m.position}"]`);
      if (!li || li.dataset.key !== key) {
        const fresh = message(m, quoted, reactions.get(m.id));
        fresh.dataset.key = key;
        if (li) li.replaceWith(fresh);
        li = fresh;
      }
      if (li.nextSibling !== next || li.parentNode !== list) list.insertBefore(li, next);
      next = li;
    }
    if (stick) body.scrollTop = body.scrollHeight;
  }

  function statusMark(status) {
    switch (status) {
      case 'sent':
        return h('span', { class: 'ticks', role: 'img', 'aria-label': 'Sent' }, '✓');
      case 'delivered':
        return h('span', { class: 'ticks', role: 'img', 'aria-label': 'Delivered' }, '✓✓');
      case 'read':
        return h('span', { class: 'ticks read', role: 'img', 'aria-label': 'Read' }, '✓✓');
      case 'failed':
        return h('span', { class: 'ticks failed', role: 'img', 'aria-label': 'Failed' }, '⚠');
      default:
        return null;
    }
  }

  /** One message as WhatsApp draws it. */
  function message(m, quoted, reactions) {
    const mine = m.direction === 'inbound'; // the customer's own message
    const who = mine ? 'You' : 'Business';
    const bubble = h('div', { class: 'bubble' });
    if (m.forwarded_from) bubble.append(h('p', { class: 'forwarded' }, '↪ Forwarded'));
    if (quoted || m.reply_to) {
      bubble.append(
        h(
          'blockquote',
          { class: 'quote' },
          h('span', { class: 'quote-who' }, quoted ? (quoted.direction === 'inbound' ? 'You' : 'Business') : ''),
          h('span', { class: 'quote-text', dir: 'auto' }, quoted ? summary(quoted) : 'Earlier message'),
        ),
      );
    }
    if (m.unsupported) {
      bubble.classList.add('unsupported');
      const d = currentCustomer() && currentCustomer().devices[S.device];
      bubble.append(
        h('p', { class: 'update-app' }, '⚠ This message can\'t be displayed on your version of WhatsApp.'),
        h(
          'p',
          { class: 'update-app-hint' },
          `Update WhatsApp to see it (this device: ${d ? `${platformName(d.platform)} ${d.app_version}` : S.device}; the message is a ${m.type.replace('_', ' ')} message).`,
        ),
      );
    } else {
      append(bubble, [content(m)]);
    }
    if (m.status === 'failed' && !mine) {
      bubble.append(h('p', { class: 'failed-note' }, `Not delivered to this customer${m.error_code ? ` (error ${m.error_code})` : ''}.`));
    }
    bubble.append(h('span', { class: 'meta' }, h('time', {}, clockText(m.timestamp)), statusMark(m.status)));
    const r = reactions || {};
    const badges = [r.customer, r.business].filter(Boolean);
    const actions = h(
      'div',
      { class: 'actions' },
      h('button', { class: 'act reply', 'aria-label': 'Reply to this message', onclick: () => startReply(m) }, icon('reply')),
      !mine
        ? h(
            'details',
            { class: 'react' },
            h('summary', { 'aria-label': 'React' }, icon('smile')),
            h(
              'div',
              { class: 'react-menu', role: 'group', 'aria-label': 'Reactions' },
              REACTIONS.map((e) => h('button', { class: 'act', 'aria-label': `React ${e}`, onclick: () => react(m, e) }, e)),
              r.customer ? h('button', { class: 'act', onclick: () => react(m, '') }, 'Remove') : null,
            ),
          )
        : null,
    );
    return h(
      'li',
      {
        class: `msg ${mine ? 'out' : 'in'}${m.status === 'failed' ? ' failed' : ''}`,
        'data-position': m.position,
        'data-id': m.id,
        'data-type': m.type,
      },
      h('span', { class: 'sr' }, `${who}:`),
      bubble,
      badges.length ? h('span', { class: 'reactions', 'aria-label': `Reactions: ${badges.join(' ')}` }, badges.join(' ')) : null,
      actions,
    );
  }

  function text(t, cls) {
    return h('p', { class: cls || 'text', dir: 'auto' }, t);
  }

  /** The type that decides how a message is drawn: an outbound `interactive` by its own type. */
  function kindOf(m) {
    const i = m.payload && m.payload.interactive;
    return m.type === 'interactive' && m.direction === 'outbound' && i && i.type ? i.type : m.type;
  }

  /** What a message shows, by type. */
  function content(m) {
    const p = m.payload || {};
    const i = p.interactive || {};
    switch (kindOf(m)) {
      case 'text':
        return [text(m.text || ''), catalogLinkPreview(m.text || '')];
      case 'product':
        return productMessage(m);
      case 'product_list':
        return productListMessage(m, i);
      case 'catalog_message':
        return catalogMessage(m, i);
      case 'button':
        return buttonsMessage(m, i);
      case 'list':
        return listMessage(m, i);
      case 'order':
        return orderMessage(m);
      case 'image':
        return imageMessage(m, p);
      case 'location':
        return [h('p', { class: 'location' }, icon('pin'), ' ', h('span', { dir: 'auto' }, m.text || 'Location'))];
      case 'interactive':
        return [text(m.text || '')];
      case 'template':
        return templateMessage(m);
      default:
        return [text(m.text || interactiveBody(p) || `(${m.type} message)`)];
    }
  }

  function header(i) {
    const hd = i.header;
    if (!hd) return null;
    if (hd.type === 'text') return h('p', { class: 'header', dir: 'auto' }, hd.text || '');
    const kind = hd.type || 'media';
    return h('div', { class: 'media-placeholder', role: 'img', 'aria-label': `${kind} header` }, icon('image'), h('span', { class: 'media-src' }, kind));
  }

  function footer(i) {
    return i.footer && i.footer.text ? h('p', { class: 'footer', dir: 'auto' }, i.footer.text) : null;
  }

  /** A `wa.me/c/NUMBER` link: WhatsApp shows the business's catalog as its preview. */
  function catalogLinkPreview(t) {
    const found = /wa\.me\/c\/(\d{5,15})/.exec(t);
    if (!found) return null;
    const n = ((S.overview && S.overview.numbers) || []).find((x) => x.display_number === found[1]);
    return h(
      'div',
      { class: 'link-preview' },
      h('p', { class: 'lp-title', dir: 'auto' }, n ? `${n.verified_name}: catalog` : 'WhatsApp catalog'),
      h('p', { class: 'lp-host' }, 'wa.me'),
      n ? h('button', { class: 'wide', onclick: () => push({ kind: 'catalog', number: n.phone_number_id, q: '', items: null }) }, 'View catalog') : null,
    );
  }

  function thumb(title) {
    return h('span', { class: 'thumb', 'aria-hidden': 'true' }, initials(title));
  }

  function price(pr) {
    if (!pr.found) return h('p', { class: 'price' }, 'Not available');
    if (pr.sale_price) {
      return h(
        'p',
        { class: 'price' },
        h('span', { class: 'sale' }, money(pr.sale_price, pr.currency)),
        ' ',
        h('s', { class: 'regular', 'aria-label': `was ${money(pr.price, pr.currency)}` }, money(pr.price, pr.currency)),
      );
    }
    return h('p', { class: 'price' }, money(pr.price, pr.currency));
  }

  function availability(pr) {
    if (!pr.found) return null;
    const a = pr.availability || '';
    return h('p', { class: `availability${pr.purchasable ? '' : ' unavailable'}` }, a.charAt(0).toUpperCase() + a.slice(1));
  }

  function productMessage(m) {
    const pr = (m.sections[0] && m.sections[0].products[0]) || { found: false };
    return [
      h(
        'div',
        { class: 'product-card' },
        thumb(pr.title || pr.retailer_id),
        h('div', {}, h('p', { class: 'title', dir: 'auto' }, pr.title || pr.retailer_id), price(pr), availability(pr)),
      ),
      m.text ? text(m.text) : null,
      footer((m.payload && m.payload.interactive) || {}),
      h('button', { class: 'wide', onclick: () => push({ kind: 'product', message: m.id, product: pr }) }, 'View'),
    ];
  }

  function productListMessage(m, i) {
    const count = m.sections.reduce((n, s) => n + s.products.length, 0);
    return [
      header(i),
      text(m.text || ''),
      footer(i),
      h('p', { class: 'items-count' }, `${count} items`),
      h('button', { class: 'wide view-items', onclick: () => push({ kind: 'items', message: m.id }) }, 'View items'),
    ];
  }

  function catalogMessage(m, i) {
    const pr = m.sections[0] && m.sections[0].products[0];
    return [
      pr ? h('div', { class: 'product-card' }, thumb(pr.title || ''), h('p', { class: 'title', dir: 'auto' }, pr.title || '')) : null,
      text(m.text || ''),
      footer(i),
      h('button', { class: 'wide', onclick: () => push({ kind: 'catalog', number: S.number, q: '', items: null }) }, 'View catalog'),
    ];
  }

  function buttonsMessage(m, i) {
    const buttons = ((i.action && i.action.buttons) || []).map((b) => b.reply || b);
    return [
      header(i),
      text(interactiveBody(m.payload)),
      footer(i),
      h(
        'div',
        { class: 'reply-buttons', role: 'group', 'aria-label': 'Reply buttons' },
        buttons.map((b) => h('button', { class: 'wide', dir: 'auto', onclick: () => tap(m, b.id) }, b.title || b.id)),
      ),
    ];
  }

  function listMessage(m, i) {
    const action = i.action || {};
    const menu = h(
      'details',
      { class: 'list-menu' },
      h('summary', { class: 'wide', dir: 'auto' }, `☰ ${action.button || 'Menu'}`),
      (action.sections || []).map((s) =>
        h(
          'div',
          { class: 'list-section', role: 'group', 'aria-label': s.title || 'Options' },
          s.title ? h('p', { class: 'list-title', dir: 'auto' }, s.title) : null,
          (s.rows || []).map((r) =>
            h(
              'button',
              { class: 'row', onclick: () => tap(m, r.id) },
              h('span', { class: 'row-title', dir: 'auto' }, r.title || r.id),
              r.description ? h('span', { class: 'row-desc', dir: 'auto' }, r.description) : null,
            ),
          ),
        ),
      ),
    );
    return [header(i), text(interactiveBody(m.payload)), footer(i), menu];
  }

  /** A template message as the customer sees it: header (text, media or the product), body with
   * its parameters filled, footer, cards, and buttons that open what they name. */
  function templateMessage(m) {
    const t = m.template || {};
    const products = (m.sections || []).reduce((all, s) => all.concat(s.products), []);
    const single = !(t.cards && t.cards.length) && products.length === 1 ? products[0] : null;
    return [
      t.media ? mediaPlaceholder(t.media) : null,
      single
        ? h(
            'div',
            { class: 'product-card' },
            thumb(single.title || single.retailer_id),
            h('div', {}, h('p', { class: 'title', dir: 'auto' }, single.title || single.retailer_id), price(single), availability(single)),
          )
        : null,
      t.header ? h('p', { class: 'header', dir: 'auto' }, t.header) : null,
      t.cards && t.cards.length
        ? h(
            'ul',
            { class: 'carousel', 'aria-label': 'Cards' },
            t.cards.map((c, index) =>
              h(
                'li',
                { class: 'tcard' },
                c.product
                  ? h(
                      'div',
                      { class: 'product-card' },
                      thumb(c.product.title || c.product.retailer_id),
                      h('div', {}, h('p', { class: 'title', dir: 'auto' }, c.product.title || c.product.retailer_id), price(c.product)),
                    )
                  : c.media
                    ? mediaPlaceholder(c.media)
                    : null,
                c.body ? text(c.body) : null,
                templateButtons(m, c.buttons, c.product, index),
              ),
            ),
          )
        : null,
      text(m.text || ''),
      t.footer ? h('p', { class: 'footer', dir: 'auto' }, t.footer) : null,
      templateButtons(m, t.buttons, single, null),
      products.length > 1 && !(t.cards && t.cards.length)
        ? h('p', { class: 'items-count' }, `${products.length} items`)
        : null,
    ];
  }

  function mediaPlaceholder(kind) {
    return h('div', { class: 'media-placeholder', role: 'img', 'aria-label': `${kind} header` }, icon('image'), h('span', { class: 'media-src' }, kind));
  }

  /** A template's buttons: quick replies are tapped (the business gets a `button` message),
   * catalog, multi- and single-product buttons open what they name, URLs show where they go. */
  function templateButtons(m, buttons, product, card) {
    if (!buttons || !buttons.length) return null;
    return h(
      'div',
      { class: 'reply-buttons', role: 'group', 'aria-label': 'Buttons' },
      buttons.map((b) => {
        const kind = (b.type || '').toUpperCase();
        const label = b.text || kind;
        switch (kind) {
          case 'QUICK_REPLY':
            return h('button', { class: 'wide', dir: 'auto', onclick: () => tap(m, b.payload || b.text) }, label);
          case 'MPM':
            return h('button', { class: 'wide view-items', dir: 'auto', onclick: () => push({ kind: 'items', message: m.id }) }, label);
          case 'SPM':
            return product
              ? h('button', { class: 'wide', dir: 'auto', onclick: () => push({ kind: 'product', message: m.id, product }) }, label)
              : null;
          case 'CATALOG':
            return h('button', { class: 'wide', dir: 'auto', onclick: () => push({ kind: 'catalog', number: S.number, q: '', items: null }) }, label);
          default:
            if (product && card !== null) {
              return h('button', { class: 'wide', dir: 'auto', onclick: () => push({ kind: 'product', message: m.id, product }) }, label);
            }
            return h('span', { class: 'wide link-button', dir: 'auto', title: b.url || '' }, label);
        }
      }),
    );
  }

  function orderMessage(m) {
    const o = m.order || {};
    const items = o.product_items || [];
    const currency = items[0] && items[0].currency;
    let total = null;
    try {
      total = items.reduce((sum, it) => addDec(sum, times(decimalOf(it.item_price), it.quantity)), '0');
    } catch (_) {
      total = null;
    }
    return [
      h(
        'div',
        { class: 'order-card' },
        h('span', { class: 'thumb', 'aria-hidden': 'true' }, icon('cart')),
        h('div', {}, h('p', { class: 'title' }, `${orderCount(m)} items`), total ? h('p', { class: 'price' }, `${money(total, currency)} (estimated total)`) : null),
      ),
      h(
        'details',
        { class: 'order-lines' },
        h('summary', {}, 'View sent cart'),
        h('ul', {}, items.map((it) => h('li', {}, `${it.quantity} × ${it.product_retailer_id} @ ${money(decimalOf(it.item_price), it.currency)}`))),
      ),
      m.text ? text(m.text) : null,
    ];
  }

  /** A JSON number as its decimal text (item_price is a number on the wire). */
  function decimalOf(n) {
    return typeof n === 'string' ? n : String(n);
  }

  function addDec(a, b) {
    const scale = Math.max((a.split('.')[1] || '').length, (b.split('.')[1] || '').length);
    const units = (x) => {
      const [w, f = ''] = x.split('.');
      return BigInt(w + f.padEnd(scale, '0'));
    };
    const s = (units(a) + units(b)).toString().padStart(scale + 1, '0');
    return scale ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s;
  }

  function imageMessage(m, p) {
    const img = p.image || {};
    const caption = m.text || img.caption;
    return [
      h('div', { class: 'media-placeholder', role: 'img', 'aria-label': 'Photo' }, icon('image'), h('span', { class: 'media-src' }, img.link ? new URL(img.link, location.href).host : img.id ? `media ${img.id}` : 'photo')),
      caption ? text(caption) : null,
    ];
  }

  // ---- Customer actions ----

  function startReply(m) {
    S.reply = m;
    drawReplyBar($('screen').querySelector('.foot'));
    const input = $('compose-text');
    if (input) input.focus();
  }

  function drawReplyBar(foot) {
    if (!foot) return;
    const bar = foot.querySelector('.reply-bar');
    if (!bar) return;
    if (!S.reply) {
      bar.hidden = true;
      replace(bar);
      return;
    }
    bar.hidden = false;
    replace(
      bar,
      h('span', { class: 'quote-text', dir: 'auto' }, `Replying to: ${summary(S.reply)}`),
      h('button', { class: 'act', 'aria-label': 'Cancel reply', onclick: () => { S.reply = null; drawReplyBar(foot); } }, '✕'),
    );
  }

  function composer() {
    const input = h('input', { id: 'compose-text', type: 'text', autocomplete: 'off', placeholder: 'Message', 'aria-label': 'Message', dir: 'auto' });
    const form = h(
      'form',
      {
        class: 'composer',
        onsubmit: async (e) => {
          e.preventDefault();
          const body = input.value;
          if (!body.trim()) return;
          const sent = await attempt('Send', () => sendCustomer({ text: body }));
          if (sent) input.value = '';
        },
      },
      h('div', { class: 'reply-bar', hidden: true }),
      h('button', { type: 'button', class: 'act', 'aria-label': 'Share location', onclick: () => attempt('Location', () => sendCustomer({ location: { latitude: 52.52, longitude: 13.405, name: 'Home' } })) }, icon('pin')),
      h('button', { type: 'button', class: 'act', 'aria-label': 'Send a photo', onclick: () => attempt('Photo', () => sendCustomer({ image: { caption: null } })) }, icon('camera')),
      input,
      h('button', { type: 'submit', class: 'send', 'aria-label': 'Send' }, '➤'),
    );
    return form;
  }

  async function sendCustomer(what) {
    const body = Object.assign({ phone_number_id: S.number }, what);
    if (S.reply) body.reply_to = S.reply.id;
    const r = await api('POST', `${customerPath()}/messages`, body);
    S.reply = null;
    await refresh();
    return r;
  }

  async function tap(m, id) {
    await attempt('Tap', async () => {
      await api('POST', `${customerPath()}/messages/${enc(m.id)}/tap`, { id });
      await refresh();
    });
  }

  async function react(m, emoji) {
    await attempt('Reaction', async () => {
      await api('POST', `${customerPath()}/messages/${enc(m.id)}/react`, { emoji });
      await refresh();
    });
  }

  /** Sets a cart line (0 removes it), within 0..99. */
  async function setQuantity(retailerId, quantity, fromMessage) {
    if (quantity > CART_MAX) {
      toast(`You can add at most ${CART_MAX} of an item.`);
      quantity = CART_MAX;
    }
    quantity = Math.max(0, quantity);
    await attempt('Cart', async () => {
      const path = `${cartPath()}/items/${enc(retailerId)}`;
      if (quantity === 0) {
        await api('DELETE', path);
      } else {
        const body = { quantity };
        if (fromMessage && !quantityOf(retailerId) && !cartUnits()) body.from_message = fromMessage;
        await api('PUT', path, body);
      }
      await refreshCart();
      renderScreen();
    });
  }

  /** `−  N  +` for a product; + stops at 99. */
  function stepper(retailerId, title, fromMessage, purchasable) {
    const q = quantityOf(retailerId);
    const at = (n) => setQuantity(retailerId, n, fromMessage);
    if (!q) {
      return h(
        'div',
        { class: 'stepper' },
        h('button', { class: 'add', disabled: !purchasable, 'aria-label': `Add ${title} to cart`, onclick: () => at(1) }, purchasable ? 'Add' : 'Unavailable'),
      );
    }
    const input = h('input', {
      class: 'qty',
      type: 'number',
      min: 0,
      max: CART_MAX,
      value: String(q),
      inputmode: 'numeric',
      'aria-label': `Quantity of ${title}`,
      onchange: (e) => {
        const n = parseInt(e.target.value, 10);
        at(Number.isFinite(n) ? n : q);
      },
    });
    return h(
      'div',
      { class: 'stepper', role: 'group', 'aria-label': `Quantity of ${title}` },
      h('button', { class: 'minus', 'aria-label': `Remove one ${title}`, onclick: () => at(q - 1) }, '−'),
      input,
      h('button', { class: 'plus', disabled: q >= CART_MAX, 'aria-label': `Add one ${title}`, onclick: () => at(q + 1) }, '+'),
      q >= CART_MAX ? h('span', { class: 'cap', role: 'status' }, `Limit ${CART_MAX}`) : null,
    );
  }

  // ---- Multi-product: View items ----

  function findMessage(id) {
    if (!S.thread) return null;
    for (const m of S.thread.messages.values()) if (m.id === id) return m;
    return null;
  }

  function renderItems(top) {
    const m = findMessage(top.message);
    const i = (m && m.payload && m.payload.interactive) || {};
    const title = (i.header && i.header.text) || 'Items';
    const f = frame('items', title, m ? `${m.sections.reduce((n, s) => n + s.products.length, 0)} items` : '');
    if (!sig(f.body, [m, S.cart])) return;
    if (!m) {
      replace(f.body, h('p', { class: 'empty' }, 'This message is no longer loaded.'));
      return;
    }
    replace(
      f.body,
      m.text ? text(m.text, 'intro') : null,
      m.sections.map((s) =>
        h(
          'section',
          { class: 'section', 'aria-label': s.title || 'Products' },
          s.title ? h('h3', { dir: 'auto' }, s.title) : null,
          h('ul', { class: 'products' }, s.products.map((pr) => productRow(pr, m.id))),
        ),
      ),
    );
    replace(f.foot, h('button', { class: 'wide primary view-cart', onclick: () => push({ kind: 'cart' }) }, cartUnits() ? `View cart (${cartUnits()} items)` : 'View cart'));
  }

  function productRow(pr, fromMessage) {
    return h(
      'li',
      { class: 'product-row', 'data-retailer-id': pr.retailer_id },
      thumb(pr.title || pr.retailer_id),
      h(
        'div',
        { class: 'product-info' },
        h('button', { class: 'link title', dir: 'auto', onclick: () => push({ kind: 'product', message: fromMessage, product: pr }) }, pr.title || pr.retailer_id),
        price(pr),
        availability(pr),
      ),
      stepper(pr.retailer_id, pr.title || pr.retailer_id, fromMessage, pr.purchasable),
    );
  }

  // ---- A product's page ----

  function renderProduct(top) {
    const pr = top.product;
    const f = frame('product', pr.title || pr.retailer_id, null);
    if (!top.details && !top.loading && pr.found) {
      top.loading = true;
      api('GET', `/sandbox/numbers/${enc(S.number)}/catalog?q=${enc(pr.retailer_id)}&limit=500`)
        .then((c) => {
          top.details = c.data.find((x) => x.retailer_id === pr.retailer_id) || null;
          if (top.details) top.product = Object.assign({ found: true }, top.details);
          renderScreen();
        })
        .catch(() => {});
    }
    if (!sig(f.body, [top.product, top.details, S.cart])) return;
    const p = top.product;
    replace(
      f.body,
      h('div', { class: 'hero', 'aria-hidden': 'true' }, initials(p.title || p.retailer_id)),
      h('h3', { class: 'title', dir: 'auto' }, p.title || p.retailer_id),
      price(p),
      availability(p),
      top.details && top.details.description ? h('p', { class: 'description', dir: 'auto' }, top.details.description) : null,
      top.details && top.details.brand ? h('p', { class: 'brand', dir: 'auto' }, top.details.brand) : null,
      h('p', { class: 'retailer-id' }, `Item ${p.retailer_id}`),
      stepper(p.retailer_id, p.title || p.retailer_id, top.message, p.purchasable),
    );
    replace(f.foot, h('button', { class: 'wide primary view-cart', onclick: () => push({ kind: 'cart' }) }, cartUnits() ? `View cart (${cartUnits()} items)` : 'View cart'));
  }

  // ---- The catalog ----

  function renderCatalog(top) {
    const info = numberInfo(top.number);
    const f = frame('catalog', 'Catalog', info ? info.verified_name : '');
    if (!f.body.querySelector('.search')) {
      const input = h('input', { type: 'search', class: 'search-input', 'aria-label': 'Search the catalog', placeholder: 'Search', value: top.q });
      let timer = null;
      input.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          top.q = input.value;
          top.items = null;
          loadCatalog(top);
        }, 200);
      });
      replace(f.body, h('div', { class: 'search', role: 'search' }, input), h('ul', { class: 'products catalog' }), h('button', { class: 'wide more', hidden: true, onclick: () => loadCatalog(top, true) }, 'Load more'));
    }
    if (top.items === null && !top.loading) loadCatalog(top);
    const list = f.body.querySelector('ul.catalog');
    if (sig(list, [top.items, top.visible, S.cart])) {
      if (top.visible === false) replace(list, h('li', { class: 'empty' }, 'This business has hidden its catalog.'));
      else if (top.items && !top.items.length) replace(list, h('li', { class: 'empty' }, 'No items match.'));
      else replace(list, (top.items || []).map((p) => productRow(Object.assign({ found: true }, p), null)));
    }
    f.body.querySelector('.more').hidden = top.after === null || top.after === undefined;
    replace(f.foot, h('button', { class: 'wide primary view-cart', onclick: () => push({ kind: 'cart' }) }, cartUnits() ? `View cart (${cartUnits()} items)` : 'View cart'));
  }

  async function loadCatalog(top, more) {
    top.loading = true;
    const after = more && top.after ? `&after=${top.after}` : '';
    const c = await attempt('Catalog', () => api('GET', `/sandbox/numbers/${enc(top.number)}/catalog?q=${enc(top.q || '')}&limit=50${after}`));
    top.loading = false;
    if (!c) return;
    top.visible = c.visible;
    top.items = more && top.items ? top.items.concat(c.data) : c.data;
    top.after = c.paging.after;
    renderScreen();
  }

  // ---- The cart ----

  function renderCart() {
    const f = frame('cart', 'Your cart', null);
    const cart = S.cart;
    if (!sig(f.body, [cart])) return;
    if (!cart) {
      replace(f.body, h('p', { class: 'empty' }, 'Loading the cart…'));
      return;
    }
    if (!cart.items.length) {
      replace(f.body, h('p', { class: 'empty' }, 'Your cart is empty.'));
      replace(f.foot);
      return;
    }
    replace(
      f.body,
      h(
        'ul',
        { class: 'cart-lines' },
        cart.items.map((it) =>
          h(
            'li',
            { class: 'cart-line', 'data-retailer-id': it.retailer_id },
            thumb(it.title),
            h(
              'div',
              { class: 'product-info' },
              h('p', { class: 'title', dir: 'auto' }, it.title),
              h('p', { class: 'price' }, `${money(it.unit_price, cart.currency)} each`),
              h('p', { class: 'subtotal' }, money(times(it.unit_price, it.quantity), cart.currency)),
            ),
            h(
              'div',
              { class: 'line-controls' },
              stepper(it.retailer_id, it.title, null, true),
              h('button', { class: 'remove', 'aria-label': `Remove ${it.title} from cart`, onclick: () => setQuantity(it.retailer_id, 0) }, icon('trash')),
            ),
          ),
        ),
      ),
      h('p', { class: 'total' }, h('span', {}, 'Subtotal'), h('strong', { class: 'total-amount' }, money(cart.total, cart.currency))),
    );
    if (!f.foot.querySelector('.send-cart')) {
      const note = h('textarea', { id: 'cart-note', rows: 2, maxlength: 1024, placeholder: 'Add a note (optional)', 'aria-label': 'Note to the business', dir: 'auto' });
      replace(
        f.foot,
        h(
          'form',
          {
            class: 'send-form',
            onsubmit: async (e) => {
              e.preventDefault();
              const ok = await attempt('Send cart', () => api('POST', `${cartPath()}/send`, { text: note.value }));
              if (ok) {
                note.value = '';
                S.screens = [];
                S.cart = null;
                renderScreen();
                refresh();
              }
            },
          },
          note,
          h('button', { class: 'wide primary send-cart', type: 'submit' }, 'Send to business'),
        ),
      );
    }
  }

  // ---- The business side ----

  function renderBusiness() {
    renderWebhooks();
    renderOutbound();
    renderClock();
  }

  function detailsFor(key, summaryKids, bodyKids) {
    const d = h('details', { class: 'entry', open: S.open.has(key) }, h('summary', {}, summaryKids), bodyKids);
    d.addEventListener('toggle', () => (d.open ? S.open.add(key) : S.open.delete(key)));
    return d;
  }

  function describeWebhook(body) {
    try {
      const v = JSON.parse(body).entry[0].changes[0].value;
      if (v.messages) return v.messages.map((m) => m.type).join(', ');
      if (v.statuses) return v.statuses.map((s) => s.status).join(', ');
      if (v.errors) return 'errors';
    } catch (_) {
      return '';
    }
    return '';
  }

  function renderWebhooks() {
    const pane = $('pane-webhooks');
    if (!sig(pane, [S.deliveries, Array.from(S.open)])) return;
    if (!S.deliveries.length) {
      replace(pane, h('p', { class: 'empty' }, 'No webhooks yet.'));
      return;
    }
    replace(
      pane,
      h('p', { class: 'hint' }, 'The latest webhooks, newest first: each POST is signed with the app secret (X-Hub-Signature-256).'),
      h(
        'ul',
        { class: 'log' },
        S.deliveries.map((d) =>
          h(
            'li',
            { 'data-delivery': d.id, 'data-kind': describeWebhook(d.body) },
            detailsFor(
              `d${d.id}`,
              [
                h('span', { class: 'id' }, `#${d.id}`),
                ' ',
                h('span', { class: 'kind' }, `${d.kind}: ${describeWebhook(d.body)}`),
                ' ',
                h('span', { class: `state ${d.state}` }, d.state),
                ' ',
                h('span', { class: 'attempts' }, `${d.attempts.length} attempt${d.attempts.length === 1 ? '' : 's'}`),
              ],
              [
                d.attempts.length
                  ? h(
                      'table',
                      { class: 'attempts-table' },
                      h('caption', {}, 'Attempts'),
                      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'When'), h('th', { scope: 'col' }, 'HTTP'), h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Error'))),
                      h(
                        'tbody',
                        {},
                        d.attempts.map((a) => h('tr', {}, h('td', {}, dateTime(a.at)), h('td', {}, a.status === null || a.status === undefined ? '–' : String(a.status)), h('td', {}, `${a.latency_ms} ms`), h('td', {}, a.error || ''))),
                      ),
                    )
                  : h('p', {}, d.state === 'pending' ? 'Not attempted yet (no callback URL, or not due).' : 'No attempts.'),
                d.signature ? h('p', { class: 'signature' }, 'X-Hub-Signature-256: ', h('code', {}, d.signature)) : null,
                h('p', { class: 'label' }, 'Body (exactly as signed and sent):'),
                h('pre', { class: 'body-text' }, d.body),
                h('button', { class: 'redeliver', onclick: () => redeliver(d.id) }, 'Redeliver'),
              ],
            ),
          ),
        ),
      ),
    );
  }

  async function redeliver(id) {
    await attempt('Redeliver', async () => {
      await api('POST', `/sandbox/webhooks/deliveries/${id}/redeliver`);
      toast(`Webhook #${id} queued again.`);
      await refresh();
    });
  }

  function pretty(v) {
    return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
  }

  function describeRequest(e) {
    const r = e.request && typeof e.request === 'object' ? e.request.messaging_object || e.request : {};
    if (r.status === 'read') return 'read receipt';
    const type = r.type || 'text';
    const sub = r.interactive && r.interactive.type ? `/${r.interactive.type}` : '';
    const to = r.to || r.recipient || '';
    return `${type}${sub}${to ? ` to ${to}` : ''}`;
  }

  function renderOutbound() {
    const pane = $('pane-outbound');
    if (!sig(pane, [S.outbound, Array.from(S.open)])) return;
    if (!S.outbound.length) {
      replace(pane, h('p', { class: 'empty' }, 'Nothing sent yet.'));
      return;
    }
    replace(
      pane,
      h('p', { class: 'hint' }, 'Requests to the sending doors, newest first, with the answer each got (its validation result).'),
      h(
        'ul',
        { class: 'log' },
        S.outbound.map((e) =>
          h(
            'li',
            { 'data-outbound': e.id },
            detailsFor(
              `o${e.id}`,
              [
                h('span', { class: 'id' }, `#${e.id}`),
                ' ',
                h('span', { class: 'kind' }, `${e.door}: ${describeRequest(e)}`),
                ' ',
                h('span', { class: `state ${e.status < 300 ? 'delivered' : 'dropped'}` }, e.status < 300 ? `${e.status} accepted` : `${e.status} refused`),
              ],
              [
                h('p', { class: 'label' }, `POST ${e.path} at ${dateTime(e.at)}`),
                h('p', { class: 'label' }, 'Request body:'),
                h('pre', { class: 'body-text' }, pretty(e.request)),
                h('p', { class: 'label' }, 'Answer:'),
                h('pre', { class: 'body-text' }, pretty(e.response)),
              ],
            ),
          ),
        ),
      ),
    );
  }

  function renderClock() {
    const pane = $('pane-clock');
    const o = S.overview;
    if (!o || !sig(pane, [o.now, o.clock])) return;
    const now = h('p', {}, 'Sandbox time: ', h('strong', { class: 'now' }, dateTime(o.now)));
    if (!o.clock.movable) {
      replace(pane, now, h('p', { class: 'hint' }, 'This sandbox runs on a clock that cannot be moved (it was started without the clock control).'));
      return;
    }
    const hours = h('input', { id: 'advance-hours', type: 'number', min: 1, max: 8784, value: '25', inputmode: 'numeric' });
    replace(
      pane,
      now,
      o.clock.skew ? h('p', { class: 'hint' }, `Ahead of the wall clock by ${(o.clock.skew / 3600000).toFixed(2)} hours.`) : null,
      h('p', { class: 'hint' }, 'Time only moves forward. Statuses fall due, the 24-hour customer-service window lapses, webhooks retry.'),
      h(
        'form',
        {
          class: 'inline-form',
          onsubmit: async (e) => {
            e.preventDefault();
            const n = parseInt(hours.value, 10);
            if (!Number.isFinite(n) || n < 1) return;
            await attempt('Clock', async () => {
              await api('POST', '/sandbox/clock', { advance: n * 3600 });
              await refresh();
            });
          },
        },
        h('div', { class: 'field' }, h('label', { for: 'advance-hours' }, 'Hours'), hours),
        h('button', { type: 'submit', class: 'advance' }, 'Move time forward'),
      ),
    );
  }

  // ---- Tabs ----

  function selectTab(name) {
    S.pane = name;
    for (const t of ['webhooks', 'outbound', 'clock']) {
      const tab = $(`tab-${t}`);
      const on = t === name;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      $(`pane-${t}`).hidden = !on;
    }
  }

  function setupTabs() {
    const names = ['webhooks', 'outbound', 'clock'];
    names.forEach((name, i) => {
      const tab = $(`tab-${name}`);
      tab.addEventListener('click', () => selectTab(name));
      tab.addEventListener('keydown', (e) => {
        const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
        if (!step) return;
        const next = names[(i + step + names.length) % names.length];
        selectTab(next);
        $(`tab-${next}`).focus();
      });
    });
  }

  // ---- The customer forms ----

  function setupForms() {
    $('customer').addEventListener('change', (e) => {
      S.customer = e.target.value;
      S.device = null;
      S.number = null;
      S.thread = null;
      S.cart = null;
      S.screens = [];
      saveHash();
      refresh();
    });
    $('device').addEventListener('change', (e) => {
      S.device = e.target.value;
      S.thread = null;
      S.cart = null;
      saveHash();
      refresh();
    });
    $('device-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      await attempt('Device', async () => {
        await api('PUT', `${customerPath()}/devices/${enc(S.device)}`, { platform: $('platform').value, app_version: $('app-version').value });
        S.thread = null;
        toast('Device saved.');
        await refresh();
      });
    });
    $('add-device-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = $('new-device').value.trim();
      if (!name) return;
      await attempt('Add device', async () => {
        await api('PUT', `${customerPath()}/devices/${enc(name)}`, { platform: 'android', app_version: $('app-version').value || '2.24.10' });
        S.device = name;
        S.thread = null;
        S.cart = null;
        $('new-device').value = '';
        saveHash();
        await refresh();
      });
    });
    $('add-customer-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const waId = $('new-wa-id').value.trim().replace(/^\+/, '');
      const name = $('new-name').value.trim();
      await attempt('Add customer', async () => {
        await api('PUT', `/sandbox/customers/${enc(waId)}/devices/phone`, { platform: 'android', app_version: '2.24.10' });
        await api('PUT', `/sandbox/customers/${enc(waId)}`, { name });
        S.customer = waId;
        S.device = 'phone';
        S.number = null;
        S.thread = null;
        $('new-wa-id').value = '';
        $('new-name').value = '';
        saveHash();
        await refresh();
      });
    });
    $('dialog-ok').addEventListener('click', () => $('dialog').close());
  }

  // ---- The address: #c=CUSTOMER&d=DEVICE&n=NUMBER ----

  function readHash() {
    const p = new URLSearchParams(location.hash.slice(1));
    S.customer = p.get('c') || S.customer;
    S.device = p.get('d') || S.device;
    S.number = p.get('n') || S.number;
  }

  function saveHash() {
    const p = new URLSearchParams();
    if (S.customer) p.set('c', S.customer);
    if (S.device) p.set('d', S.device);
    if (S.number) p.set('n', S.number);
    history.replaceState(null, '', `#${p.toString()}`);
  }

  // ---- Live ----

  let stream = null;

  function listen() {
    const live = $('live');
    stream = new EventSource('/sandbox/events');
    stream.onopen = () => {
      live.textContent = 'Live';
      live.className = 'live on';
    };
    stream.onerror = () => {
      live.textContent = 'Reconnecting…';
      live.className = 'live off';
    };
    stream.onmessage = () => refresh();
  }

  // A page the browser keeps for going back still holds its stream, and a browser opens only
  // six connections to one server: the stream closes when the page is hidden, and opens again
  // when it is shown.
  window.addEventListener('pagehide', () => {
    if (stream) stream.close();
    stream = null;
  });
  window.addEventListener('pageshow', (e) => {
    if (!stream) listen();
    if (e.persisted) refresh();
  });

  function start() {
    setupTabs();
    setupForms();
    readHash();
    window.addEventListener('hashchange', () => {
      readHash();
      S.thread = null;
      S.screens = [];
      refresh();
    });
    if (!stream) listen();
    refresh().then(saveHash);
  }

  // For tests and the curious: what the page holds.
  window.wacart = { state: S, refresh };
  start();
})();
