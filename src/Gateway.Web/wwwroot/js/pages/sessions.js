// #/sessions: every session, live. Paged (so 500+ sessions stay fast): only the current page's rows
// exist in the DOM. Counter batches patch the visible cells in place, once per animation frame;
// the set of sessions changing (added/removed), a filter, the sort or the page re-render the page.

import { h, replaceChildren, setText, toast, confirmButton } from '../dom.js';
import { api, enc } from '../api.js';
import { applyRoles } from '../auth.js';
import * as live from '../hub.js';
import { sparkline, seriesData } from '../charts.js';
import * as fmt from '../format.js';

const PAGE_SIZES = [25, 50, 100];
const STATES = ['Connecting', 'Connected', 'Reconnecting', 'Closed', 'Failed', 'Stopped'];

const columns = [
  { key: 'name', label: 'Name / profile', sort: (s) => (s.name || s.id).toLowerCase() },
  { key: 'services', label: 'Services', title: 'Source: the local port each service listens on (ssh -p PORT); destination: where each service connects', sort: (s) => servicesText(s) },
  { key: 'mode', label: 'Mode', sort: (s) => fmt.modeName(s.mode) },
  { key: 'endpoint', label: 'Endpoint', sort: (s) => s.endpoint ?? '' },
  { key: 'state', label: 'State', sort: (s) => STATES.indexOf(fmt.stateName(s.state)) },
  { key: 'rtt', label: 'RTT', sort: (s) => s.rttMs ?? -1, numeric: true },
  { key: 'connections', label: 'Conns', sort: (s) => s.activeConnections ?? 0, numeric: true },
  { key: 'bytesToTunnel', label: 'To tunnel', sort: (s) => s.bytesToTunnel ?? 0, numeric: true, title: 'Bytes read from local connections and sent into the tunnel' },
  { key: 'bytesFromTunnel', label: 'From tunnel', sort: (s) => s.bytesFromTunnel ?? 0, numeric: true, title: 'Bytes from the tunnel written to local connections' },
  { key: 'throughput', label: 'Throughput (5 min)' },
  { key: 'actions', label: '' },
];

/** Source: "SSH :2222"; destination: "SSH → 127.0.0.1:22". Several: one a line. */
function serviceLabel(mode, service) {
  const id = service.serviceId || '(default)';
  if (fmt.modeName(mode) === 'Source') return service.listenPort ? `${id} :${service.listenPort}` : `${id} (not listening)`;
  return `${id} → ${service.endpoint}`;
}

function servicesText(s) {
  return (s.services ?? []).map((service) => serviceLabel(s.mode, service)).join('\n');
}

// Kept while the dashboard is open, so that coming back shows the same view.
const viewState = { filter: '', state: '', mode: '', page: 0, pageSize: 50, sortKey: 'created', sortDesc: true };

