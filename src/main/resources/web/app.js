// The web view of `experimenter serve`: plain JavaScript, no framework, no build step.
// Every value from the table reaches the page through textContent or an attribute set by
// the DOM (never parsed as HTML), so a keyfield such as <script> shows as the text it is.
'use strict';

const STATUSES = ['created', 'running', 'done', 'error', 'paused'];
let meta = null;
let overview = null;
let currentView = null;
let renderToken = 0;

// ---- small helpers ---------------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'style') {
      // through the CSSOM: the page's policy refuses style attributes
      for (const part of String(v).split(';')) {
        const i = part.indexOf(':');
        if (i > 0) e.style.setProperty(part.slice(0, i).trim(), part.slice(i + 1).trim());
      }
    }
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else if (k === 'checked') e.checked = !!v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

async function api(path, params) {
  const url = params ? path + '?' + new URLSearchParams(params).toString() : path;
  const r = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  const type = r.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await r.json() : { error: await r.text() };
  if (!r.ok) throw new Error(body.error || r.status + ' ' + r.statusText);
  return body;
}

async function post(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': meta.actions.csrf },
    body: JSON.stringify(body),
  });
  const answer = await r.json().catch(() => ({ error: r.status + ' ' + r.statusText }));
  if (!r.ok) throw new Error(answer.error || r.statusText);
  return answer;
}

function errorBox(e) {
  return el('div', { class: 'error-box', role: 'alert' }, e instanceof Error ? e.message : String(e));
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A value as text: instants in UTC without the T, long decimals shortened (the row view has all digits). */
function show(v, full) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (full || Number.isInteger(v)) return String(v);
    return String(Number(v.toPrecision(6)));
  }
  if (typeof v === 'string' && ISO.test(v)) return v.replace('T', ' ').replace('Z', '');
  return String(v);
}

/** An instant as month, day and time to the second (the title has all of it). */
function brief(v) {
  return v ? show(v).slice(5, 19) : '';
}

function number(n) {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US');
}

function duration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const two = (x) => String(x).padStart(2, '0');
  return h > 0 ? h + ':' + two(m) + ':' + two(r) : m + ':' + two(r);
}

function statusBadge(s) {
  return el('span', { class: 'status ' + s }, s);
}

