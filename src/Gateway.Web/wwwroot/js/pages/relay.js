// #/relay: the built-in relay's tunnels (thing, description, tags, services, both ends' connection
// states), and for admins: "open a tunnel" (its two access tokens and the equivalent `aws
// iotsecuretunneling open-tunnel` command, shown once), rotating a tunnel's tokens (the new ones shown
// once), closing, and "open a demo tunnel": a relay tunnel whose two ends this gateway runs itself
// (POST /api/relay/tunnels with connect), whose tokens are dropped unread.
// Tokens live only in the #relay-tokens box until it is hidden or the page is left: never in the
// list, never in storage.

import { h, field, showFieldErrors, showFormProblem, clearFieldErrors, confirmButton, setText, toast, replaceChildren } from '../dom.js';
import { api, enc } from '../api.js';
import { applyRoles, hasRole } from '../auth.js';
import { secretBox, secretLine, copyBlock } from '../secrets.js';
import * as live from '../hub.js';
import * as fmt from '../format.js';

const REFRESH_MS = 3000;
const TOKENS_NOTICE = 'These access tokens are shown only now: copy them before you hide this box or leave the page. The gateway keeps only their hashes; if one is lost, rotate it.';

export function mount(view) {
  const tbody = h('tbody', { id: 'relay-body' });
  const table = h('table', { id: 'relay-table', class: 'table' },
    h('thead', null, h('tr', null,
      ['Tunnel', 'Thing', 'Services', 'Tags', 'State', 'Source end', 'Destination end', 'Relayed', 'Expires', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const empty = h('p', { id: 'relay-empty', class: 'empty', hidden: true, text: 'No relay tunnels yet.' });
  const showClosed = h('input', { id: 'relay-show-closed', type: 'checkbox' });
  const tokens = secretBox('relay-tokens', TOKENS_NOTICE);
  const rotateChoice = new Map();
  let tunnels = [];
  let timer = 0;
  let alive = true;

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Built-in relay' })),
    h('p', { class: 'muted' },
      'This gateway is also an AWS IoT Secure Tunneling compatible tunnel service: local proxies connect to ',
      h('code', { text: location.protocol === 'https:' ? `wss://${location.host}/tunnel` : `wss://${location.hostname}:<HTTPS port>/tunnel` }),
      ' with the access tokens of a tunnel. Open one here, through the API (POST /api/relay/tunnels) or with the AWS CLI and SDKs (see the AWS keys page); its tokens are shown only once, when it is opened or rotated.'),
    hasRole('admin') ? openCard(tokens, () => load()) : h('p', { class: 'muted', text: 'An admin can open, rotate and close tunnels here.' }),
    tokens.el,
    demoCard(() => load()),
    h('div', { class: 'toolbar' }, h('label', { for: 'relay-show-closed' }, showClosed, ' Show closed and expired tunnels')),
    h('div', { class: 'table-wrap' }, table),
    empty));

  // AWS's connection state: CONNECTED or DISCONNECTED, with when it last changed.
  function end(e, name) {
    if (!e) return '—';
    const state = e.connected ? 'Connected' : 'Disconnected';
    const parts = [`since ${fmt.time(e.lastUpdatedAt)}`];
    if (e.remoteAddress) parts.push(`from ${e.remoteAddress}`);
    if (e.connected) parts.push(`${e.connections} connection${e.connections === 1 ? '' : 's'}`);
    return h('span', { class: e.connected ? 'end end-up' : 'end' },
      h('span', { class: 'dot', 'aria-hidden': 'true' }), ' ',
      h('span', { class: 'end-state', dataset: { state: name }, text: state }),
      h('span', { class: 'sub', dataset: { since: name }, title: e.lastUpdatedAt ?? '', text: parts.join(' · ') }));
  }

  function tags(list) {
    if (!list?.length) return '—';
    return list.map((t) => h('span', { class: 'tag', dataset: { tagKey: t.key }, text: t.value ? `${t.key}=${t.value}` : t.key }));
  }

  function rotateControl(t) {
    const select = h('select', { class: 'small', 'aria-label': 'Ends whose tokens to rotate', dataset: { rotateEnds: t.id } },
      [['source', 'Source'], ['destination', 'Destination'], ['all', 'Both ends']].map(([value, text]) => h('option', { value, text })));
    select.value = rotateChoice.get(t.id) ?? 'source';
    select.addEventListener('change', () => rotateChoice.set(t.id, select.value));
    return h('span', { class: 'rotate', dataset: { requires: 'admin' } }, select,
      confirmButton('Rotate', 'Really rotate?', () => rotate(t, select.value), { class: 'small', dataset: { rotateTunnel: t.id } }));
  }

  function row(t) {
    const state = t.state;
    return h('tr', { dataset: { tunnelId: t.id } },
      h('td', { 'data-label': 'Tunnel' }, h('code', { title: t.id, text: fmt.shortId(t.id) }), t.description ? h('div', { class: 'sub', dataset: { field: 'description' }, text: t.description }) : null),
      h('td', { 'data-label': 'Thing', dataset: { field: 'thing' }, text: t.thingName || '—' }),
      h('td', { 'data-label': 'Services', text: (t.services ?? []).join(', ') || '—' }),
      h('td', { 'data-label': 'Tags', dataset: { field: 'tags' } }, tags(t.tags)),
      h('td', { 'data-label': 'State' }, h('span', { class: `badge relay-${state}`, dataset: { field: 'state' }, text: state }), t.endReason ? h('div', { class: 'sub', text: t.endReason }) : null),
      h('td', { 'data-label': 'Source end', dataset: { field: 'source' } }, end(t.source, 'source')),
      h('td', { 'data-label': 'Destination end', dataset: { field: 'destination' } }, end(t.destination, 'destination')),
      h('td', { class: 'num', 'data-label': 'Relayed' },
        h('div', { title: 'source → destination', text: `S→D ${fmt.bytes(t.bytesSourceToDestination)}` }),
        h('div', { title: 'destination → source', text: `D→S ${fmt.bytes(t.bytesDestinationToSource)}` })),
      h('td', { 'data-label': 'Expires', text: state === 'Open' ? fmt.time(t.expiresAt) : fmt.time(t.endedAt) }),
      h('td', { class: 'cell-actions' }, state === 'Open'
        ? [rotateControl(t), confirmButton('Close', 'Really close?', () => close(t), { class: 'small danger', dataset: { closeTunnel: t.id, requires: 'admin' } })]
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

  async function rotate(t, ends) {
    try {
      const rotated = await api.post(`/api/relay/tunnels/${enc(t.id)}/rotate`, { ends });
      const count = [rotated.sourceAccessToken, rotated.destinationAccessToken].filter(Boolean).length;
      tokens.show(`New access token${count === 1 ? '' : 's'} of tunnel ${fmt.shortId(t.id)}`,
        rotated.sourceAccessToken ? secretLine('Source access token', 'source', rotated.sourceAccessToken) : null,
        rotated.destinationAccessToken ? secretLine('Destination access token', 'destination', rotated.destinationAccessToken) : null,
        h('p', { class: 'hint', text: 'The old token stopped working at once; an end that was connected with it was disconnected and must connect again with the new one. The tunnel\'s lifetime is unchanged.' }));
      tokens.el.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      toast(`Rotating failed: ${error.describe?.() ?? error.message}`, 'error');
    }
    await load();
  }

  async function close(t) {
    try {
      // The answer is the closed tunnel: shown at once, before the list is read again.
      const closed = await api.del(`/api/relay/tunnels/${enc(t.id)}`);
      tunnels = tunnels.map((x) => (x.id === closed?.id ? closed : x));
      render();
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
      // Do not rebuild rows under an armed (clicked once) button or an open rotate select.
      const choosing = document.activeElement?.tagName === 'SELECT' && tbody.contains(document.activeElement);
      if (!tbody.querySelector('button.armed') && !choosing) render();
    } catch (error) {
      if (error.status !== 401) { setText(empty, `Tunnels cannot be loaded: ${error.describe?.() ?? error.message}`); empty.hidden = false; }
    }
    if (alive) timer = setTimeout(load, REFRESH_MS);
  }

  showClosed.addEventListener('change', render);
  load();
  // Leaving the page drops the tokens shown, if any.
  return () => { alive = false; clearTimeout(timer); tokens.clear(); };
}

// ---- open a tunnel (admin) ----

/** "SSH, WEB" or "SSH WEB" -> ["SSH", "WEB"]. */
function parseServices(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

/** key=value lines (the first = splits; no = means an empty value) -> tags, and each tag's line number. */
function parseTags(text) {
  const tags = [];
  const lines = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const eq = line.indexOf('=');
    tags.push(eq < 0 ? { key: line, value: '' } : { key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
    lines.push(i + 1);
  });
  return { tags, lines };
}

/** The API's field names (services[0], tags[2].key) mapped onto the form's fields. */
function formErrors(errors, tagLines) {
  const out = {};
  const add = (name, messages) => { out[name] = (out[name] ?? []).concat(messages); };
  for (const [name, value] of Object.entries(errors ?? {})) {
    const messages = [].concat(value);
    const tag = /^tags\[(\d+)\]\.(key|value)$/.exec(name);
    if (tag) add('tags', messages.map((m) => `Line ${tagLines[Number(tag[1])] ?? Number(tag[1]) + 1}: ${m}`));
    else if (/^services\[\d+\]$/.test(name)) add('services', messages);
    else add(name, messages);
  }
  return out;
}

/** A value as one shell word: bare when it is plain, else in single quotes. */
function shellWord(value) {
  const text = String(value);
  return /^[A-Za-z0-9_.,:/=+@%-]+$/.test(text) ? text : `'${text.replace(/'/g, '\'\\\'\'')}'`;
}

/** The `aws iotsecuretunneling open-tunnel` call that opens the same tunnel (no credentials in it). */
export function awsOpenTunnelCommand(body, endpointUrl) {
  const args = [];
  const destination = [];
  if (body.thingName) destination.push(`thingName=${body.thingName}`);
  if (body.services?.length) destination.push(`services=${body.services.join(',')}`);
  if (destination.length) args.push(['--destination-config', destination.join(',')]);
  if (body.description) args.push(['--description', body.description]);
  if (body.lifetimeMinutes) args.push(['--timeout-config', `maxLifetimeTimeoutMinutes=${body.lifetimeMinutes}`]);
  if (body.tags?.length) {
    // Shorthand (key=env,value=lab) reads well but cannot carry = , or spaces: JSON then.
    const plain = body.tags.every((t) => /^[A-Za-z0-9_.:/+@-]+$/.test(t.key) && /^[A-Za-z0-9_.:/+@-]+$/.test(t.value));
    args.push(['--tags', ...(plain ? body.tags.map((t) => `key=${t.key},value=${t.value}`) : [JSON.stringify(body.tags)])]);
  }
  args.push(['--endpoint-url', endpointUrl]);
  return ['aws iotsecuretunneling open-tunnel', ...args.map((words) => words.map(shellWord).join(' '))].join(' \\\n  ');
}

function openCard(tokens, onCreated) {
  const input = (name, attrs = {}) => h('input', { id: `open-${name}`, name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const c = {
    services: input('services', { placeholder: 'SSH, WEB' }),
    thingName: input('thingName', { placeholder: 'optional, e.g. pump-17' }),
    description: input('description', { spellcheck: 'true', placeholder: 'optional' }),
    lifetimeMinutes: input('lifetimeMinutes', { inputmode: 'numeric', placeholder: '720' }),
    tags: h('textarea', { id: 'open-tags', name: 'tags', rows: 3, spellcheck: 'false', placeholder: 'env=lab\nowner=ops' }),
  };
  const error = h('div', { id: 'open-tunnel-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'open-tunnel-submit', type: 'submit', class: 'primary', text: 'Open tunnel' });
  const form = h('form', { id: 'open-tunnel-form', class: 'form', novalidate: true, autocomplete: 'off' },
    h('div', { class: 'fields' },
      field('Services', c.services, { name: 'services', hint: 'Service ids sent to both ends, comma-separated; none for a single-service tunnel.' }),
      field('Thing name', c.thingName, { name: 'thingName', hint: 'The thing the destination runs on (destinationConfig.thingName).' }),
      field('Description', c.description, { name: 'description' }),
      field('Lifetime (minutes)', c.lifetimeMinutes, { name: 'lifetimeMinutes', hint: '1 to 720; 720 when empty. The tunnel then closes.' }),
      field('Tags', c.tags, { name: 'tags', hint: 'One key=value per line.' })),
    error,
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    tokens.clear();
    const body = {};
    const services = parseServices(c.services.value);
    if (services.length) body.services = services;
    if (c.thingName.value.trim()) body.thingName = c.thingName.value.trim();
    if (c.description.value.trim()) body.description = c.description.value.trim();
    const lifetime = c.lifetimeMinutes.value.trim();
    if (lifetime && !/^\d+$/.test(lifetime)) {
      showFieldErrors(form, { lifetimeMinutes: ['Give a whole number of minutes.'] });
      return;
    }
    if (lifetime) body.lifetimeMinutes = Number(lifetime);
    const { tags, lines } = parseTags(c.tags.value);
    if (tags.length) body.tags = tags;

    submit.disabled = true;
    try {
      const created = await api.post('/api/relay/tunnels', body);
      showCreated(created, body);
      form.reset();
      onCreated();
    } catch (e) {
      showFormProblem(form, error, e, formErrors(e.errors, lines));
    } finally {
      submit.disabled = false;
    }
  });

  function showCreated(created, body) {
    tokens.show(`Tunnel ${created.tunnelId} is open`,
      h('p', { dataset: { createdTunnel: created.tunnelId } },
        `Services: ${(created.services ?? []).join(', ') || 'none (single-service)'} · closes at ${fmt.time(created.expiresAt)}.`),
      secretLine('Source access token', 'source', created.sourceAccessToken),
      secretLine('Destination access token', 'destination', created.destinationAccessToken),
      h('p', { class: 'hint' }, 'Give each end\'s proxy its token, e.g. ',
        h('code', { text: `localproxy --proxy-endpoint ${location.hostname}:${location.port || '443'} -s 2222 -t <source token>` }),
        ' (and -d with the destination token): both connect to this relay.'),
      h('h3', { text: 'The same tunnel with the AWS CLI' }),
      copyBlock('aws-command', awsOpenTunnelCommand(body, location.origin)),
      h('p', { class: 'hint', text: 'Needs an access key of this gateway (AWS keys page) in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the relay\'s region (Relay:Region, us-east-1 by default) in AWS_DEFAULT_REGION, and AWS_CA_BUNDLE naming the gateway\'s certificate when it is self-signed.' }));
  }

  return h('div', { class: 'card open-card', id: 'open-tunnel-card', dataset: { requires: 'admin' } },
    h('h2', { text: 'Open a tunnel' }),
    h('p', { class: 'muted', text: 'Opens a tunnel on this relay for proxies elsewhere: its two access tokens are shown once below, with the equivalent AWS CLI command.' }),
    form);
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
      showFormProblem(form, error, e);
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
