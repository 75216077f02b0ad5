// #/agents: the things this gateway is the tunnel destination for. Each agent listens on its MQTT notify
// topic; the list shows its broker state, last error, last notification and current session, updated
// live from the hub's agentChanged. Admins add, edit and delete agents; a certificate's key and the
// password are sent once and never shown (the list says only whether they are stored).

import { h, field, showFormProblem, clearFieldErrors, confirmButton, setText, toast, replaceChildren } from '../dom.js';
import { api, enc } from '../api.js';
import { applyRoles } from '../auth.js';
import { time, shortId } from '../format.js';
import * as live from '../hub.js';

export function mount(view) {
  const input = (name, attrs = {}) => h('input', { id: `agent-${name}`, name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const area = (name, attrs = {}) => h('textarea', { id: `agent-${name}`, name, rows: 4, spellcheck: 'false', ...attrs });
  const tbody = h('tbody', { id: 'agents-body' });
  const table = h('table', { id: 'agents-table', class: 'table' },
    h('thead', null, h('tr', null, ['Agent', 'Broker', 'Services', 'State', 'Last notification', 'Session', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const empty = h('p', { id: 'agents-empty', class: 'empty', hidden: true });

  const c = {
    name: input('name', { placeholder: 'e.g. pump-17' }),
    thingName: input('thingName', { placeholder: 'the AWS IoT thing, e.g. pump-17' }),
    host: input('host', { placeholder: 'e.g. abc123-ats.iot.eu-west-1.amazonaws.com' }),
    port: input('port', { type: 'number', min: 1, max: 65535, placeholder: '8883 with TLS, 1883 without' }),
    tls: h('input', { id: 'agent-tls', name: 'tls', type: 'checkbox', checked: true }),
    caPem: area('caPem', { placeholder: 'optional: -----BEGIN CERTIFICATE----- (e.g. AmazonRootCA1.pem)' }),
    caPath: input('caPath', { placeholder: 'optional: a directory of CA certificates (absolute path)' }),
    clientCertificatePem: area('clientCertificatePem', { placeholder: '-----BEGIN CERTIFICATE----- (the thing\'s certificate)' }),
    clientKeyPem: area('clientKeyPem', { placeholder: '-----BEGIN PRIVATE KEY-----', 'data-secret': 'true' }),
    userName: input('userName', { placeholder: 'optional' }),
    password: input('password', { type: 'password', autocomplete: 'new-password', 'data-secret': 'true' }),
    clientId: input('clientId', { placeholder: 'default: the thing name' }),
    services: input('services', { placeholder: 'SSH=127.0.0.1:22,WEB=10.0.0.7:80' }),
    dataEndpoint: input('dataEndpoint', { placeholder: 'default: AWS\'s, from the notification\'s region; local: this gateway\'s relay' }),
    enabled: h('input', { id: 'agent-enabled', name: 'enabled', type: 'checkbox', checked: true }),
    description: input('description', { placeholder: 'optional' }),
  };
  const error = h('div', { id: 'agent-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'agent-submit', type: 'submit', class: 'primary', text: 'Save agent' });
  const form = h('form', { id: 'agent-form', class: 'form', novalidate: true, autocomplete: 'off' },
    h('div', { class: 'fields' },
      field('Name', c.name, { name: 'name', hint: 'Saving an existing name replaces that agent; it reconnects at once.' }),
      field('Thing name', c.thingName, { name: 'thingName', hint: 'Its topic: $aws/things/<thing>/tunnels/notify.' }),
      field('Broker host', c.host, { name: 'host', hint: 'AWS IoT Core: the account\'s device data endpoint (aws iot describe-endpoint --endpoint-type iot:Data-ATS).' }),
      field('Port', c.port, { name: 'port' }),
      field('TLS', c.tls, { name: 'tls' }),
      field('Service map', c.services, { name: 'services', hint: 'Where each tunnel service leads; a notification naming another service is refused.' }),
      field('Data endpoint', c.dataEndpoint, { name: 'dataEndpoint' }),
      field('Client id', c.clientId, { name: 'clientId' }),
      field('Client certificate (PEM)', c.clientCertificatePem, { name: 'clientCertificatePem', wide: true, hint: 'With its key; stored encrypted. Leave both empty to keep the stored pair.' }),
      field('Private key (PEM)', c.clientKeyPem, { name: 'clientKeyPem', wide: true, hint: 'Never shown again.' }),
      field('CA certificates (PEM)', c.caPem, { name: 'caPem', wide: true, hint: 'Default: the system\'s trust store.' }),
      field('CA directory', c.caPath, { name: 'caPath' }),
      field('User name', c.userName, { name: 'userName' }),
      field('Password', c.password, { name: 'password', hint: 'Stored encrypted; leave empty to keep the stored one.' }),
      field('Enabled', c.enabled, { name: 'enabled' }),
      field('Description', c.description, { name: 'description' })),
    error,
    h('div', { class: 'actions' }, submit));

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Agents' })),
    h('p', { class: 'muted', text: 'Things this gateway is the tunnel destination for. When AWS IoT (or this gateway\'s relay) publishes a tunnel notification for a thing, its agent starts the destination session with the token, replacing the previous one.' }),
    h('div', { class: 'table-wrap' }, table), empty,
    h('div', { class: 'card', id: 'agent-card', dataset: { requires: 'admin' } }, h('h2', { text: 'Add or replace an agent' }), form)));
  applyRoles(view);

  const rows = new Map();

  function stateCells(tr, status) {
    const state = tr.querySelector('[data-field="state"]');
    replaceChildren(state,
      h('span', { class: `state state-${status.state}`, text: status.state }),
      status.lastError ? h('span', { class: 'sub', dataset: { field: 'lastError' }, text: status.lastError }) : null);
    const last = tr.querySelector('[data-field="notification"]');
    replaceChildren(last, status.lastNotificationAt
      ? [h('span', { text: time(status.lastNotificationAt) }), h('span', { class: 'sub', text: `${status.lastNotificationResult ?? ''} · ${status.notifications} received` })]
      : h('span', { class: 'muted', text: 'none yet' }));
    const session = tr.querySelector('[data-field="session"]');
    replaceChildren(session, status.sessionId ? h('a', { href: `#/sessions/${enc(status.sessionId)}`, dataset: { agentSession: status.sessionId }, text: shortId(status.sessionId) }) : '–');
  }

  function row(agent) {
    const tr = h('tr', { dataset: { agent: agent.name } },
      h('td', { 'data-label': 'Agent' }, h('strong', { text: agent.name }), h('span', { class: 'sub', text: `thing ${agent.thingName}${agent.enabled ? '' : ' · disabled'}` })),
      h('td', { 'data-label': 'Broker' }, h('code', { text: `${agent.tls ? 'mqtts' : 'mqtt'}://${agent.host}:${agent.port}` }),
        h('span', { class: 'sub', text: agent.hasClientCertificate ? `certificate ${agent.certificateSubject ?? ''}` : 'no client certificate' })),
      h('td', { 'data-label': 'Services' }, h('code', { text: agent.services })),
      h('td', { 'data-label': 'State', dataset: { field: 'state' } }),
      h('td', { 'data-label': 'Last notification', dataset: { field: 'notification' } }),
      h('td', { 'data-label': 'Session', dataset: { field: 'session' } }),
      h('td', { class: 'cell-actions' },
        h('button', { type: 'button', class: 'small', dataset: { requires: 'admin', editAgent: agent.name }, text: 'Edit', on: { click: () => edit(agent) } }),
        confirmButton('Delete', 'Really delete?', () => remove(agent), { class: 'small danger', dataset: { requires: 'admin', deleteAgent: agent.name } })));
    stateCells(tr, agent.status);
    applyRoles(tr);
    rows.set(agent.name, tr);
    return tr;
  }

  function edit(agent) {
    form.reset();
    c.name.value = agent.name;
    c.thingName.value = agent.thingName;
    c.host.value = agent.host;
    c.port.value = agent.port;
    c.tls.checked = agent.tls;
    c.caPath.value = agent.caPath ?? '';
    c.userName.value = agent.userName ?? '';
    c.clientId.value = agent.clientId === agent.thingName ? '' : agent.clientId;
    c.services.value = agent.services;
    c.dataEndpoint.value = agent.dataEndpoint ?? '';
    c.enabled.checked = agent.enabled;
    c.description.value = agent.description ?? '';
    c.name.focus();
  }

  async function remove(agent) {
    try {
      await api.del(`/api/agents/${enc(agent.name)}`);
      toast(`Agent ${agent.name} deleted.`);
    } catch (e) {
      toast(`Deleting failed: ${e.describe?.() ?? e.message}`, 'error');
    }
    await load();
  }

  async function load() {
    try {
      const agents = await api.get('/api/agents');
      rows.clear();
      replaceChildren(tbody, agents.map(row));
      table.hidden = agents.length === 0;
      empty.hidden = agents.length > 0;
      setText(empty, 'No agents yet.');
    } catch (e) {
      table.hidden = true;
      setText(empty, `The agents cannot be loaded: ${e.describe?.() ?? e.message}`);
      empty.hidden = false;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    const value = (control) => control.value.trim() || undefined;
    const body = {
      thingName: value(c.thingName),
      host: value(c.host),
      port: c.port.value ? Number(c.port.value) : undefined,
      tls: c.tls.checked,
      caPem: value(c.caPem),
      caPath: value(c.caPath),
      clientCertificatePem: value(c.clientCertificatePem),
      clientKeyPem: c.clientKeyPem.value.trim() || undefined,
      userName: value(c.userName),
      password: c.password.value || undefined,
      clientId: value(c.clientId),
      services: value(c.services),
      dataEndpoint: value(c.dataEndpoint),
      enabled: c.enabled.checked,
      description: value(c.description),
    };

    // The secrets leave the form with the request, whatever its answer.
    c.clientKeyPem.value = '';
    c.password.value = '';
    submit.disabled = true;
    try {
      const name = c.name.value.trim();
      if (!name) {
        showFormProblem(form, error, { message: 'Give the agent a name.' }, { name: ['Give the agent a name.'] });
        return;
      }

      const saved = await api.put(`/api/agents/${enc(name)}`, body);
      toast(`Agent ${saved.name} saved.`);
      form.reset();
      await load();
    } catch (e) {
      showFormProblem(form, error, e);
    } finally {
      submit.disabled = false;
    }
  });

  const stopListening = live.on('agent', (status) => {
    const tr = rows.get(status.name);
    if (tr) stateCells(tr, status);
  });
  load();
  return () => stopListening();
}