function params() {
  const hash = location.hash.replace(/^#/, '');
  const q = hash.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
}

function go(view, p) {
  const s = p && [...p.keys()].length ? '?' + p.toString() : '';
  location.hash = '#/' + view + s;
}

function numericKeyfields() {
  return meta.keyfields.filter((f) => f.numeric).map((f) => f.name);
}

function numericResults() {
  return meta.resultfields.filter((f) => f.numeric).map((f) => f.name);
}

function checkboxes(name, values, checked) {
  return values.map((v) =>
    el('label', {}, el('input', { type: 'checkbox', name, value: v, checked: checked.includes(v) }), ' ', v));
}

function checkedValues(form, name) {
  return [...form.querySelectorAll('input[name="' + name + '"]:checked')].map((i) => i.value);
}

function select(name, values, chosen, blank) {
  const s = el('select', { name });
  if (blank !== undefined) s.append(el('option', { value: '' }, blank));
  for (const v of values) s.append(el('option', { value: v, selected: v === chosen }, v));
  if (chosen !== undefined && chosen !== null) s.value = chosen;
  return s;
}

/** The stage filter of the table, evaluation and plot pages: 1 is the grid, 2 and up the rows promote added. */
function stageInput(p) {
  return el('label', { title: '1: the grid; 2 and up: rows promote added; empty: every stage' }, 'stage ',
    el('input', { type: 'number', class: 'stage', name: 'stage', min: 1, step: 1, value: p.get('stage') || '', placeholder: 'all' }));
}

function readStage(form, q) {
  const v = form.elements.stage.value.trim();
  if (v) q.set('stage', v);
}

// ---- live overview ---------------------------------------------------------------------------

function connectLive() {
  const live = document.getElementById('live');
  const source = new EventSource('/api/events');
  source.addEventListener('overview', (ev) => {
    overview = JSON.parse(ev.data);
    live.textContent = '● live';
    live.className = 'live on';
    if (currentView === 'overview') drawOverview(document.getElementById('overview'));
  });
  source.onerror = () => {
    live.textContent = '○ reconnecting';
    live.className = 'live off';
  };
}

function viewOverview(main) {
  const box = el('div', { id: 'overview' });
  main.append(el('h2', {}, 'Overview'), box);
  if (overview) drawOverview(box);
  else api('/api/overview').then((o) => { overview = o; drawOverview(box); }).catch((e) => box.append(errorBox(e)));
}

function drawOverview(box) {
  if (!box || !overview) return;
  if (!box.firstChild) buildOverview(box);
  const o = overview;
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  const problem = document.getElementById('overview-problem');
  problem.textContent = o.problem ? 'cannot read the table: ' + o.problem : '';
  problem.style.display = o.problem ? '' : 'none';
  // text only (textContent): a code version is shown as written, never read as markup
  const versions = document.getElementById('code-versions');
  versions.textContent = o.codeVersionWarning ? 'warning: ' + o.codeVersionWarning : '';
  versions.style.display = o.codeVersionWarning ? '' : 'none';
  for (const s of STATUSES) set('count-' + s, number(o.counts[s]));
  set('count-total', number(o.total));
  for (const s of ['done', 'error', 'paused', 'running']) {
    const w = o.total > 0 ? (100 * o.counts[s]) / o.total : 0;
    box.querySelector('.bar .' + s).style.width = w.toFixed(3) + '%';
  }
  const finishedPct = o.total > 0 ? (100 * o.finished) / o.total : 0;
  set('progress-text', number(o.finished) + ' of ' + number(o.total) + ' finished (' + finishedPct.toFixed(1) + '%)');
  set('rate', o.rate === null || o.rate === undefined ? '–' : o.rate.toFixed(o.rate < 10 ? 2 : 0) + ' rows/s');
  set('eta', o.etaSeconds === null || o.etaSeconds === undefined ? '–' : duration(o.etaSeconds));
  set('as-of', 'as of ' + show(o.asOf).slice(0, 19) + ' UTC');
  set('runs-title', 'Runs seen' + (o.runCount > o.runs.length ? ' (latest ' + o.runs.length + ' of ' + o.runCount + ')' : ''));
  document.getElementById('history').style.display = o.historyComplete ? 'none' : '';

  const runs = clear(document.getElementById('runs-box'));
  if (o.runs.length === 0) {
    runs.append(el('p', { class: 'muted' }, 'no run has finished an attempt yet'));
    return;
  }
  const t = el('table', { class: 'grid', id: 'runs' });
  t.append(el('tr', {}, ['run id', 'Spark application', 'first start (UTC)', 'last end (UTC)', 'attempts', 'outcomes', 'running', 'rate'].map((h) => el('th', {}, h))));
  for (const r of o.runs) {
    const outcomes = Object.entries(r.outcomes).map(([k, v]) => k + ' ' + number(v)).join(', ');
    t.append(el('tr', { class: r.active ? 'active' : '' },
      el('td', {}, r.runId || '(none)', r.active ? el('span', { class: 'status running', style: 'margin-left:6px' }, 'active') : null),
      el('td', {}, r.sparkApp || ''),
      el('td', { title: show(r.firstStart) }, brief(r.firstStart)),
      el('td', { title: show(r.lastEnd) }, brief(r.lastEnd)),
      el('td', { class: 'num' }, number(r.attempts)),
      el('td', { class: 'wrap' }, outcomes),
      el('td', { class: 'num' }, number(r.running)),
      el('td', { class: 'num' }, r.rate === null || r.rate === undefined ? '–' : r.rate.toFixed(2) + '/s')));
  }
  runs.append(el('div', { class: 'scroll' }, t));
}

/** The overview's elements, made once: live updates change their text, so nothing flickers. */
function buildOverview(box) {
  box.append(el('div', { class: 'error-box', id: 'overview-problem', role: 'alert', style: 'display:none' }));
  box.append(el('div', { class: 'warning-box', id: 'code-versions', role: 'status', style: 'display:none' }));
  const cards = el('div', { class: 'cards' });
  for (const s of STATUSES) {
    cards.append(el('a', { class: 'card ' + s, href: '#/table?status=' + s, style: 'text-decoration:none;color:inherit' },
      el('div', { class: 'n', id: 'count-' + s }), el('div', { class: 'label' }, s)));
  }
  cards.append(el('div', { class: 'card total' }, el('div', { class: 'n', id: 'count-total' }), el('div', { class: 'label' }, 'total')));
  const bar = el('div', { class: 'bar', id: 'progress', title: 'done, error, paused and running rows of all' },
    ['done', 'error', 'paused', 'running'].map((s) => el('span', { class: s })));
  box.append(cards, bar,
    el('div', { class: 'legend' },
      ['done', 'error', 'paused', 'running'].map((s) => el('span', {}, el('i', { style: 'background:var(--' + s + ')' }), s)),
      el('span', { id: 'progress-text' })),
    el('div', { class: 'figures' },
      el('span', {}, 'rate ', el('b', { id: 'rate' })),
      el('span', {}, 'ETA ', el('b', { id: 'eta' })),
      el('span', { class: 'muted', id: 'as-of' })),
    el('h3', { id: 'runs-title' }),
    el('p', { class: 'muted', id: 'history' }, 'reading the attempts history…'),
    el('div', { id: 'runs-box' }));
}

// ---- the table -------------------------------------------------------------------------------

const DEFAULT_HIDDEN = ['heartbeat', 'lease_ms', 'experiment_class', 'claim_token', 'creation_date'];

async function viewTable(main, token) {
  const p = params();
  const statuses = (p.get('status') || '').split(',').filter((s) => s);
  const form = el('form', { class: 'controls', id: 'table-form' },
    el('fieldset', {}, el('legend', {}, 'status'), checkboxes('status', STATUSES, statuses)),
    el('label', {}, 'where ', el('input', { type: 'text', class: 'where', name: 'where', value: p.get('where') || '',
      placeholder: "seed < 3 AND dataset = 'blobs'", spellcheck: 'false' })),
    stageInput(p),
    el('label', {}, 'rows ', select('limit', ['20', '50', '100', '200', '500'], p.get('limit') || '50')),
    el('label', {}, el('input', { type: 'checkbox', name: 'all', checked: p.get('all') === '1' }), ' every column'),
    el('button', { class: 'primary', type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    const st = checkedValues(form, 'status');
    if (st.length) q.set('status', st.join(','));
    if (form.elements.where.value.trim()) q.set('where', form.elements.where.value.trim());
    readStage(form, q);
    if (p.get('sort')) q.set('sort', p.get('sort'));
    if (p.get('dir')) q.set('dir', p.get('dir'));
    q.set('limit', form.elements.limit.value);
    if (form.elements.all.checked) q.set('all', '1');
    go('table', q);
  });
  main.append(el('h2', {}, 'Table'), form);
  const box = el('div', {});
  main.append(box);

  const sort = p.get('sort') || 'id';
  const dir = p.get('dir') || 'asc';
  const limit = Number(p.get('limit') || 50);
  const offset = Number(p.get('offset') || 0);
  const query = { sort, dir, limit, offset };
  if (statuses.length) query.status = statuses.join(',');
  if (p.get('where')) query.where = p.get('where');
  if (p.get('stage')) query.stage = p.get('stage');
  let page;
  try {
    page = await api('/api/rows', query);
  } catch (e) {
    box.append(errorBox(e));
    return;
  }
  if (token !== renderToken) return;
  const cols = p.get('all') === '1' ? page.columns : page.columns.filter((c) => !DEFAULT_HIDDEN.includes(c));
  const actions = meta.actions.allowed;
  const selected = new Set();

  const info = page.total === 0 ? 'no rows match'
    : 'rows ' + number(offset + 1) + '–' + number(Math.min(offset + page.rows.length, page.total)) + ' of ' + number(page.total);
  const move = (to) => { const q = params(); q.set('offset', String(Math.max(0, to))); go('table', q); };
  const lastOffset = Math.max(0, Math.floor((page.total - 1) / limit) * limit);
  const pager = el('div', { class: 'pager' },
    el('button', { type: 'button', id: 'first', disabled: offset === 0, onclick: () => move(0) }, '« first'),
    el('button', { type: 'button', id: 'prev', disabled: offset === 0, onclick: () => move(offset - limit) }, '‹ previous'),
    el('span', { id: 'page-info' }, info),
    el('button', { type: 'button', id: 'next', disabled: offset + limit >= page.total, onclick: () => move(offset + limit) }, 'next ›'),
    el('button', { type: 'button', id: 'last', disabled: offset + limit >= page.total, onclick: () => move(lastOffset) }, 'last »'),
    el('span', { class: 'muted' }, 'answered in ' + page.millis + ' ms'));
  box.append(pager);

  if (actions) {
    const reset = el('button', { type: 'button', class: 'danger', id: 'reset-selected', disabled: true,
      onclick: async () => {
        if (!confirm('Reset ' + selected.size + ' row(s) to created, clearing their results?')) return;
        try {
          const r = await post('/api/actions/reset', { ids: [...selected] });
          box.prepend(el('div', { class: 'muted', id: 'action-result' }, 'reset ' + r.reset + ' row(s)'));
          setTimeout(() => render(), 300);
        } catch (e) { box.prepend(errorBox(e)); }
      } }, 'Reset selected');
    box.append(el('div', { class: 'pager' }, reset, el('span', { class: 'muted' }, 'running rows are left alone')));
    box.selectedChanged = () => { reset.disabled = selected.size === 0; reset.textContent = 'Reset selected (' + selected.size + ')'; };
  }

  const t = el('table', { class: 'grid', id: 'rows' });
  const head = el('tr', {});
  if (actions) head.append(el('th', {}, ''));
  for (const c of cols) {
    const arrow = c === sort ? (dir === 'asc' ? ' ▲' : ' ▼') : '';
    head.append(el('th', { class: 'sortable', 'data-col': c, title: 'sort by ' + c, onclick: () => {
      const q = params();
      q.set('sort', c);
      q.set('dir', c === sort && dir === 'asc' ? 'desc' : 'asc');
      q.delete('offset');
      go('table', q);
    } }, c + arrow));
  }
  t.append(head);
  const types = {};
  for (const f of meta.keyfields.concat(meta.resultfields)) types[f.name] = f.numeric;
  for (const r of page.rows) {
    const tr = el('tr', { 'data-id': r.id });
    if (actions) {
      tr.append(el('td', {}, el('input', { type: 'checkbox', class: 'pick', onchange: (ev) => {
        if (ev.target.checked) selected.add(r.id); else selected.delete(r.id);
        box.selectedChanged();
      } })));
    }
    for (const c of cols) {
      const v = r[c];
      let cell;
      if (c === 'id') cell = el('a', { href: '#/row?id=' + v }, String(v));
      else if (c === 'status') cell = statusBadge(v);
      else cell = show(v);
      const numeric = typeof v === 'number';
      tr.append(el('td', { class: numeric ? 'num' : '', title: c === 'error' && v ? v : null, 'data-col': c }, cell));
    }
    t.append(tr);
  }
  box.append(el('div', { class: 'scroll' }, t));
}

// ---- failures --------------------------------------------------------------------------------

async function viewFailures(main, token) {
  main.append(el('h2', {}, 'Failures'));
  let f;
  try {
    f = await api('/api/failures');
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  if (token !== renderToken) return;
  main.append(el('p', { class: 'muted', id: 'failure-summary' },
    number(f.errorRows) + ' error rows in ' + f.groups.length + ' group(s) by error kind and exception class'
    + (f.truncated ? ' (grouped the first ' + number(f.scanned) + ')' : '')));
  if (meta.actions.allowed && f.groups.length) {
    main.append(el('div', { class: 'pager' }, el('button', { type: 'button', class: 'danger', id: 'reset-failed', onclick: async () => {
      if (!confirm('Reset every error row to created, clearing its error?')) return;
      try { await post('/api/actions/reset', { statuses: ['error'] }); setTimeout(() => render(), 300); } catch (e) { main.append(errorBox(e)); }
    } }, 'Reset all failed rows')));
  }
  for (const g of f.groups) {
    const body = el('div', {});
    const d = el('details', { class: 'group', 'data-key': g.key },
      el('summary', {}, el('span', { class: 'count' }, number(g.count)), el('span', { class: 'kind' }, g.kind || '(no kind)'),
        el('span', { class: 'cls' }, g.exception || '(no text)'), el('span', { class: 'muted' }, g.sample)),
      body);
    d.addEventListener('toggle', () => { if (d.open && !body.firstChild) loadGroup(g, body, 0); });
    main.append(d);
  }
}

async function loadGroup(g, body, offset) {
  clear(body);
  let page;
  try {
    page = await api('/api/failures/rows', { key: g.key, offset, limit: 10 });
  } catch (e) {
    body.append(errorBox(e));
    return;
  }
  if (meta.actions.allowed) {
    body.append(el('div', { class: 'pager' }, el('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!confirm('Reset the ' + g.count + ' row(s) of this group to created?')) return;
      try { await post('/api/actions/reset', { group: g.key }); setTimeout(() => render(), 300); } catch (e) { body.append(errorBox(e)); }
    } }, 'Reset this group')));
  }
  for (const item of page.rows) {
    const r = item.row;
    const keys = meta.keyfields.map((k) => k.name + '=' + show(r[k.name])).join(', ');
    const att = el('table', { class: 'grid' }, el('tr', {}, ['attempt', 'outcome', 'run', 'executor', 'start', 'end', 'error'].map((h) => el('th', {}, h))),
      item.attempts.map((a) => el('tr', {}, el('td', { class: 'num' }, a.attempt), el('td', {}, a.outcome), el('td', {}, a.runId || ''),
        el('td', {}, (a.machine || '') + ' ' + (a.executor || '')), el('td', {}, show(a.start)), el('td', {}, show(a.end)),
        el('td', { title: a.error || '' }, (a.error || '').split('\n')[0]))));
    body.append(el('div', { class: 'failure', 'data-id': r.id },
      el('div', {}, el('a', { href: '#/row?id=' + r.id }, 'experiment ' + r.id), ' ', el('span', { class: 'muted' }, keys),
        ' · attempt ' + r.attempt + ' · ' + (r.error_kind || '')),
      el('details', {}, el('summary', {}, 'error text (stack trace, stderr tail)'), el('pre', { class: 'trace' }, r.error || '')),
      el('details', {}, el('summary', {}, 'attempts (' + item.attempts.length + ')'), el('div', { class: 'scroll' }, att))));
  }
  const shown = Math.min(offset + page.rows.length, page.total);
  body.append(el('div', { class: 'pager' },
    el('button', { type: 'button', disabled: offset === 0, onclick: () => loadGroup(g, body, Math.max(0, offset - 10)) }, '‹ previous'),
    el('span', {}, 'rows ' + (offset + 1) + '–' + shown + ' of ' + page.total),
    el('button', { type: 'button', disabled: shown >= page.total, onclick: () => loadGroup(g, body, offset + 10) }, 'next ›')));
}

// ---- evaluation ------------------------------------------------------------------------------

function evalQuery(p) {
  const q = {};
  for (const k of ['over', 'stats', 'fields', 'where', 'stage', 'rows', 'columns', 'value', 'lower', 'precision', 'test', 'alpha', 'against']) {
    if (p.has(k)) q[k] = p.get(k);
  }
  if (!p.has('over')) q.over = meta.defaultOver.join(',');
  return q;
}

async function viewEval(main, token) {
  const p = params();
  const keys = meta.keyfields.map((k) => k.name);
  const over = p.has('over') ? p.get('over').split(',').filter((s) => s) : meta.defaultOver;
  const pivot = p.has('value');
  const stats = p.has('stats') ? p.get('stats').split(',') : (pivot ? ['mean', 'std'] : ['mean', 'std', 'count']);
  const fields = p.has('fields') ? p.get('fields').split(',') : numericResults();
  const form = el('form', { class: 'controls', id: 'eval-form' },
    el('fieldset', {}, el('legend', {}, 'over'), checkboxes('over', keys, over)),
    el('fieldset', {}, el('legend', {}, 'statistics'), checkboxes('stats', meta.stats, stats)),
    el('fieldset', { class: 'flat' }, el('legend', {}, 'fields'), checkboxes('fields', numericResults(), fields)),
    el('label', {}, 'where ', el('input', { type: 'text', class: 'where', name: 'where', value: p.get('where') || '', spellcheck: 'false' })),
    stageInput(p),
    el('label', {}, 'digits ', select('precision', ['0', '1', '2', '3', '4', '5', '6'], p.get('precision') || '4')),
    el('label', {}, el('input', { type: 'checkbox', name: 'pivot', checked: pivot }), ' pivot'),
    el('span', { class: 'pivot-only' },
      el('label', {}, 'rows ', select('rows', keys, (p.get('rows') || '').split(',')[0] || keys[0])), ' ',
      el('label', {}, 'columns ', select('columns', keys, (p.get('columns') || '').split(',')[0] || keys[1] || keys[0])), ' ',
      el('label', {}, 'value ', select('value', numericResults(), p.get('value') || numericResults()[0])), ' ',
      el('label', {}, el('input', { type: 'checkbox', name: 'lower', checked: p.get('lower') === 'true' }), ' lower is better'), ' ',
      el('label', { title: 'mark the cells not significantly worse than the row\'s best: a paired test over the seeds, Holm-corrected within the row' },
        'test ', select('test', ['wilcoxon', 'ttest'], p.get('test') || '', 'none')), ' ',
      el('label', {}, 'alpha ', el('input', { type: 'text', name: 'alpha', size: 5, value: p.get('alpha') || '0.05' })), ' ',
      el('label', {}, 'against ', el('input', { type: 'text', name: 'against', size: 8, value: p.get('against') || 'best' }))),
    el('button', { class: 'primary', type: 'submit' }, 'Evaluate'));
  const pivotOnly = form.querySelector('.pivot-only');
  const flat = form.querySelector('.flat');
  const toggle = () => { pivotOnly.style.display = form.elements.pivot.checked ? '' : 'none'; flat.style.display = form.elements.pivot.checked ? 'none' : ''; };
  form.elements.pivot.addEventListener('change', toggle);
  toggle();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    q.set('over', checkedValues(form, 'over').join(','));
    const st = checkedValues(form, 'stats');
    if (st.length) q.set('stats', st.join(','));
    if (form.elements.where.value.trim()) q.set('where', form.elements.where.value.trim());
    readStage(form, q);
    q.set('precision', form.elements.precision.value);
    if (form.elements.pivot.checked) {
      q.set('rows', form.elements.rows.value);
      q.set('columns', form.elements.columns.value);
      q.set('value', form.elements.value.value);
      if (form.elements.lower.checked) q.set('lower', 'true');
      if (form.elements.test.value) {
        q.set('test', form.elements.test.value);
        const alpha = form.elements.alpha.value.trim();
        if (alpha && alpha !== '0.05') q.set('alpha', alpha);
        const against = form.elements.against.value.trim();
        if (against && against !== 'best') q.set('against', against);
      }
    } else {
      const fs = checkedValues(form, 'fields');
      if (fs.length) q.set('fields', fs.join(','));
    }
    go('eval', q);
  });
  const box = el('div', { id: 'eval-result' }, el('p', { class: 'muted' }, 'evaluating with Spark…'));
  main.append(el('h2', {}, 'Evaluation'), form, box);
  const q = evalQuery(p);
  const load = async () => {
    let r;
    try {
      r = await api('/api/eval', q);
    } catch (e) {
      clear(box).append(errorBox(e));
      return;
    }
    if (token !== renderToken) return;
    clear(box);
    const dl = (fmt, label) => el('a', { href: '/api/eval?' + new URLSearchParams({ ...q, format: fmt }).toString(), download: true, class: 'download', 'data-format': fmt }, label);
    box.append(el('div', { class: 'pager' }, 'download as ', dl('csv', 'CSV'), ' · ', dl('markdown', 'Markdown'), ' · ', dl('latex', 'LaTeX'),
      el('span', { class: r.stale ? 'stale' : 'muted', id: 'eval-asof' },
        (r.stale ? 'updating: rows changed since ' : 'rows as of ') + show(r.asOf).slice(0, 19) + ' UTC')));
    const s = r.shown;
    const t = el('table', { class: 'grid', id: 'eval-table' }, el('tr', {}, s.header.map((h, i) => el('th', { class: s.numeric[i] ? 'num' : '' }, h))));
    s.cells.forEach((row, ri) => {
      t.append(el('tr', {}, row.map((c, i) => el('td', { class: (s.numeric[i] ? 'num' : '') + (s.best[ri][i] ? ' best' : '') + (s.marked[ri][i] ? ' marked' : '') }, c))));
    });
    box.append(el('div', { class: 'scroll' }, t));
    if (s.footnote) box.append(el('p', { class: 'muted' }, s.footnote.replace('* ', 'bold: ')));
    if (s.legend.length) box.append(el('ul', { class: 'muted legend', id: 'eval-legend' }, s.legend.map((l) => el('li', {}, l))));
    const left = Object.entries(r.leftOut).map(([k, v]) => v + ' ' + k);
    if (left.length) box.append(el('p', { class: 'muted', id: 'left-out' }, 'left out ' + left.join(', ') + ' (not done)'));
    for (const [f, n] of Object.entries(r.withoutValue)) box.append(el('p', { class: 'muted' }, f + ': left out of the statistics ' + n + ' done row(s) without a value'));
    box.append(el('p', {}, 'the same from the command line: ', el('code', { class: 'command' }, r.command)));
    if (r.stale) setTimeout(() => { if (token === renderToken) load(); }, 2000);
  };
  load();
}

