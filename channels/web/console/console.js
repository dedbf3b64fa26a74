// The agent console page's script. A separate file (not inline) so the page runs under a
// Content-Security-Policy without 'unsafe-inline'; handlers are attached here, none in the HTML.
// Everything that comes from the server (shopper text, brief, notes, tags) goes in through
// textContent or option labels, never innerHTML, so it cannot become markup.
(() => {
  const $ = (id) => document.getElementById(id);
  let socket; let current; let ticket; let lastQueue = [];
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const addMsg = (role, text) => { const m = el('div', 'msg ' + role); m.append(el('span', 'who', role), el('span', '', text)); $('transcript').append(m); $('transcript').scrollTop = $('transcript').scrollHeight; };
  const call = (event, payload) => new Promise((resolve) => socket.emit(event, payload, resolve));
  const wait = (seconds) => (seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`);
  const money = (cents, currency) => `${(cents / 100).toFixed(2)} ${currency}`;
  const option = (value, label, disabled) => { const o = el('option', '', label); o.value = value; o.disabled = !!disabled; return o; };

  // What the agent reads for a refused login or action: lock-outs and rate limits say how long to wait.
  function describe(error, retryAfterSec) {
    if (!error) return 'something went wrong';
    const seconds = retryAfterSec ?? (error.retryAfterMs ? Math.ceil(error.retryAfterMs / 1000) : undefined);
    if (error.code === 'ACCOUNT_LOCKED') return `This account is locked after too many failed logins. Try again in ${wait(seconds ?? 60)}, or ask an admin.`;
    if (error.code === 'RATE_LIMITED') return `Too many attempts from this address. Try again in ${wait(seconds ?? 60)}.`;
    if (error.code === 'FORBIDDEN') return `Not allowed: ${error.message}`;
    return error.message;
  }
  const showError = (r) => { $('app-error').textContent = r && r.error ? describe(r.error) : ''; return !(r && r.error); };

  // ---- Service-level timers: counted down in the browser from the due times the server sent ----
  function span(ms) {
    const m = Math.round(Math.abs(ms) / 60000);
    return m >= 120 ? `${Math.round(m / 60)}h` : m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
  }
  function timer(label, dueAt, metAt) {
    if (metAt !== undefined) return el('span', 'timer met', `${label} met`);
    const left = dueAt - Date.now();
    const cls = left < 0 ? 'breached' : left < 5 * 60000 ? 'soon' : '';
    const t = el('span', 'timer ' + cls, left < 0 ? `${label} overdue ${span(left)}` : `${label} in ${span(left)}`);
    t.dataset.kind = label === 'Reply' ? 'first_response' : 'resolution';
    return t;
  }
  function slaRow(t) {
    const row = el('div', 'sla');
    const sl = t.serviceLevel;
    if (sl.snoozed) row.append(el('span', 'timer snoozed', `Snoozed until ${new Date(t.snoozedUntil).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`));
    row.append(timer('Reply', sl.firstResponseDueAt, t.firstResponseAt), timer('Resolve', sl.resolutionDueAt));
    if (t.opensAt) row.append(el('span', 'timer met', `after hours: starts ${new Date(t.opensAt).toLocaleString()}`));
    return row;
  }

  function renderQueue(tickets) {
    lastQueue = tickets;
    const q = $('queue'); q.replaceChildren();
    if (!tickets.length) q.append(el('p', 'meta', 'Nobody is waiting.'));
    for (const t of tickets) {
      const box = el('div', 'ticket ' + t.priorityName);
      box.dataset.ticket = t.id;
      box.append(el('div', '', `${t.priorityName.toUpperCase()} · ${t.reason} · ${t.team}`));
      box.append(el('div', 'meta', t.status === 'queued' ? `#${t.position} in queue · ${t.lang}` : `with ${t.agentId} · ${t.lang}`));
      box.append(slaRow(t));
      if (t.tags.length) { const tags = el('div'); for (const tag of t.tags) tags.append(el('span', 'chip', tag)); box.append(tags); }
      box.append(el('div', 'meta summary', t.brief.text));
      if (t.status === 'queued') {
        const b = el('button', '', 'Take'); b.addEventListener('click', () => take(t.id)); box.append(b);
      }
      q.append(box);
      if (current && t.conversationId === current) { ticket = t; renderTicketTools(); }
    }
  }
  // Due times do not move; only "now" does, so the queue is redrawn from the last list every 30 s.
  setInterval(() => { if (socket) renderQueue(lastQueue); }, 30_000);

  // ---- The brief: cards for the reason, the order, the cart, the products shown ----
  function card(label, ...children) { const c = el('div', 'card'); c.append(el('div', 'label', label), ...children); return c; }
  function list(items) { const ul = el('ul'); for (const [text, price] of items) { const li = el('li'); li.append(el('span', '', text)); if (price) li.append(el('span', 'price', price)); ul.append(li); } return ul; }
  function renderBrief(b) {
    const box = $('brief'); box.replaceChildren();
    const why = el('div');
    why.append(el('div', '', `${b.priority.toUpperCase()} · ${b.reason} · ${b.topic} · language ${b.lang}`));
    if (b.detected) why.append(el('div', 'meta', `Detected: ${b.detected.intent} (${Math.round(b.detected.confidence * 100)}%)`));
    const mood = el('div', 'meta', 'Sentiment: ');
    mood.append(el('span', 'sentiment-' + b.sentiment.label, b.sentiment.label), b.sentiment.streak ? ` (${b.sentiment.streak} frustrated in a row)` : '');
    why.append(mood);
    if (b.task) why.append(el('div', 'meta', `Was doing: ${b.task.kind}`));
    box.append(card('Why', why));
    if (b.order) {
      const o = b.order;
      const lines = [[`${o.id}: ${o.status.replace(/_/g, ' ')}`, money(o.totalCents, o.currency)]];
      if (o.estimatedDelivery) lines.push([`due ${o.estimatedDelivery}`]);
      if (o.deliveredOn) lines.push([`delivered ${o.deliveredOn}`]);
      if (o.trackingNumber) lines.push([`tracking ${o.carrier ? o.carrier + ' ' : ''}${o.trackingNumber}`]);
      box.append(card('Order in question', list(lines)));
    }
    if (b.cartLines.length) {
      const c = card('Cart', list(b.cartLines.map((l) => [`${l.quantity}× ${l.title}`, money(l.unitPriceCents * l.quantity, l.currency)])));
      if (b.cart) c.append(el('div', 'meta', `Total ${money(b.cart.totalCents, b.cart.currency)}`));
      box.append(c);
    }
    if (b.shown.length) box.append(card('Shown to the shopper', list(b.shown.map((p) => [p.title, p.priceCents !== undefined ? money(p.priceCents, p.currency) : '']))));
    if (b.orders.length && !b.order) box.append(card('Orders', list(b.orders.map((o) => [`${o.id}: ${o.status.replace(/_/g, ' ')}`, money(o.totalCents, o.currency)]))));
    if (b.botTried.length) box.append(card('The bot tried', list(b.botTried.map((t) => [(t.intent ? `[${t.intent}] ` : '') + t.text]))));
  }

  // ---- The tools on the open ticket ----
  function renderTicketTools() {
    if (!ticket) return;
    const tags = $('tags'); tags.replaceChildren();
    if (!ticket.tags.length) tags.append(el('span', 'meta', 'No tags'));
    for (const tag of ticket.tags) {
      const chip = el('span', 'chip', tag);
      const x = el('button', '', '×'); x.type = 'button'; x.setAttribute('aria-label', `Remove tag ${tag}`);
      x.addEventListener('click', () => setTags(ticket.tags.filter((t) => t !== tag)));
      chip.append(x); tags.append(chip);
    }
    $('snoozed').textContent = ticket.serviceLevel.snoozed ? `Snoozed until ${new Date(ticket.snoozedUntil).toLocaleTimeString()}` : '';
  }
  function renderNotes(notes) {
    const box = $('notes'); box.replaceChildren();
    if (!notes.length) box.append(el('p', 'meta', 'No notes yet.'));
    for (const n of notes) { const d = el('div', 'note'); d.append(el('div', 'meta', `${n.agentId} · ${new Date(n.ts).toLocaleTimeString()}`), el('div', '', n.text)); box.append(d); }
  }
  async function loadNotes() { const r = await call('notes', { conversationId: current }); if (showError(r)) renderNotes(r.notes); }
  async function loadCanned() {
    const r = await call('canned', { conversationId: current });
    if (!showError(r)) return;
    const sel = $('canned'); sel.replaceChildren(option('', 'Pick a canned reply…'));
    // A reply whose placeholders this conversation cannot fill is listed but cannot be picked.
    for (const c of r.replies) sel.append(option(c.id, c.text ? c.title : `${c.title} (needs details this chat lacks)`, !c.text));
    sel.dataset.texts = JSON.stringify(Object.fromEntries(r.replies.filter((c) => c.text).map((c) => [c.id, c.text])));
  }
  async function loadDesk() {
    const r = await call('desk', {});
    if (!showError(r)) return;
    const to = $('transfer-to'); to.replaceChildren();
    for (const t of r.teams) if (!ticket || t.id !== ticket.team) to.append(option('team:' + t.id, `Team: ${t.name}`));
    for (const a of r.agents) to.append(option('agent:' + a, `Agent: ${a}`));
    const res = $('resolution'); res.replaceChildren();
    for (const x of r.resolutions) res.append(option(x, x.replace(/_/g, ' ')));
  }
  async function setTags(tags) {
    const r = await call('tags', { conversationId: current, tags });
    if (showError(r)) { ticket = r.ticket; renderTicketTools(); }
  }

  async function take(ticketId) {
    const r = await call('take', { ticketId });
    if (!showError(r)) return;
    current = r.ticket.conversationId; ticket = r.ticket;
    $('conv-title').textContent = `Conversation ${current}`;
    renderBrief(r.ticket.brief);
    $('transcript').replaceChildren();
    for (const m of r.transcript) addMsg(m.role, m.text);
    $('reply-form').classList.remove('hidden'); $('actions').classList.remove('hidden');
    $('tools').classList.remove('hidden'); $('app').classList.remove('no-tools');
    renderTicketTools();
    await Promise.all([loadNotes(), loadCanned(), loadDesk()]);
  }
  function closeConv() {
    current = undefined; ticket = undefined;
    $('reply-form').classList.add('hidden'); $('actions').classList.add('hidden'); $('tools').classList.add('hidden'); $('app').classList.add('no-tools');
    $('conv-title').textContent = 'No conversation taken'; $('transcript').replaceChildren(); $('reply').value = '';
  }

  // A canned reply fills the box; the agent may edit it and sends it as a normal reply.
  $('canned').addEventListener('change', () => {
    const texts = JSON.parse($('canned').dataset.texts || '{}');
    if (texts[$('canned').value]) { $('reply').value = texts[$('canned').value]; $('reply').focus(); }
  });
  $('reply-form').addEventListener('submit', async (e) => {
    e.preventDefault(); const text = $('reply').value.trim(); if (!text || !current) return;
    const r = await call('reply', { conversationId: current, text });
    if (showError(r)) { addMsg('agent', text); $('reply').value = ''; $('canned').value = ''; }
  });
  $('note-form').addEventListener('submit', async (e) => {
    e.preventDefault(); const text = $('note').value.trim(); if (!text || !current) return;
    if (showError(await call('note', { conversationId: current, text }))) { $('note').value = ''; await loadNotes(); }
  });
  $('tag-form').addEventListener('submit', async (e) => {
    e.preventDefault(); const tag = $('tag').value.trim(); if (!tag || !ticket) return;
    $('tag').value = ''; await setTags([...ticket.tags, tag]);
  });
  $('snooze-form').addEventListener('submit', async (e) => {
    e.preventDefault(); if (!current) return;
    const r = await call('snooze', { conversationId: current, minutes: Number($('snooze').value) });
    if (showError(r)) { ticket = r.ticket; renderTicketTools(); }
  });
  $('transfer-form').addEventListener('submit', async (e) => {
    e.preventDefault(); const v = $('transfer-to').value; if (!v || !current) return;
    const i = v.indexOf(':'); const kind = v.slice(0, i); const id = v.slice(i + 1);
    const note = $('transfer-note').value.trim();
    const r = await call('transfer', { conversationId: current, to: kind === 'team' ? { team: id } : { agentId: id }, ...(note ? { note } : {}) });
    if (showError(r)) { $('transfer-note').value = ''; closeConv(); }
  });
  $('resolve-form').addEventListener('submit', async (e) => {
    e.preventDefault(); if (!current) return;
    if (showError(await call('resolve', { conversationId: current, resolution: $('resolution').value || undefined }))) closeConv();
  });
  $('handback').addEventListener('click', async () => { if (current && showError(await call('handBack', { conversationId: current }))) closeConv(); });
  $('login').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-error').textContent = '';
    const res = await fetch('/console/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: $('name').value, password: $('password').value }) });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const retryAfter = Number(res.headers.get('retry-after')) || undefined;
      $('login-error').textContent = body.error ? describe(body.error, retryAfter) : 'login failed';
      return;
    }
    $('password').value = '';
    $('login').classList.add('hidden'); $('app').classList.remove('hidden'); $('app').classList.add('no-tools'); $('whoami').textContent = body.name;
    socket = io('/agents', { auth: { token: body.token } });
    socket.on('queue', renderQueue);
    socket.on('shopperMessage', (m) => { if (m.conversationId === current) addMsg('user', m.text); });
    socket.on('connect', async () => { showError(null); renderQueue(await call('queue', {})); });
    // A refused handshake (expired session, too many connections) carries the server's code in err.data.
    socket.on('connect_error', (err) => { $('app-error').textContent = err.data ? describe(err.data) : err.message; });
  });
})();