export function mount(view) {
  const rows = new Map(); // id -> {tr, cells, spark}
  const pending = new Set();
  let frame = 0;
  let sampleFrame = 0;
  let listFrame = 0;
  let profileNames = new Map();
  let visibleIds = [];

  // ---- toolbar ----
  const filter = h('input', { id: 'sessions-filter', type: 'search', placeholder: 'Filter by name, id, endpoint, profile', value: viewState.filter, 'aria-label': 'Filter sessions' });
  const stateSelect = h('select', { id: 'sessions-state', 'aria-label': 'State' },
    h('option', { value: '', text: 'All states' }), STATES.map((s) => h('option', { value: s, text: s })));
  stateSelect.value = viewState.state;
  const modeSelect = h('select', { id: 'sessions-mode', 'aria-label': 'Mode' },
    h('option', { value: '', text: 'Both modes' }), h('option', { value: 'Source', text: 'Source' }), h('option', { value: 'Destination', text: 'Destination' }));
  modeSelect.value = viewState.mode;
  const pageSize = h('select', { id: 'sessions-page-size', 'aria-label': 'Rows per page' }, PAGE_SIZES.map((n) => h('option', { value: String(n), text: `${n} per page` })));
  pageSize.value = String(viewState.pageSize);
  const prev = h('button', { id: 'sessions-prev', type: 'button', text: '‹ Previous' });
  const next = h('button', { id: 'sessions-next', type: 'button', text: 'Next ›' });
  const pageInfo = h('span', { id: 'sessions-page-info', class: 'muted' });
  const summary = h('p', { id: 'sessions-summary', class: 'muted summary', 'aria-live': 'polite' });
  const clearEnded = h('button', {
    id: 'sessions-clear-ended', type: 'button', dataset: { requires: 'operator' }, text: 'Clear ended',
    title: 'Remove stopped, closed and failed sessions from this list (the history keeps them)',
    on: { click: () => clearEndedSessions() },
  });

  const headRow = h('tr', null, columns.map((c) => {
    const th = h('th', { scope: 'col', class: c.numeric ? 'num' : null, title: c.title, dataset: { col: c.key } });
    if (c.sort) {
      th.appendChild(h('button', { type: 'button', class: 'sort', text: c.label, on: { click: () => sortBy(c.key) } }));
    } else {
      th.textContent = c.label;
    }
    return th;
  }));
  const tbody = h('tbody', { id: 'sessions-body' });
  const table = h('table', { id: 'sessions-table', class: 'table sessions-table' }, h('thead', null, headRow), tbody);
  const empty = h('div', { id: 'sessions-empty', class: 'empty', hidden: true });

  const page = h('section', { class: 'page' },
    h('div', { class: 'page-head' },
      h('h1', { text: 'Sessions' }),
      h('div', { class: 'page-actions' },
        clearEnded,
        h('a', { href: '#/start', class: 'button primary', id: 'start-session-link', dataset: { requires: 'operator' }, text: 'Start a session' }))),
    h('div', { class: 'toolbar' }, filter, stateSelect, modeSelect, pageSize),
    summary,
    h('div', { class: 'table-wrap' }, table),
    empty,
    h('div', { class: 'pager' }, prev, pageInfo, next));
  view.appendChild(page);

  // ---- list ----
  function matches(s) {
    if (viewState.state && fmt.stateName(s.state) !== viewState.state) return false;
    if (viewState.mode && fmt.modeName(s.mode) !== viewState.mode) return false;
    const text = viewState.filter.trim().toLowerCase();
    if (!text) return true;
    const profile = s.profileId ? profileNames.get(s.profileId) ?? s.profileId : '';
    return [s.id, s.name, s.endpoint, profile, s.stateReason, servicesText(s)].some((v) => v && String(v).toLowerCase().includes(text));
  }

  function sorted(list) {
    const column = columns.find((c) => c.key === viewState.sortKey);
    const key = column?.sort ?? ((s) => s.createdAt ?? '');
    const dir = viewState.sortDesc ? -1 : 1;
    return list.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      if (x < y) return -dir;
      if (x > y) return dir;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }

  function sortBy(key) {
    if (viewState.sortKey === key) viewState.sortDesc = !viewState.sortDesc;
    else { viewState.sortKey = key; viewState.sortDesc = key !== 'name' && key !== 'mode' && key !== 'endpoint'; }
    render();
  }

  function render() {
    listFrame = 0;
    const all = [...live.allSessions().values()];
    const list = sorted(all.filter(matches));
    const pages = Math.max(1, Math.ceil(list.length / viewState.pageSize));
    viewState.page = Math.min(viewState.page, pages - 1);
    const start = viewState.page * viewState.pageSize;
    const shown = list.slice(start, start + viewState.pageSize);

    for (const row of rows.values()) row.spark?.destroy();
    rows.clear();
    pending.clear();
    const fragment = document.createDocumentFragment();
    for (const s of shown) fragment.appendChild(buildRow(s));
    tbody.replaceChildren(fragment);
    applyRoles(tbody);
    visibleIds = shown.map((s) => s.id);
    // Sparklines after the rows are in the document (uPlot measures its container).
    for (const id of visibleIds) {
      const row = rows.get(id);
      row.spark = sparkline(row.cells.spark, seriesData(live.getSeries(id)));
    }

    for (const th of headRow.children) {
      th.removeAttribute('aria-sort');
      if (th.dataset.col === viewState.sortKey) th.setAttribute('aria-sort', viewState.sortDesc ? 'descending' : 'ascending');
    }
    matchingCount = list.length;
    renderSummary();
    setText(pageInfo, list.length ? `${start + 1}–${start + shown.length} of ${list.length} · page ${viewState.page + 1} of ${pages}` : '');
    prev.disabled = viewState.page === 0;
    next.disabled = viewState.page >= pages - 1;
    table.hidden = shown.length === 0;
    renderEmpty(all.length, list.length);
  }

  function renderEmpty(total, matching) {
    empty.hidden = matching > 0;
    if (matching > 0) return;
    if (total > 0) {
      replaceChildren(empty, h('p', { text: 'No session matches the filter.' }));
      return;
    }
    replaceChildren(empty,
      h('p', { text: live.getStatus() === 'connecting' ? 'Loading sessions…' : 'No sessions yet.' }),
      h('p', { class: 'muted' },
        h('a', { href: '#/start', dataset: { requires: 'operator' }, text: 'Start a session' }),
        ' from a profile or a spec, or ',
        h('a', { href: '#/relay', text: 'open a demo tunnel' }),
        ' on the built-in relay to see traffic flow.'));
    applyRoles(empty);
  }

  // The live summary line: states, open connections and throughput now, over every session.
  let matchingCount = 0;
  function renderSummary() {
    const all = [...live.allSessions().values()];
    const ended = all.filter((s) => fmt.isFinal(s.state)).length;
    clearEnded.disabled = ended === 0;
    if (all.length === 0) { setText(summary, ''); return; }
    let connections = 0;
    let up = 0;
    let down = 0;
    for (const s of all) {
      connections += s.activeConnections ?? 0;
      const series = live.getSeries(s.id);
      const n = series?.t.length ?? 0;
      if (n) { up += series.to[n - 1]; down += series.from[n - 1]; }
    }
    const parts = [`${all.length} session${all.length === 1 ? '' : 's'}: ${countStates(all)}`,
      `${connections} open connection${connections === 1 ? '' : 's'}`,
      `↑ ${fmt.rate(up)} ↓ ${fmt.rate(down)}`];
    if (!live.isReachable()) parts.unshift('gateway unreachable, showing the last known states');
    if (matchingCount !== all.length) parts.push(`${matchingCount} match the filter`);
    setText(summary, parts.join(' · '));
  }

  function countStates(list) {
    const counts = new Map();
    for (const s of list) counts.set(fmt.stateName(s.state), (counts.get(fmt.stateName(s.state)) ?? 0) + 1);
    return STATES.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s.toLowerCase()}`).join(', ');
  }

  function buildRow(s) {
    const link = h('a', { href: `#/sessions/${enc(s.id)}`, class: 'session-name', dataset: { field: 'name' } });
    const profile = h('div', { class: 'sub', dataset: { field: 'profile' } });
    const stateBadge = h('span', { class: 'badge', dataset: { field: 'state' } });
    const reason = h('span', { class: 'sub reason', dataset: { field: 'stateReason' } });
    const cells = {
      name: h('td', { class: 'cell-name', 'data-label': 'Name' }, link, profile),
      services: h('td', { class: 'cell-services', dataset: { field: 'services' }, 'data-label': 'Services' }),
      mode: h('td', { dataset: { field: 'mode' }, 'data-label': 'Mode' }),
      endpoint: h('td', { class: 'cell-endpoint', dataset: { field: 'endpoint' }, 'data-label': 'Endpoint' }),
      state: h('td', { class: 'cell-state', 'data-label': 'State' }, stateBadge, reason),
      rtt: h('td', { class: 'num', dataset: { field: 'rtt' }, 'data-label': 'RTT' }),
      connections: h('td', { class: 'num', dataset: { field: 'connections' }, 'data-label': 'Connections' }),
      bytesToTunnel: h('td', { class: 'num', dataset: { field: 'bytesToTunnel' }, 'data-label': 'To tunnel' }),
      bytesFromTunnel: h('td', { class: 'num', dataset: { field: 'bytesFromTunnel' }, 'data-label': 'From tunnel' }),
      spark: h('div', { class: 'sparkline', 'aria-hidden': 'true' }),
      actions: h('td', { class: 'cell-actions' }),
    };
    const stop = confirmButton('Stop', 'Really stop?', () => stopSession(s.id),
      { class: 'small danger', dataset: { stopSession: s.id, requires: 'operator' } });
    cells.actions.appendChild(stop);
    const tr = h('tr', { dataset: { sessionId: s.id } },
      cells.name, cells.services, cells.mode, cells.endpoint, cells.state, cells.rtt, cells.connections,
      cells.bytesToTunnel, cells.bytesFromTunnel, h('td', { class: 'cell-spark', 'data-label': 'Throughput' }, cells.spark), cells.actions);
    const row = { tr, cells, link, profile, stateBadge, reason, stop, spark: null, state: null };
    rows.set(s.id, row);
    patch(row, s);
    return tr;
  }

  function patch(row, s) {
    // While the gateway cannot be reached the state is only the last one known: say so instead.
    const state = live.isReachable() ? fmt.stateName(s.state) : 'unreachable';
    setText(row.link, s.name || s.id);
    row.link.title = s.name ? `${s.name} (${s.id})` : s.id;
    setText(row.profile, s.profileId ? `profile: ${profileNames.get(s.profileId) ?? s.profileId}` : '');
    setText(row.cells.mode, fmt.modeName(s.mode));
    setText(row.cells.endpoint, s.endpoint);
    row.cells.endpoint.title = s.endpoint ?? '';
    if (row.state !== state) {
      row.state = state;
      row.stateBadge.className = `badge state-${state}`;
      setText(row.stateBadge, state === 'unreachable' ? 'gateway unreachable' : state);
      row.stop.hidden = fmt.isFinal(state) || state === 'unreachable';
    }
    setText(row.reason, state === 'unreachable'
      ? `last known: ${fmt.stateName(s.state)}`
      : [s.stateReason, s.receivePaused ? 'receive paused (slow local reader)' : null].filter(Boolean).join(' · '));
    setText(row.cells.services, servicesText(s) || '—');
    setText(row.cells.rtt, fmt.rtt(s.rttMs));
    setText(row.cells.connections, s.activeConnections ?? 0);
    setText(row.cells.bytesToTunnel, fmt.bytes(s.bytesToTunnel));
    setText(row.cells.bytesFromTunnel, fmt.bytes(s.bytesFromTunnel));
    row.cells.bytesToTunnel.dataset.value = String(s.bytesToTunnel ?? 0);
    row.cells.bytesFromTunnel.dataset.value = String(s.bytesFromTunnel ?? 0);
    row.cells.connections.dataset.value = String(s.activeConnections ?? 0);
  }

  async function stopSession(id) {
    try {
      live.remember(await api.del(`/api/tunnels/${enc(id)}`));
    } catch (error) {
      toast(`Stopping ${id} failed: ${error.describe?.() ?? error.message}`, 'error');
    }
  }

  async function clearEndedSessions() {
    clearEnded.disabled = true;
    try {
      const { removed } = await api.del('/api/tunnels/ended');
      live.forget(removed);
      toast(removed.length ? `${removed.length} ended session${removed.length === 1 ? '' : 's'} cleared (the history keeps them).` : 'No ended sessions to clear.');
    } catch (error) {
      toast(`Clearing failed: ${error.describe?.() ?? error.message}`, 'error');
    } finally {
      renderSummary();
    }
  }

  // ---- live ----
  function scheduleRender() {
    if (!listFrame) listFrame = requestAnimationFrame(render);
  }

  function flush() {
    frame = 0;
    let stale = false;
    for (const id of pending) {
      const row = rows.get(id);
      const s = live.getSession(id);
      if (!row || !s) continue;
      patch(row, s);
      if (viewState.state && fmt.stateName(s.state) !== viewState.state) stale = true;
    }
    pending.clear();
    renderSummary();
    if (stale) scheduleRender();
  }

  const offList = live.on('list', scheduleRender);
  const offUpdate = live.on('update', (ids) => {
    for (const id of ids) if (rows.has(id)) pending.add(id);
    if (pending.size && !frame) frame = requestAnimationFrame(flush);
  });
  const offSample = live.on('sample', () => {
    if (sampleFrame) return;
    sampleFrame = requestAnimationFrame(() => {
      sampleFrame = 0;
      for (const id of visibleIds) rows.get(id)?.spark?.update(seriesData(live.getSeries(id)));
      renderSummary();
    });
  });
  const offReachability = live.on('reachability', () => {
    for (const id of visibleIds) {
      const row = rows.get(id);
      const s = live.getSession(id);
      if (row && s) patch(row, s);
    }
    renderSummary();
  });
  const offStatus = live.on('status', () => { if (rows.size === 0) scheduleRender(); });

  // ---- controls ----
  let filterTimer = 0;
  filter.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => { viewState.filter = filter.value; viewState.page = 0; render(); }, 120);
  });
  stateSelect.addEventListener('change', () => { viewState.state = stateSelect.value; viewState.page = 0; render(); });
  modeSelect.addEventListener('change', () => { viewState.mode = modeSelect.value; viewState.page = 0; render(); });
  pageSize.addEventListener('change', () => { viewState.pageSize = Number(pageSize.value); viewState.page = 0; render(); });
  prev.addEventListener('click', () => { viewState.page = Math.max(0, viewState.page - 1); render(); });
  next.addEventListener('click', () => { viewState.page += 1; render(); });

  api.get('/api/profiles').then((profiles) => {
    profileNames = new Map((profiles ?? []).map((p) => [p.id, p.name]));
    for (const id of visibleIds) {
      const row = rows.get(id);
      const s = live.getSession(id);
      if (row && s) patch(row, s);
    }
  }).catch(() => {});

  render();

  return () => {
    offList(); offUpdate(); offSample(); offStatus(); offReachability();
    cancelAnimationFrame(frame); cancelAnimationFrame(sampleFrame); cancelAnimationFrame(listFrame);
    clearTimeout(filterTimer);
    for (const row of rows.values()) row.spark?.destroy();
    rows.clear();
  };
}
