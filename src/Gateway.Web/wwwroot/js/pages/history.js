// #/history: past (and running) sessions, newest first: who started them, how they ended, bytes.
// Searched and filtered by the server (GET /api/history?q=&mode=&state=&startedBy=&limit=).

import { h, setText } from '../dom.js';
import { api, enc, query as qs } from '../api.js';
import * as live from '../hub.js';
import * as fmt from '../format.js';

const END_STATES = ['Closed', 'Failed', 'Stopped'];

export function mount(view) {
  const state = h('select', { id: 'history-state', 'aria-label': 'End state' },
    h('option', { value: '', text: 'All' }), h('option', { value: 'running', text: 'Running' }),
    END_STATES.map((s) => h('option', { value: s, text: s })));
  const search = h('input', { id: 'history-q', type: 'search', placeholder: 'Search name, id, endpoint, user, reason', 'aria-label': 'Search the history' });
  const mode = h('select', { id: 'history-mode', 'aria-label': 'Mode' },
    h('option', { value: '', text: 'Both modes' }), h('option', { value: 'source', text: 'Source' }), h('option', { value: 'destination', text: 'Destination' }));
  const startedBy = h('input', { id: 'history-startedBy', type: 'text', placeholder: 'Started by (exact)', 'aria-label': 'Started by', autocomplete: 'off' });
  const limit = h('select', { id: 'history-limit', 'aria-label': 'How many' }, [100, 500, 1000].map((n) => h('option', { value: String(n), text: `last ${n}` })));
  const refresh = h('button', { id: 'history-refresh', type: 'button', text: 'Refresh' });
  const tbody = h('tbody', { id: 'history-body' });
  const table = h('table', { id: 'history-table', class: 'table' },
    h('thead', null, h('tr', null,
      ['Started', 'Name', 'Mode', 'Endpoint', 'Started by', 'Ended', 'End', 'Reason', 'To tunnel', 'From tunnel'].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const status = h('p', { id: 'history-status', class: 'muted' });

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'History' })),
    h('div', { class: 'toolbar' }, search, mode, state, startedBy, limit, refresh),
    status,
    h('div', { class: 'table-wrap' }, table)));

  function row(x) {
    const running = !x.endedAt;
    const name = x.name || x.id;
    // The history records bytes when a session ends; a running one shows its live counters.
    const current = running ? live.getSession(x.id) : null;
    return h('tr', { dataset: { historyId: x.id } },
      h('td', { 'data-label': 'Started', text: fmt.time(x.startedAt) }),
      h('td', { 'data-label': 'Name' }, current ? h('a', { href: `#/sessions/${enc(x.id)}`, text: name }) : h('span', { title: x.id, text: name })),
      h('td', { 'data-label': 'Mode', text: x.mode }),
      h('td', { 'data-label': 'Endpoint', class: 'cell-endpoint', title: x.endpoint, text: x.endpoint }),
      h('td', { 'data-label': 'Started by', text: x.startedBy ?? '—' }),
      h('td', { 'data-label': 'Ended', text: running ? 'running' : fmt.time(x.endedAt) }),
      h('td', { 'data-label': 'End', dataset: { field: 'endState' } }, x.endState ? h('span', { class: `badge state-${x.endState}`, text: x.endState }) : '—'),
      h('td', { 'data-label': 'Reason', dataset: { field: 'endReason' }, text: x.endReason ?? '' }),
      h('td', { class: 'num', 'data-label': 'To tunnel', text: fmt.bytes(current?.bytesToTunnel ?? x.bytesToTunnel) }),
      h('td', { class: 'num', 'data-label': 'From tunnel', text: fmt.bytes(current?.bytesFromTunnel ?? x.bytesFromTunnel) }));
  }

  async function load() {
    setText(status, 'Loading…');
    try {
      const filtered = Boolean(search.value.trim() || mode.value || state.value || startedBy.value.trim());
      const rows = await api.get(`/api/history${qs({ q: search.value.trim(), mode: mode.value, state: state.value, startedBy: startedBy.value.trim(), limit: limit.value })}`);
      tbody.replaceChildren(...rows.map(row));
      table.hidden = rows.length === 0;
      setText(status, rows.length ? `${rows.length} session${rows.length === 1 ? '' : 's'}${filtered ? ' match' : ''}, newest first.`
        : filtered ? 'No session matches.' : 'No sessions recorded yet.');
    } catch (error) {
      setText(status, `History cannot be loaded: ${error.describe?.() ?? error.message}`);
    }
  }

  let typing = 0;
  const loadSoon = () => { clearTimeout(typing); typing = setTimeout(load, 250); };
  search.addEventListener('input', loadSoon);
  startedBy.addEventListener('input', loadSoon);
  mode.addEventListener('change', load);
  state.addEventListener('change', load);
  limit.addEventListener('change', load);
  refresh.addEventListener('click', load);
  load();
  return () => clearTimeout(typing);
}
