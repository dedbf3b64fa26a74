// The merchant dashboard's script. A file, not inline, so the page runs under the server's CSP;
// every text from the server goes in through textContent, never as HTML.
(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; };
  const TOKEN_KEY = 'shopbot:merchant';
  let token = sessionStorage.getItem(TOKEN_KEY) || '';

  const wait = (seconds) => (seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`);
  function describe(error, retryAfterSec) {
    if (!error) return 'something went wrong';
    if (error.code === 'ACCOUNT_LOCKED') return `This account is locked after too many failed logins. Try again in ${wait(retryAfterSec || 60)}.`;
    if (error.code === 'RATE_LIMITED') return `Too many attempts from this address. Try again in ${wait(retryAfterSec || 60)}.`;
    return error.message || error.code;
  }

  async function api(path, options = {}) {
    const res = await fetch(path, { ...options, headers: { ...(options.body ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${token}`, ...(options.headers || {}) } });
    if (res.status === 401) { logout(); throw new Error('session expired: log in again'); }
    const type = res.headers.get('content-type') || '';
    const body = type.includes('json') ? await res.json() : await res.text();
    if (!res.ok) throw new Error(body && body.error ? describe(body.error) : `HTTP ${res.status}`);
    return body;
  }

  const money = (cents) => (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });
  const duration = (ms) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 3_600_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 3_600_000).toFixed(1)} h`);
  function format(value, unit) {
    if (value === null || value === undefined) return '–';
    if (typeof value !== 'number') return String(value);
    switch (unit) {
      case 'cents': return money(value);
      case 'ratio': return `${(value * 100).toFixed(1)}%`;
      case 'ms': return duration(value);
      case 'score': return value.toFixed(2);
      case 'days': return value.toFixed(1);
      default: return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(3);
    }
  }

  function metricCard(m) {
    const card = el('div', 'card');
    card.dataset.key = m.key;
    card.append(el('div', 'label', m.label), el('div', 'value', format(m.value, m.unit)));
    if (m.ci95) card.append(el('div', 'ci', `95% CI ${format(m.ci95[0], m.unit)} to ${format(m.ci95[1], m.unit)}`));
    card.append(el('div', 'def', m.definition));
    return card;
  }

  function renderTable(t, actions) {
    const wrap = el('div', 'table');
    wrap.dataset.key = t.key;
    const table = el('table');
    table.append(el('caption', '', t.title));
    const head = el('tr');
    for (const c of t.columns) head.append(el('th', '', c));
    if (actions) head.append(el('th', '', ''));
    const thead = el('thead'); thead.append(head); table.append(thead);
    const tbody = el('tbody');
    if (!t.rows.length) { const tr = el('tr'); const td = el('td', 'meta', 'nothing in this period'); td.colSpan = t.columns.length + (actions ? 1 : 0); tr.append(td); tbody.append(tr); }
    for (const row of t.rows) {
      const tr = el('tr');
      row.forEach((cell, i) => {
        const col = t.columns[i];
        const unit = t.units ? t.units[i] : (col === 'ctr' || col.endsWith('share') || col.endsWith('rate') ? 'ratio' : undefined);
        tr.append(el('td', typeof cell === 'number' ? 'num' : '', typeof cell === 'number' ? format(cell, unit) : cell === null ? '–' : cell));
      });
      if (actions) { const td = el('td'); for (const a of actions(row)) td.append(a); tr.append(td); }
      tbody.append(tr);
    }
    table.append(tbody);
    wrap.append(table, el('p', 'tdef', t.definition));
    return wrap;
  }

  function openConversation(id) {
    api(`/v1/admin/conversations/${encodeURIComponent(id)}`).then((r) => {
      $('transcript-dialog').classList.remove('wide');
      $('transcript-title').textContent = `Conversation ${id}`;
      const box = $('transcript'); box.replaceChildren();
      if (!r.messages.length) box.append(el('p', 'meta', 'No transcript kept (retention may have removed it).'));
      for (const m of r.messages) { const d = el('div', 'msg'); d.append(el('span', 'who', m.role), el('span', '', m.text)); box.append(d); }
      $('transcript-dialog').showModal();
    }, showError);
  }
  const button = (text, cls, onClick) => { const b = el('button', cls, text); b.type = 'button'; b.addEventListener('click', onClick); return b; };

  /** Groups metrics and tables by section, in the order the server sent them. */
  function renderReport(container, report, tableActions = {}) {
    const sections = new Map();
    const sectionOf = (name) => { if (!sections.has(name)) { const s = el('section', 'section'); s.dataset.section = name; s.append(el('h2', '', name)); const cards = el('div', 'cards'); s.append(cards); sections.set(name, { s, cards }); container.append(s); } return sections.get(name); };
    for (const m of report.metrics || []) sectionOf(m.section).cards.append(metricCard(m));
    for (const t of report.tables || []) sectionOf(t.section).s.append(renderTable(t, tableActions[t.key]));
  }

  function showError(err) { $('app-error').textContent = err ? err.message || String(err) : ''; }
  const query = () => `period=${encodeURIComponent($('period').value)}&channel=${encodeURIComponent($('channel').value)}`;

  const extras = []; // further panels (demand, experiments, exposure) register here
  window.shopbotAdmin = { api, el, button, renderReport, renderTable, format, query, showError, extras, refresh: () => load() };

  // Demand signals: per product, the forecast with its backtest error, days of cover, the alert button.
  extras.push(async (container) => {
    const report = await api('/v1/admin/demand?period=quarter');
    renderReport(container, report);
    const section = container.querySelector('[data-section="demand"]');
    const note = el('span', 'meta');
    const send = button('Send low-stock alert', 'secondary', async () => {
      try {
        const r = await api('/v1/admin/demand/alert?period=quarter', { method: 'POST' });
        note.textContent = r.sent ? `Alert sent for ${r.products} product(s).` : 'Nothing is low on stock.';
      } catch (err) { note.textContent = err.message; }
    });
    const row = el('div', 'row-form'); row.append(send, note);
    section.insertBefore(row, section.children[1]);
  });

  // Experiments: results with intervals and guardrails, the off-policy estimate, start and stop.
  const EXAMPLES = {
    ranking: { id: 'relevance-vs-learned', kind: 'ranking', description: 'learned ranking vs relevance order', variants: [{ name: 'learned', weight: 1, policy: {} }, { name: 'relevance', weight: 1, policy: { relevanceOnly: true } }] },
    coupon: { id: 'targeter-vs-always', kind: 'coupon', description: 'uplift targeting vs an offer to everyone vs none', variants: [{ name: 'targeter', policy: { mode: 'targeter' } }, { name: 'always', policy: { mode: 'always' } }, { name: 'never', policy: { mode: 'never' } }] },
    reply: { id: 'wording-model-vs-first', kind: 'reply', description: "the response model's wording vs always the first", variants: [{ name: 'model', policy: { chooser: 'model' } }, { name: 'first', policy: { chooser: 'first' } }] },
  };
  extras.push(async (container) => {
    const r = await api(`/v1/admin/experiments?${query()}`);
    const box = el('section', 'section'); box.dataset.section = 'experiments';
    box.append(el('h2', '', 'experiments'));
    for (const x of r.experiments) {
      const line = el('div', 'row-form');
      line.append(el('span', '', `${x.id} · ${x.kind} · ${x.status} · ${x.variants.map((v) => v.name).join(' vs ')}`));
      if (x.status === 'running') line.append(button('Stop', 'danger', async () => { try { await api(`/v1/admin/experiments/${encodeURIComponent(x.id)}/stop`, { method: 'POST', body: '{}' }); load(); } catch (err) { showError(err); } }));
      box.append(line);
    }
    const spec = el('textarea'); spec.rows = 6; spec.cols = 90; spec.value = JSON.stringify(EXAMPLES.ranking, null, 1); spec.setAttribute('aria-label', 'Experiment definition (JSON)');
    const kind = el('select'); kind.setAttribute('aria-label', 'Experiment kind');
    for (const k of Object.keys(EXAMPLES)) { const o = el('option', '', k); o.value = k; kind.append(o); }
    kind.addEventListener('change', () => { spec.value = JSON.stringify(EXAMPLES[kind.value], null, 1); });
    const start = button('Start experiment', '', async () => {
      try { await api('/v1/admin/experiments', { method: 'POST', body: JSON.stringify(JSON.parse(spec.value)) }); load(); } catch (err) { showError(err); }
    });
    const form = el('div', 'row-form'); form.append(kind, spec, start);
    box.append(form, el('p', 'tdef', 'The first variant is the control. Kinds: ranking (slate policy), coupon (targeter / always / never, optionally some campaigns), reply (template wording, LLM on or off); one of each kind runs at a time. Shoppers are assigned by a hash of their id, so each keeps one variant. Read the results at the sample size you planned (fixed horizon).'));
    container.append(box);
    renderReport(container, { metrics: r.metrics, tables: r.tables });
  });

  // Explanations: the latest slates; "Why" opens one, product by product.
  function openSlate(id) {
    api(`/v1/admin/slates/${encodeURIComponent(id)}?${query()}`).then((r) => {
      // Eleven columns a product: the slate's table needs the width a transcript does not.
      $('transcript-dialog').classList.add('wide');
      $('transcript-title').textContent = `Why these products (slate ${id})`;
      const box = $('transcript'); box.replaceChildren();
      for (const t of r.tables) box.append(renderTable(t));
      $('transcript-dialog').showModal();
    }, showError);
  }
  extras.push(async (container) => {
    const r = await api(`/v1/admin/slates?${query()}`);
    renderReport(container, r, { 'explanations.slates': (row) => [button('Why', 'secondary', () => openSlate(row[0]))] });
  });

  async function load() {
    showError(null);
    try {
      const [metrics, charts] = await Promise.all([api(`/v1/admin/metrics?${query()}`), api(`/v1/admin/charts?${query()}`)]);
      $('period-label').textContent = `${metrics.period.label}, ${metrics.channel === 'all' ? 'all channels' : metrics.channel}`;
      const c = $('charts'); c.replaceChildren();
      for (const ch of charts.charts) { const f = el('figure', 'chart'); const img = el('img'); img.src = ch.src; img.alt = ch.title; f.append(img); c.append(f); }
      const s = $('sections'); s.replaceChildren();
      renderReport(s, metrics, { 'feedback.review': (row) => (row[2] ? [button('Open', 'secondary', () => openConversation(row[2]))] : []), 'feedback.comments': (row) => (row[2] ? [button('Open', 'secondary', () => openConversation(row[2]))] : []) });
      const extra = $('extra'); extra.replaceChildren();
      for (const panel of extras) await panel(extra);
      document.body.dataset.loaded = String(Date.now());
    } catch (err) {
      showError(err);
    }
  }

  function loggedIn(name) {
    $('login').classList.add('hidden');
    $('app').classList.remove('hidden');
    $('whoami').textContent = name ? `${name} · ` : '';
    const out = button('Log out', 'secondary', logout);
    $('whoami').append(out);
    load();
  }
  function logout() {
    token = ''; sessionStorage.removeItem(TOKEN_KEY);
    $('app').classList.add('hidden'); $('login').classList.remove('hidden'); $('whoami').textContent = '';
  }

  $('login').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('login-error').textContent = '';
    const res = await fetch('/admin/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: $('name').value, password: $('password').value }) });
    const body = await res.json();
    if (!res.ok) { $('login-error').textContent = describe(body.error, Number(res.headers.get('retry-after')) || undefined); return; }
    token = body.token; sessionStorage.setItem(TOKEN_KEY, token);
    $('password').value = '';
    loggedIn(body.name);
  });
  $('view').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('csv').addEventListener('click', async () => {
    try {
      const csv = await api(`/v1/admin/metrics.csv?${query()}`);
      const a = el('a'); a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' })); a.download = `shopbot-metrics-${$('channel').value}-${$('period').value}.csv`;
      document.body.append(a); a.click(); a.remove();
    } catch (err) { showError(err); }
  });
  $('transcript-close').addEventListener('click', () => $('transcript-dialog').close());
  if (token) loggedIn('');
})();