// ---- compare ---------------------------------------------------------------------------------

async function viewCompare(main, token) {
  const p = params();
  const keys = meta.keyfields.map((k) => k.name);
  const ys = numericResults();
  main.append(el('h2', {}, 'Compare methods over data sets'));
  const others = (k) => keys.filter((x) => !meta.defaultOver.includes(x) && x !== k);
  const methods = p.get('methods') || others()[0] || keys[0];
  const datasets = p.get('datasets') || others(methods)[0] || keys[0];
  const over = p.has('over') ? p.get('over').split(',').filter((s) => s) : meta.defaultOver;
  const form = el('form', { class: 'controls', id: 'compare-form' },
    el('label', {}, 'methods ', select('methods', keys, methods)),
    el('label', {}, 'data sets ', select('datasets', keys, datasets)),
    el('label', {}, 'value ', select('value', ys, p.get('value') || ys[0])),
    el('fieldset', {}, el('legend', {}, 'over'), checkboxes('over', keys, over)),
    el('label', {}, 'alpha ', el('input', { type: 'text', name: 'alpha', size: 5, value: p.get('alpha') || '0.05' })),
    el('label', {}, 'control ', el('input', { type: 'text', name: 'control', size: 8, value: p.get('control') || '' })),
    el('label', {}, el('input', { type: 'checkbox', name: 'lower', checked: p.get('lower') === 'true' }), ' lower is better'),
    el('label', {}, 'where ', el('input', { type: 'text', class: 'where', name: 'where', value: p.get('where') || '', spellcheck: 'false' })),
    el('button', { class: 'primary', type: 'submit' }, 'Compare'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ methods: form.elements.methods.value, datasets: form.elements.datasets.value, value: form.elements.value.value, over: checkedValues(form, 'over').join(',') });
    for (const k of ['alpha', 'control', 'where']) if (form.elements[k].value.trim()) q.set(k, form.elements[k].value.trim());
    if (q.get('alpha') === '0.05') q.delete('alpha');
    if (form.elements.lower.checked) q.set('lower', 'true');
    go('compare', q);
  });
  const box = el('div', { id: 'compare-result' });
  main.append(form, box);
  if (!p.has('value')) {
    box.append(el('p', { class: 'muted' }, 'choose the keyfields of the methods and the data sets, then Compare'));
    return;
  }
  box.append(el('p', { class: 'muted' }, 'comparing with Spark…'));
  const q = {};
  for (const k of ['methods', 'datasets', 'value', 'over', 'alpha', 'control', 'lower', 'where']) if (p.has(k)) q[k] = p.get(k);
  if (!p.has('over')) q.over = meta.defaultOver.join(',');
  const load = async () => {
    let r;
    try {
      r = await api('/api/compare', q);
    } catch (e) {
      clear(box).append(errorBox(e));
      return;
    }
    if (token !== renderToken) return;
    const qs = new URLSearchParams(q).toString();
    const dl = (fmt, label) => el('a', { href: '/api/compare?' + qs + '&format=' + fmt, download: true, class: 'download', 'data-format': fmt }, label);
    const img = el('img', { class: 'chart', id: 'cd-diagram', alt: 'critical-difference diagram', src: '/api/compare.svg?' + qs });
    clear(box).append(el('div', { class: 'pager' }, 'download as ', dl('markdown', 'Markdown'), ' · ', dl('latex', 'LaTeX'), ' · ', dl('json', 'JSON'), ' · ',
      el('a', { href: '/api/compare.svg?' + qs, download: 'cd-diagram.svg' }, 'diagram SVG'),
      el('span', { class: r.stale ? 'stale' : 'muted' }, (r.stale ? 'updating: rows changed since ' : 'rows as of ') + show(r.asOf).slice(0, 19) + ' UTC')),
    img, el('pre', { class: 'trace', id: 'compare-text' }, r.text),
    el('p', {}, 'the same from the command line: ', el('code', { class: 'command' }, r.command)));
    if (r.stale) setTimeout(() => { if (token === renderToken) load(); }, 2000);
  };
  load();
}

