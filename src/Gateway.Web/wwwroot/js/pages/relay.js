// #/relay: the built-in relay's tunnels with their connected ends, and "open a demo tunnel": a relay
// tunnel whose two ends this gateway runs itself (POST /api/relay/tunnels with connect), so traffic
// flows at once. The tokens in that answer are dropped unread: they are never shown or kept.

import { h, field, showFieldErrors, clearFieldErrors, confirmButton, setText, toast, replaceChildren } from '../dom.js';
import { api, enc } from '../api.js';
import { applyRoles, hasRole } from '../auth.js';
import * as live from '../hub.js';
import * as fmt from '../format.js';

const REFRESH_MS = 3000;

export function mount(view) {
  const tbody = h('tbody', { id: 'relay-body' });
  const table = h('table', { id: 'relay-table', class: 'table' },
    h('thead', null, h('tr', null,
      ['Tunnel', 'Services', 'State', 'Source end', 'Destination end', 'Source → destination', 'Destination → source', 'Expires', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const empty = h('p', { id: 'relay-empty', class: 'empty', hidden: true, text: 'No relay tunnels yet.' });
  const showClosed = h('input', { id: 'relay-show-closed', type: 'checkbox' });
  let tunnels = [];
  let timer = 0;
  let alive = true;

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Built-in relay' })),
    h('p', { class: 'muted' },
      'This gateway is also an AWS IoT Secure Tunneling compatible tunnel service: local proxies connect to ',
      h('code', { text: location.protocol === 'https:' ? `wss://${location.host}/tunnel` : `wss://${location.hostname}:<HTTPS port>/tunnel` }),
      ' with the access tokens of a tunnel. Tunnels for other machines\' proxies are created through the API (POST /api/relay/tunnels), whose answer is the only place their tokens appear.'),
    demoCard(() => load()),
    h('div', { class: 'toolbar' }, h('label', { for: 'relay-show-closed' }, showClosed, ' Show closed and expired tunnels')),
    h('div', { class: 'table-wrap' }, table),
    empty));

  function end(e) {
    if (!e) return '—';
    const parts = [e.connected ? `connected ${fmt.age(e.connectedSince)}` : e.tokenUsed ? 'disconnected' : 'not yet connected'];
    if (e.remoteAddress) parts.push(`from ${e.remoteAddress}`);
    if (e.connected) parts.push(`${e.connections} connection${e.connections === 1 ? '' : 's'}`);
    return h('span', { class: e.connected ? 'end end-up' : 'end' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), ` ${parts.join(' · ')}`);
  }

  function row(t) {
    const state = t.state;
    return h('tr', { dataset: { tunnelId: t.id } },
      h('td', { 'data-label': 'Tunnel' }, h('code', { title: t.id, text: fmt.shortId(t.id) }), t.description ? h('div', { class: 'sub', text: t.description }) : null),
      h('td', { 'data-label': 'Services', text: (t.services ?? []).join(', ') || '—' }),
      h('td', { 'data-label': 'State' }, h('span', { class: `badge relay-${state}`, dataset: { field: 'state' }, text: state }), t.endReason ? h('div', { class: 'sub', text: t.endReason }) : null),
      h('td', { 'data-label': 'Source end', dataset: { field: 'source' } }, end(t.source)),
      h('td', { 'data-label': 'Destination end', dataset: { field: 'destination' } }, end(t.destination)),
      h('td', { class: 'num', 'data-label': 'S → D', text: fmt.bytes(t.bytesSourceToDestination) }),
      h('td', { class: 'num', 'data-label': 'D → S', text: fmt.bytes(t.bytesDestinationToSource) }),
      h('td', { 'data-label': 'Expires', text: state === 'Open' ? fmt.time(t.expiresAt) : fmt.time(t.endedAt) }),
      h('td', { class: 'cell-actions' }, state === 'Open'
        ? confirmButton('Close', 'Really close?', () => close(t), { class: 'small danger', dataset: { closeTunnel: t.id, requires: 'admin' } })
        : null));
  }

  function render() {
    const shown = tunnels.filter((t) => showClosed.checked || t.state === 'Open');
    tbody.replaceChildren(...shown.map(row));
    applyRoles(tbody);
    table.hidden = shown.length === 0;
    empty.hidden = shown.length > 0;
    setText(empty, tunnels.length ? 'No open tunnels (tick the box to see closed ones).' : 'No relay tunnels yet.');
  }

  async function close(t) {
    try {
      await api.del(`/api/relay/tunnels/${enc(t.id)}`);
      toast('Tunnel closed.');
      await load();
    } catch (error) {
      toast(`Closing failed: ${error.describe?.() ?? error.message}`, 'error');
    }
  }

  async function load() {
    clearTimeout(timer);
    try {
      tunnels = await api.get('/api/relay/tunnels');
      // Do not rebuild rows under an armed (clicked once) close button.
      if (!tbody.querySelector('button.armed')) render();
    } catch (error) {
      if (error.status !== 401) { setText(empty, `Tunnels cannot be loaded: ${error.describe?.() ?? error.message}`); empty.hidden = false; }
    }
    if (alive) timer = setTimeout(load, REFRESH_MS);
  }

  showClosed.addEventListener('change', render);
  load();
  return () => { alive = false; clearTimeout(timer); };
}

function demoCard(onCreated) {
  const port = location.port || (location.protocol === 'https:' ? '443' : '80');
  const selfTarget = `127.0.0.1:${port}`;
  const destination = h('input', { id: 'demo-destination', type: 'text', autocomplete: 'off', spellcheck: 'false', value: `WEB=${selfTarget}` });
  const sourcePorts = h('input', { id: 'demo-source-ports', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'optional, e.g. WEB=8081' });
  const button = h('button', { id: 'open-demo-tunnel', type: 'submit', class: 'primary', text: 'Open a demo tunnel' });
  const error = h('div', { id: 'demo-error', class: 'form-error', role: 'alert', hidden: true });
  const result = h('div', { id: 'demo-result', class: 'demo-result', role: 'status', hidden: true });

  const form = h('form', { id: 'demo-form', class: 'form', novalidate: true },
    h('div', { class: 'fields' },
      field('Destination (service=host:port, …)', destination, { name: 'connect.destinations', hint: `Where the destination end connects. The default is this gateway itself (${selfTarget}), so you can try it at once; e.g. SSH=127.0.0.1:22 for a local SSH server.` }),
      field('Source ports', sourcePorts, { name: 'connect.sourcePorts', hint: 'Where the source end listens; a free port is picked when empty.' })),
    h('div', { class: 'field-error', dataset: { errorFor: 'services' } }),
    error,
    h('div', { class: 'actions' }, button));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    const connect = { destinations: destination.value.trim() };
    if (sourcePorts.value.trim()) connect.sourcePorts = sourcePorts.value.trim();
    button.disabled = true;
    try {
      // Only these fields are read; the answer's two access tokens are never stored or shown.
      const { tunnelId, services, expiresAt, sessions } = await api.post('/api/relay/tunnels', {
        description: 'demo tunnel (dashboard)', lifetimeMinutes: 60, connect,
      });
      showResult({ tunnelId, services, expiresAt, sessions });
      onCreated();
    } catch (e) {
      const unplaced = showFieldErrors(form, e.errors);
      const messages = unplaced.length ? unplaced : Object.keys(e.errors ?? {}).length ? [] : [e.describe?.() ?? e.message];
      if (messages.length) {
        error.replaceChildren(...messages.map((m) => h('p', { text: m })));
        error.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  });

  function showResult({ tunnelId, services, expiresAt, sessions }) {
    const targets = new Map(destination.value.split(',').map((pair) => pair.split('=').map((x) => x.trim())));
    const ports = Object.entries(sessions?.sourcePorts ?? {});
    replaceChildren(result,
      h('p', null, h('strong', { text: 'The demo tunnel is open and both of its ends run here. ' }),
        `Tunnel ${fmt.shortId(tunnelId)} (${(services ?? []).join(', ')}), closes at ${fmt.time(expiresAt)}.`),
      h('ul', { class: 'ports' }, ports.map(([service, p]) => {
        const target = targets.get(service);
        const isSelf = target === selfTarget || target === `localhost:${port}`;
        const url = `${location.protocol}//127.0.0.1:${p}/healthz`;
        return h('li', { dataset: { service } },
          h('code', { text: service }), ' listens on ',
          h('code', { dataset: { sourcePort: p }, text: `127.0.0.1:${p}` }),
          target ? ` → ${target}` : '',
          isSelf ? [' · try ', h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: url }), ' (each request is traffic through the tunnel)'] : ` · connect a client to 127.0.0.1:${p}`);
      })),
      sessions ? h('p', null, 'Watch it: ',
        h('a', { href: `#/sessions/${enc(sessions.sourceSessionId)}`, dataset: { demoSession: 'source' }, text: 'source session' }), ' · ',
        h('a', { href: `#/sessions/${enc(sessions.destinationSessionId)}`, dataset: { demoSession: 'destination' }, text: 'destination session' }), ' · ',
        h('a', { href: '#/sessions', text: 'all sessions' })) : null);
    result.hidden = false;
    if (sessions) {
      // They show up through the hub; ask for them now in case it is slow or down.
      for (const id of [sessions.sourceSessionId, sessions.destinationSessionId]) api.get(`/api/tunnels/${enc(id)}`).then(live.remember).catch(() => {});
    }
  }

  const card = h('div', { class: 'card demo-card', id: 'demo-card', dataset: { requires: 'admin' } },
    h('h2', { text: 'Open a demo tunnel' }),
    h('p', { class: 'muted', text: 'Creates a tunnel on this relay and starts both of its ends here: a source session listening on a local port and a destination session connecting to the service you name. Connect to the source port and watch the bytes flow on the Sessions page.' }),
    form, result);
  return hasRole('admin') ? card : h('p', { class: 'muted', text: 'An admin can open a demo tunnel here.' });
}
