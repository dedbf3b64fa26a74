// The agent console page's script. A separate file (not inline) so the page runs under a
// Content-Security-Policy without 'unsafe-inline'; handlers are attached here, none in the HTML.
(() => {
  const $ = (id) => document.getElementById(id);
  let socket; let current;
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  const addMsg = (role, text) => { const m = el('div', 'msg ' + role); m.append(el('span', 'who', role), el('span', '', text)); $('transcript').append(m); };
  const call = (event, payload) => new Promise((resolve) => socket.emit(event, payload, resolve));
  const wait = (seconds) => (seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`);

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

  function renderQueue(tickets) {
    const q = $('queue'); q.replaceChildren();
    if (!tickets.length) q.append(el('p', 'meta', 'Nobody is waiting.'));
    for (const t of tickets) {
      const box = el('div', 'ticket ' + t.priorityName);
      box.append(el('div', '', `${t.priorityName.toUpperCase()} · ${t.reason} · ${t.team}`));
      box.append(el('div', 'meta', t.status === 'queued' ? `#${t.position} in queue · ${t.lang}` : `with ${t.agentId}`));
      box.append(el('div', 'meta', t.brief.text));
      if (t.status === 'queued') {
        const b = el('button', '', 'Take'); b.addEventListener('click', () => take(t.id)); box.append(b);
      }
      q.append(box);
    }
  }
  async function take(ticketId) {
    const r = await call('take', { ticketId });
    if (!showError(r)) return;
    current = r.ticket.conversationId;
    $('conv-title').textContent = `Conversation ${current}`;
    $('brief').textContent = r.ticket.brief.text;
    $('transcript').replaceChildren();
    for (const m of r.transcript) addMsg(m.role, m.text);
    $('reply-form').classList.remove('hidden');
  }
  function closeConv() { current = undefined; $('reply-form').classList.add('hidden'); $('conv-title').textContent = 'No conversation taken'; }
  $('reply-form').addEventListener('submit', async (e) => {
    e.preventDefault(); const text = $('reply').value.trim(); if (!text || !current) return;
    const r = await call('reply', { conversationId: current, text });
    if (showError(r)) { addMsg('agent', text); $('reply').value = ''; }
  });
  $('handback').addEventListener('click', async () => { if (current && showError(await call('handBack', { conversationId: current }))) closeConv(); });
  $('resolve').addEventListener('click', async () => { if (current && showError(await call('resolve', { conversationId: current }))) closeConv(); });
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
    $('login').classList.add('hidden'); $('app').classList.remove('hidden'); $('whoami').textContent = body.name;
    socket = io('/agents', { auth: { token: body.token } });
    socket.on('queue', renderQueue);
    socket.on('shopperMessage', (m) => { if (m.conversationId === current) addMsg('user', m.text); });
    socket.on('connect', async () => { showError(null); renderQueue(await call('queue', {})); });
    // A refused handshake (expired session, too many connections) carries the server's code in err.data.
    socket.on('connect_error', (err) => { $('app-error').textContent = err.data ? describe(err.data) : err.message; });
  });
})();