// ---- rungs of a halving run ------------------------------------------------------------------

function shownTable(id, s) {
  const t = el('table', { class: 'grid', id }, el('tr', {}, s.header.map((h, i) => el('th', { class: s.numeric[i] ? 'num' : '' }, h))));
  for (const row of s.cells) t.append(el('tr', {}, row.map((c, i) => el('td', { class: s.numeric[i] ? 'num' : '' }, c))));
  return el('div', { class: 'scroll' }, t);
}

async function viewRungs(main, token) {
  const p = params();
  main.append(el('h2', {}, 'Rungs'));
  if (!meta.halving) {
    main.append(el('p', { class: 'muted', id: 'rungs-none' }, 'this config has no halving section: there are no rungs to show'));
    return;
  }
  const form = el('form', { class: 'controls', id: 'rungs-form' },
    el('label', {}, 'where ', el('input', { type: 'text', class: 'where', name: 'where', value: p.get('where') || '', spellcheck: 'false' })),
    stageInput(p),
    el('label', {}, 'digits ', select('precision', ['0', '1', '2', '3', '4', '5', '6'], p.get('precision') || '4')),
    el('button', { class: 'primary', type: 'submit' }, 'Show'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (form.elements.where.value.trim()) q.set('where', form.elements.where.value.trim());
    readStage(form, q);
    q.set('precision', form.elements.precision.value);
    go('rungs', q);
  });
  const box = el('div', { id: 'rungs-result' }, el('p', { class: 'muted' }, 'reading the rungs with Spark…'));
  main.append(form, box);
  const q = {};
  for (const k of ['where', 'stage', 'precision']) if (p.has(k)) q[k] = p.get(k);
  const load = async () => {
    let r;
    try {
      r = await api('/api/rungs', q);
    } catch (e) {
      clear(box).append(errorBox(e));
      return;
    }
    if (token !== renderToken) return;
    const dl = (fmt, label, extra) => el('a', { href: '/api/rungs?' + new URLSearchParams({ ...q, ...extra, format: fmt }).toString(), download: true, class: 'download', 'data-format': fmt }, label);
    clear(box).append(
      el('div', { class: 'pager' }, 'download as ', dl('csv', 'CSV'), ' · ', dl('markdown', 'Markdown'), ' · ', dl('latex', 'LaTeX'),
        ' · paths as ', dl('csv', 'CSV', { paths: 'true' }),
        el('span', { class: r.stale ? 'stale' : 'muted' }, (r.stale ? 'updating: rows changed since ' : 'rows as of ') + show(r.asOf).slice(0, 19) + ' UTC')),
      el('h3', {}, 'Each rung: value, rank and mark'), shownTable('rungs-table', r.rungs),
      el('h3', {}, 'Survivors\' paths'), shownTable('paths-table', r.paths),
      el('p', {}, 'the same from the command line: ', el('code', { class: 'command' }, r.command)));
    if (r.stale) setTimeout(() => { if (token === renderToken) load(); }, 2000);
  };
  load();
}

