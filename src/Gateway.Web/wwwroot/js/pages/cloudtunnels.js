// #/clouds/{name}: a cloud's tunnels with both ends' connection states. Operators connect the source
// end here (the gateway rotates the SOURCE token and starts the session), rotate tokens (shown once,
// in the secret box) and close tunnels.

import { h, field, showFormProblem, clearFieldErrors, confirmButton, setText, toast, replaceChildren } from '../dom.js';
import { api, enc, query } from '../api.js';
import { applyRoles } from '../auth.js';
import { secretBox, secretLine } from '../secrets.js';
import * as fmt from '../format.js';

const SECRET_NOTICE = 'These tokens are shown only now: copy them before you hide this box or leave the page. Each is single-use; rotate again if one is lost.';

export function mount(view, params, _query, { navigate }) {
  const name = params.id;
  const thing = h('input', { id: 'cloudtunnels-thing', type: 'text', placeholder: 'filter by thing name', autocomplete: 'off' });
  const refresh = h('button', { type: 'button', class: 'small', id: 'cloudtunnels-refresh', text: 'Refresh' });
  const tbody = h('tbody', { id: 'cloudtunnels-body' });
  const table = h('table', { id: 'cloudtunnels-table', class: 'table' },
    h('thead', null, h('tr', null, ['Tunnel', 'Status', 'Thing', 'Services', 'Source', 'Destination', 'Created', 'Expires', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const empty = h('p', { id: 'cloudtunnels-empty', class: 'empty', hidden: true });
  const secret = secretBox('cloudtunnels-secret', SECRET_NOTICE);
  const more = h('button', { type: 'button', class: 'small', id: 'cloudtunnels-more', hidden: true, text: 'More' });
  let nextToken = null;

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: `Tunnels on ${name}` }),
      h('a', { href: `#/open?cloud=${enc(name)}`, class: 'button primary', dataset: { requires: 'operator' }, text: 'Open a tunnel' })),
    h('p', { class: 'muted' }, h('a', { href: '#/clouds', text: '← Clouds' })),
    h('div', { class: 'toolbar' }, thing, refresh),
    secret.el,
    h('div', { class: 'table-wrap' }, table), empty, more));
  applyRoles(view);

  function connectForm(t) {
    const services = h('input', { id: `connect-services-${t.tunnelId}`, name: 'services', type: 'text', autocomplete: 'off',
      placeholder: t.services.map((s, i) => `${s}=${2222 + i}`).join(',') });
    const error = h('div', { class: 'form-error', role: 'alert', hidden: true });
    const go = h('button', { type: 'submit', class: 'small primary', text: 'Connect' });
    const form = h('form', { class: 'inline-form', dataset: { connectForm: t.tunnelId }, novalidate: true },
      field('Local ports', services, { name: 'services', hint: 'A port per service; the tunnel\'s SOURCE token is rotated.' }), error, go);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      error.hidden = true;
      go.disabled = true;
      try {
        const session = await api.post(`/api/clouds/${enc(name)}/tunnels/${enc(t.tunnelId)}/connect`, { services: services.value.trim() || undefined, bindAddress: '127.0.0.1' });
        toast(`Connected: session ${session.name ?? session.id}.`);
        navigate(`#/sessions/${enc(session.id)}`);
      } catch (e) {
        showFormProblem(form, error, e);
      } finally {
        go.disabled = false;
      }
    });
    return form;
  }

  function row(t) {
    const open = t.status === 'OPEN';
    const mode = h('select', { class: 'small', dataset: { rotateMode: t.tunnelId } },
      ['DESTINATION', 'SOURCE', 'ALL'].map((m) => h('option', { value: m, text: m.toLowerCase() })));
    const rotate = h('button', { type: 'button', class: 'small', dataset: { rotate: t.tunnelId }, text: 'Rotate' });
    rotate.addEventListener('click', async () => {
      rotate.disabled = true;
      secret.clear();
      try {
        const tokens = await api.post(`/api/clouds/${enc(name)}/tunnels/${enc(t.tunnelId)}/rotate`, { clientMode: mode.value });
        secret.show(`New tokens for tunnel ${t.tunnelId}`,
          tokens.sourceAccessToken ? secretLine('Source access token', 'sourceAccessToken', tokens.sourceAccessToken) : null,
          tokens.destinationAccessToken ? secretLine('Destination access token', 'destinationAccessToken', tokens.destinationAccessToken) : null);
      } catch (e) {
        toast(`Rotating failed: ${e.describe?.() ?? e.message}`, 'error');
      } finally {
        rotate.disabled = false;
      }
    });
    const connectCell = h('div', { class: 'connect-cell', hidden: true });
    const connect = h('button', { type: 'button', class: 'small primary', dataset: { connect: t.tunnelId }, text: 'Connect…' });
    connect.addEventListener('click', () => {
      if (!connectCell.firstChild) connectCell.appendChild(connectForm(t));
      connectCell.hidden = !connectCell.hidden;
    });
    const sessions = t.sessionIds.map((id) => h('a', { href: `#/sessions/${enc(id)}`, class: 'sub', text: `session ${fmt.shortId(id)}` }));
    const tr = h('tr', { dataset: { tunnel: t.tunnelId }, class: open ? null : 'ended' },
      h('td', { 'data-label': 'Tunnel' }, h('code', { text: fmt.shortId(t.tunnelId), title: t.tunnelId }), t.description ? h('span', { class: 'sub', text: t.description }) : null, ...sessions),
      h('td', { 'data-label': 'Status', dataset: { field: 'status' }, text: t.status ?? '?' }),
      h('td', { 'data-label': 'Thing', text: t.thingName ?? '—' }),
      h('td', { 'data-label': 'Services', text: t.services.join(', ') || '—' }),
      h('td', { 'data-label': 'Source', dataset: { field: 'source' }, text: (t.sourceConnectionState ?? '?').toLowerCase() }),
      h('td', { 'data-label': 'Destination', dataset: { field: 'destination' }, text: (t.destinationConnectionState ?? '?').toLowerCase() }),
      h('td', { 'data-label': 'Created', text: t.createdAt ? fmt.time(t.createdAt) : '—' }),
      h('td', { 'data-label': 'Expires', text: t.expiresAt ? fmt.time(t.expiresAt) : '—' }),
      h('td', { class: 'cell-actions', dataset: { requires: 'operator' } }, open ? [
        t.sessionIds.length ? null : connect, mode, rotate,
        confirmButton('Close', 'Really close?', () => close(t), { class: 'small danger', dataset: { closeTunnel: t.tunnelId } }),
        connectCell] : null));
    applyRoles(tr);
    return tr;
  }

  async function close(t) {
    try {
      await api.del(`/api/clouds/${enc(name)}/tunnels/${enc(t.tunnelId)}`);
      toast(`Tunnel ${fmt.shortId(t.tunnelId)} closed.`);
    } catch (e) {
      toast(`Closing failed: ${e.describe?.() ?? e.message}`, 'error');
    }
    await load();
  }

  async function load(append = false) {
    try {
      const page = await api.get(`/api/clouds/${enc(name)}/tunnels${query({ thingName: thing.value.trim(), nextToken: append ? nextToken : null })}`);
      const rows = page.tunnels.map(row);
      if (append) tbody.append(...rows); else replaceChildren(tbody, rows);
      nextToken = page.nextToken ?? null;
      more.hidden = !nextToken;
      const count = tbody.childElementCount;
      table.hidden = count === 0;
      empty.hidden = count > 0;
      setText(empty, 'No tunnels.');
    } catch (e) {
      table.hidden = true;
      more.hidden = true;
      setText(empty, `The tunnels cannot be loaded: ${e.describe?.() ?? e.message}`);
      empty.hidden = false;
    }
  }

  refresh.addEventListener('click', () => load());
  thing.addEventListener('change', () => load());
  more.addEventListener('click', () => load(true));
  load();
  return () => secret.clear();
}
