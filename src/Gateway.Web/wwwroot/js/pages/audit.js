// #/audit (admin): every mutating API call, newest first, 100 at a time ("Older" pages back).

import { h, setText } from '../dom.js';
import { api, query as qs } from '../api.js';
import * as fmt from '../format.js';

const PAGE = 100;

export function mount(view) {
  const tbody = h('tbody', { id: 'audit-body' });
  const table = h('table', { id: 'audit-table', class: 'table' },
    h('thead', null, h('tr', null,
      ['When', 'Who', 'Call', 'Status', 'Target', 'From'].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const status = h('p', { id: 'audit-status', class: 'muted' });
  const newest = h('button', { id: 'audit-newest', type: 'button', text: 'Newest' });
  const older = h('button', { id: 'audit-older', type: 'button', text: 'Older ›' });

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Audit log' })),
    h('p', { class: 'muted', text: 'Every change made through the API (sessions, profiles, relay tunnels, keys, users, logins), allowed or refused, with who made it. Never a request body.' }),
    status,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'pager' }, newest, older)));

  function row(a) {
    return h('tr', { dataset: { auditId: a.id }, class: a.status >= 400 ? 'refused' : null },
      h('td', { 'data-label': 'When', text: fmt.time(a.at) }),
      h('td', { 'data-label': 'Who', text: a.actor }),
      h('td', { 'data-label': 'Call' }, h('code', { text: `${a.method} ${a.path}` })),
      h('td', { 'data-label': 'Status', class: 'num', text: a.status }),
      h('td', { 'data-label': 'Target', text: a.target ?? '' }),
      h('td', { 'data-label': 'From', text: a.remoteAddress ?? '' }));
  }

  async function load(before) {
    setText(status, 'Loading…');
    try {
      const rows = await api.get(`/api/audit${qs({ limit: PAGE, beforeId: before })}`);
      tbody.replaceChildren(...rows.map(row));
      table.hidden = rows.length === 0;
      older.disabled = rows.length < PAGE;
      older.dataset.next = rows.length ? String(rows[rows.length - 1].id) : '';
      newest.disabled = !before;
      setText(status, rows.length ? `${rows.length} entries${before ? ` older than #${before}` : ', newest first'}.` : 'No entries.');
    } catch (error) {
      setText(status, `The audit log cannot be loaded: ${error.describe?.() ?? error.message}`);
    }
  }

  older.addEventListener('click', () => load(Number(older.dataset.next)));
  newest.addEventListener('click', () => load(null));
  load(null);
  return null;
}