// ---- plots -----------------------------------------------------------------------------------

async function viewPlot(main, token) {
  const p = params();
  const xs = numericKeyfields();
  const ys = numericResults();
  main.append(el('h2', {}, 'Plots'));
  if (!xs.length || !ys.length) {
    main.append(el('p', { class: 'muted' }, 'a plot needs a numeric keyfield and a numeric result field'));
    return;
  }
  const over = p.has('over') ? p.get('over').split(',').filter((s) => s) : meta.defaultOver;
  const x = p.get('x') || xs.find((k) => !over.includes(k)) || xs[0];
  const form = el('form', { class: 'controls', id: 'plot-form' },
    el('label', {}, 'x ', select('x', xs, x)),
    el('label', {}, 'y ', select('y', ys, p.get('y') || ys[0])),
    el('fieldset', {}, el('legend', {}, 'over'), checkboxes('over', meta.keyfields.map((k) => k.name), over)),
    el('label', {}, 'band ', select('band', ['std', 'se', 'ci95', 'none'], p.get('band') || 'std')),
    el('label', {}, 'where ', el('input', { type: 'text', class: 'where', name: 'where', value: p.get('where') || '', spellcheck: 'false' })),
    stageInput(p),
    el('button', { class: 'primary', type: 'submit' }, 'Plot'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ x: form.elements.x.value, y: form.elements.y.value, over: checkedValues(form, 'over').join(','), band: form.elements.band.value });
    if (form.elements.where.value.trim()) q.set('where', form.elements.where.value.trim());
    readStage(form, q);
    go('plot', q);
  });
  const box = el('div', { id: 'plot-result' }, el('p', { class: 'muted' }, 'drawing with Spark…'));
  main.append(form, box);
  const q = { x, y: p.get('y') || ys[0], over: over.join(','), band: p.get('band') || 'std' };
  if (p.get('where')) q.where = p.get('where');
  if (p.get('stage')) q.stage = p.get('stage');
  const url = '/api/plot.svg?' + new URLSearchParams(q).toString();
  const load = async () => {
    const r = await fetch(url, { credentials: 'same-origin' });
    if (token !== renderToken) return;
    if (!r.ok) {
      const body = await r.json().catch(() => ({ error: r.statusText }));
      clear(box).append(errorBox(body.error));
      return;
    }
    const stale = r.headers.get('X-Stale') === 'true';
    const blob = await r.blob();
    const img = el('img', { class: 'chart', id: 'plot-image', alt: q.y + ' by ' + q.x, width: 800, height: 500 });
    img.src = URL.createObjectURL(blob);
    clear(box).append(img, el('p', {}, el('a', { href: url, download: q.y + '-by-' + q.x + '.svg' }, 'download SVG'), ' ',
      el('span', { class: stale ? 'stale' : 'muted' }, (stale ? 'updating: rows changed since ' : 'rows as of ') + show(r.headers.get('X-As-Of')).slice(0, 19) + ' UTC')));
    if (stale) setTimeout(() => { if (token === renderToken) load(); }, 2000);
  };
  load();
}

