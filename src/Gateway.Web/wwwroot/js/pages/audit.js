// #/audit (admin): every mutating API call, newest first, 100 at a time ("Older" pages back), with
// what it did in words. Searched and filtered by the server (GET /api/audit?q=&area=&outcome=&actor=).

import { h, setText } from '../dom.js';
import { api, query as qs } from '../api.js';
import * as fmt from '../format.js';

const PAGE = 100;
const AREAS = [['', 'All areas'], ['sessions', 'Sessions'], ['relay', 'Relay tunnels'], ['profiles', 'Profiles'], ['users', 'Users'], ['api-keys', 'API keys'], ['aws-keys', 'AWS keys'], ['auth', 'Logins and passwords'], ['aws-api', 'AWS API calls']];

export function mount(view) {
  const tbody = h('tbody', { id: 'audit-body' });
  const table = h('table', { id: 'audit-table', class: 'table' },
    h('thead', null, h('tr', null,
      ['When', 'Who', 'Action', 'Outcome', 'Target', 'From'].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const status = h('p', { id: 'audit-status', class: 'muted' });
  const newest = h('button', { id: 'audit-newest', type: 'button', text: 'Newest' });
  const older = h('button', { id: 'audit-older', type: 'button', text: 'Older ›' });
  const search = h('input', { id: 'audit-q', type: 'search', placeholder: 'Search path, target, who, address', 'aria-label': 'Search the audit log' });
  const area = h('select', { id: 'audit-area', 'aria-label': 'Area' }, AREAS.map(([value, text]) => h('option', { value, text })));
  const outcome = h('select', { id: 'audit-outcome', 'aria-label': 'Outcome' },
    h('option', { value: '', text: 'Allowed and refused' }), h('option', { value: 'allowed', text: 'Allowed' }), h('option', { value: 'refused', text: 'Refused' }));
  const actor = h('input', { id: 'audit-actor', type: 'text', placeholder: 'Who (exact, e.g. key:ci)', 'aria-label': 'Who', autocomplete: 'off' });

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Audit log' })),
    h('p', { class: 'muted', text: 'Every change made through the API (sessions, profiles, relay tunnels, keys, users, logins), allowed or refused, with who made it. Never a request body.' }),
    h('div', { class: 'toolbar' }, search, area, outcome, actor),
    status,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'pager' }, newest, older)));

  function row(a) {
    return h('tr', { dataset: { auditId: a.id }, class: a.status >= 400 ? 'refused' : null },
      h('td', { 'data-label': 'When', text: fmt.time(a.at) }),
      h('td', { 'data-label': 'Who', text: a.actor }),
      h('td', { 'data-label': 'Action', dataset: { field: 'action' } },
        h('span', { text: a.action ?? `${a.method} ${a.path}` }),
        h('div', { class: 'sub' }, h('code', { text: `${a.method} ${a.path}` }))),
      h('td', { 'data-label': 'Outcome', dataset: { field: 'outcome' } },
        h('span', { class: a.status >= 400 ? 'badge state-Failed' : 'badge state-Connected', text: a.status >= 400 ? 'refused' : 'done' }),
        h('span', { class: 'sub', text: ` ${a.status}` })),
      h('td', { 'data-label': 'Target', text: a.target ?? '' }),
      h('td', { 'data-label': 'From', text: a.remoteAddress ?? '' }));
  }

  async function load(before) {
    setText(status, 'Loading…');
    try {
      const rows = await api.get(`/api/audit${qs({ limit: PAGE, beforeId: before, q: search.value.trim(), area: area.value, outcome: outcome.value, actor: actor.value.trim() })}`);
      tbody.replaceChildren(...rows.map(row));
      table.hidden = rows.length === 0;
      older.disabled = rows.length < PAGE;
      older.dataset.next = rows.length ? String(rows[rows.length - 1].id) : '';
      newest.disabled = !before;
      setText(status, rows.length ? `${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}${before ? ` older than #${before}` : ', newest first'}.` : 'No entries.');
    } catch (error) {
      setText(status, `The audit log cannot be loaded: ${error.describe?.() ?? error.message}`);
    }
  }

  let typing = 0;
  const loadSoon = () => { clearTimeout(typing); typing = setTimeout(() => load(null), 250); };
  search.addEventListener('input', loadSoon);
  actor.addEventListener('input', loadSoon);
  area.addEventListener('change', () => load(null));
  outcome.addEventListener('change', () => load(null));
  older.addEventListener('click', () => load(Number(older.dataset.next)));
  newest.addEventListener('click', () => load(null));
  load(null);
  return () => clearTimeout(typing);
}