// ---- one row ---------------------------------------------------------------------------------

const TIMING = ['status', 'stage', 'parent_id', 'error_kind', 'attempt', 'creation_date', 'start_date', 'end_date', 'wall_time', 'cpu_time',
  'allocated_bytes', 'machine', 'executor', 'spark_app', 'run_id', 'experiment_class', 'heartbeat', 'lease_ms'];

function kv(id, pairs) {
  return el('table', { class: 'kv', id }, pairs.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', { 'data-col': k }, v))));
}

async function viewRow(main, token) {
  const id = params().get('id');
  main.append(el('h2', {}, 'Experiment ' + id));
  let r;
  try {
    r = await api('/api/row', { id });
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  if (token !== renderToken) return;
  const row = r.row;
  const results = [];
  for (const f of meta.resultfields) {
    results.push([f.name, show(row[f.name], true)]);
    if ((f.name + '_timestamp') in row) results.push([f.name + '_timestamp', show(row[f.name + '_timestamp'])]);
  }
  const timing = TIMING.filter((c) => c in row).map((c) => {
    let v = row[c];
    if (c === 'status') v = statusBadge(v);
    else if (c === 'allocated_bytes' && v !== null) v = number(v) + ' bytes (' + (v / 1048576).toFixed(1) + ' MB)';
    else if ((c === 'wall_time' || c === 'cpu_time') && v !== null) v = v.toFixed(3) + ' s';
    else if (c === 'parent_id' && v !== null) v = el('a', { href: '#/row?id=' + v }, String(v));
    else v = show(v);
    return [c, v];
  });
  main.append(el('div', { class: 'sections' },
    el('div', {}, el('h3', {}, 'Parameters'), kv('row-parameters', meta.keyfields.map((k) => [k.name, show(row[k.name], true)]))),
    el('div', {}, el('h3', {}, 'Results'), kv('row-results', results)),
    el('div', {}, el('h3', {}, 'Status, timing and resources'), kv('row-timing', timing))));
  if (meta.actions.allowed) {
    const bar = el('div', { class: 'pager' });
    if (row.status !== 'running') {
      bar.append(el('button', { type: 'button', class: 'danger', id: 'reset-row', onclick: async () => {
        if (!confirm('Reset experiment ' + id + ' to created, clearing its results?')) return;
        try { await post('/api/actions/reset', { ids: [Number(id)] }); setTimeout(() => render(), 300); } catch (e) { main.append(errorBox(e)); }
      } }, 'Reset'));
    }
    if (row.status === 'paused') {
      bar.append(el('button', { type: 'button', id: 'unpause-row', onclick: async () => {
        try { await post('/api/actions/unpause', { ids: [Number(id)] }); setTimeout(() => render(), 300); } catch (e) { main.append(errorBox(e)); }
      } }, 'Unpause'));
    }
    main.append(bar);
  }
  if (row.error) main.append(el('h3', {}, 'Error'), el('pre', { id: 'row-error' }, row.error));
  main.append(el('h3', {}, 'Attempts'));
  if (!r.attempts.length) main.append(el('p', { class: 'muted' }, 'no attempt finished yet'));
  else {
    main.append(el('div', { class: 'scroll' }, el('table', { class: 'grid', id: 'row-attempts' },
      el('tr', {}, ['attempt', 'outcome', 'run id', 'Spark application', 'machine', 'executor', 'start (UTC)', 'end (UTC)', 'error'].map((h) => el('th', {}, h))),
      r.attempts.map((a) => el('tr', {}, el('td', { class: 'num' }, a.attempt), el('td', {}, a.outcome), el('td', {}, a.runId || ''),
        el('td', {}, a.sparkApp || ''), el('td', {}, a.machine || ''), el('td', {}, a.executor || ''), el('td', {}, show(a.start)),
        el('td', {}, show(a.end)), el('td', { title: a.error || '' }, (a.error || '').split('\n')[0]))))));
  }
  if (r.artifacts && r.artifacts.length) {
    main.append(el('h3', {}, 'Artifacts (' + r.artifacts.length + ' files)'));
    main.append(el('div', { class: 'scroll' }, el('table', { class: 'grid', id: 'row-artifacts' },
      el('tr', {}, ['attempt', 'file', 'bytes', 'SHA-256'].map((h) => el('th', {}, h))),
      r.artifacts.map((a) => el('tr', {}, el('td', { class: 'num' }, a.attempt),
        el('td', {}, el('a', { href: '/api/row/artifact?' + new URLSearchParams({ id, attempt: a.attempt, path: a.path }).toString() }, a.path)),
        el('td', { class: 'num' }, number(a.bytes)), el('td', { class: 'mono' }, a.sha256))))));
  }
  for (const log of r.logtables) {
    main.append(el('h3', {}, 'Log table ' + log.name + ' (' + log.rows.length + (log.truncated ? '+' : '') + ' rows)'));
    if (!log.rows.length) { main.append(el('p', { class: 'muted' }, 'no rows')); continue; }
    const numeric = log.columns.filter((c) => ['int', 'long', 'double'].includes(c.type)).map((c) => c.name);
    if (numeric.length) {
      const firstWhole = log.columns.find((c) => c.type === 'int' || c.type === 'long');
      const xSel = select('x', numeric, firstWhole ? firstWhole.name : '', '(row number)');
      const ySel = select('y', numeric, numeric.find((c) => !firstWhole || c !== firstWhole.name) || numeric[0]);
      const img = el('img', { class: 'chart log-chart', 'data-table': log.name, alt: log.name + ' curve', width: 720, height: 360 });
      const draw = () => { img.src = '/api/row/log.svg?' + new URLSearchParams({ id, table: log.name, x: xSel.value, y: ySel.value }).toString(); };
      xSel.addEventListener('change', draw);
      ySel.addEventListener('change', draw);
      draw();
      main.append(el('div', { class: 'controls' }, el('label', {}, 'x ', xSel), el('label', {}, 'y ', ySel)), img);
    }
    const names = ['attempt', 'timestamp'].concat(log.columns.map((c) => c.name));
    main.append(el('details', {}, el('summary', {}, 'rows'), el('div', { class: 'scroll' }, el('table', { class: 'grid log-rows' },
      el('tr', {}, names.map((n) => el('th', {}, n))), log.rows.slice(0, 500).map((lr) => el('tr', {}, names.map((n) => el('td', {}, show(lr[n])))))))));
  }
}

// ---- routing ---------------------------------------------------------------------------------

const VIEWS = { overview: viewOverview, table: viewTable, failures: viewFailures, eval: viewEval, compare: viewCompare, plot: viewPlot, rungs: viewRungs, row: viewRow };

function render() {
  const name = (location.hash.replace(/^#\/?/, '').split('?')[0]) || 'overview';
  const view = VIEWS[name] ? name : 'overview';
  currentView = view;
  renderToken++;
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.view === view);
  const main = clear(document.getElementById('main'));
  document.title = view + ' · ' + meta.table + ' · experimenter';
  VIEWS[view](main, renderToken);
}

async function start() {
  try {
    meta = await api('/api/meta');
  } catch (e) {
    clear(document.getElementById('main')).append(errorBox(e));
    return;
  }
  document.getElementById('table-name').textContent = meta.table;
  document.getElementById('table-name').title = meta.database;
  const mode = document.getElementById('mode');
  mode.textContent = meta.actions.allowed ? 'actions allowed' : 'read-only';
  mode.id = 'mode';
  window.addEventListener('hashchange', render);
  render();
  connectLive();
}

start();
