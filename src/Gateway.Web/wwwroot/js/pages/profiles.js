// #/profiles: saved session specs (list, export, import, reference --config import);
// #/profiles/new and #/profiles/{id}: the editor. Changes need admin; starting one needs operator.
// Stored tokens are never shown (the API only says hasAccessToken/hasClientToken).

import { h, field, showFieldErrors, clearFieldErrors, confirmButton, setText, toast, replaceChildren } from '../dom.js';
import { api, enc } from '../api.js';
import { applyRoles, hasRole } from '../auth.js';
import * as fmt from '../format.js';

export function mount(view, params, query, { navigate }) {
  if (params.id) return mountEditor(view, params.id === 'new' ? null : params.id, navigate);
  return mountList(view);
}

function connectsTo(p) {
  if (p.useBuiltInRelay) return 'this gateway\'s relay';
  if (p.endpoint) return p.endpoint;
  if (p.region) return `AWS ${p.region}`;
  return '—';
}

// ---- list ----

function mountList(view) {
  const filter = h('input', { id: 'profiles-filter', type: 'search', placeholder: 'Filter by name, tag, services', 'aria-label': 'Filter profiles' });
  const tbody = h('tbody', { id: 'profiles-body' });
  const table = h('table', { id: 'profiles-table', class: 'table' },
    h('thead', null, h('tr', null,
      ['Name', 'Mode', 'Connects to', 'Services', 'Tags', 'Autostart', 'Stored tokens', 'Updated', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const empty = h('p', { id: 'profiles-empty', class: 'empty', hidden: true });
  const importFile = h('input', { id: 'profiles-import-file', type: 'file', accept: 'application/json,.json', class: 'visually-hidden' });
  const importResult = h('div', { id: 'profiles-import-result', class: 'import-result', role: 'status', hidden: true });
  let profiles = [];

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' },
      h('h1', { text: 'Profiles' }),
      h('div', { class: 'page-actions' },
        h('a', { href: '#/profiles/new', id: 'profile-new', class: 'button primary', dataset: { requires: 'admin' }, text: 'New profile' }),
        h('button', { id: 'profiles-export', type: 'button', text: 'Export', on: { click: exportProfiles } }),
        h('label', { for: 'profiles-import-file', id: 'profiles-import', class: 'button', dataset: { requires: 'admin' }, text: 'Import…' }),
        importFile)),
    h('p', { class: 'muted', text: 'A profile is a session spec saved under a name. Tunnel tokens are single-use, so a profile usually stores none: give a fresh one when starting it.' }),
    importResult,
    h('div', { class: 'toolbar' }, filter),
    h('div', { class: 'table-wrap' }, table),
    empty,
    configImport(() => load())));

  function render() {
    const text = filter.value.trim().toLowerCase();
    const shown = profiles.filter((p) => !text || [p.name, p.services, p.endpoint, p.region, ...(p.tags ?? [])].some((v) => v && v.toLowerCase().includes(text)));
    tbody.replaceChildren(...shown.map(row));
    applyRoles(tbody);
    table.hidden = shown.length === 0;
    empty.hidden = shown.length > 0;
    setText(empty, profiles.length ? 'No profile matches the filter.' : 'No profiles yet.');
  }

  function row(p) {
    return h('tr', { dataset: { profileId: p.id } },
      h('td', { 'data-label': 'Name' }, h('a', { href: `#/profiles/${enc(p.id)}`, text: p.name })),
      h('td', { 'data-label': 'Mode', text: p.mode }),
      h('td', { 'data-label': 'Connects to', class: 'cell-endpoint', text: connectsTo(p) }),
      h('td', { 'data-label': 'Services', text: p.services ?? '—' }),
      h('td', { 'data-label': 'Tags' }, (p.tags ?? []).map((t) => h('span', { class: 'tag', text: t }))),
      h('td', { 'data-label': 'Autostart', text: p.autostart ? 'yes' : 'no' }),
      h('td', { 'data-label': 'Stored tokens', text: [p.hasAccessToken ? 'access' : null, p.hasClientToken ? 'client' : null].filter(Boolean).join(', ') || 'none' }),
      h('td', { 'data-label': 'Updated', text: fmt.time(p.updatedAt) }),
      h('td', { class: 'cell-actions' },
        h('a', { href: `#/start?profile=${enc(p.id)}`, class: 'button small primary', dataset: { startProfile: p.id, requires: 'operator' }, text: 'Start' }),
        h('a', { href: `#/profiles/${enc(p.id)}`, class: 'button small', dataset: { editProfile: p.id }, text: hasRole('admin') ? 'Edit' : 'View' }),
        confirmButton('Delete', 'Really delete?', () => remove(p), { class: 'small danger', dataset: { deleteProfile: p.id, requires: 'admin' } })));
  }

  async function remove(p) {
    try {
      await api.del(`/api/profiles/${enc(p.id)}`);
      toast(`Profile ${p.name} deleted.`);
      await load();
    } catch (error) {
      toast(`Deleting ${p.name} failed: ${error.describe?.() ?? error.message}`, 'error');
    }
  }

  async function exportProfiles() {
    try {
      const document_ = await api.get('/api/profiles/export');
      const blob = new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: `tunnelgateway-profiles-${new Date().toISOString().slice(0, 10)}.json`, class: 'visually-hidden' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      toast(`Export failed: ${error.describe?.() ?? error.message}`, 'error');
    }
  }

  importFile.addEventListener('change', async () => {
    const file = importFile.files?.[0];
    importFile.value = '';
    if (!file) return;
    importResult.hidden = false;
    importResult.className = 'import-result';
    let document_;
    try {
      document_ = JSON.parse(await file.text());
    } catch (error) {
      importResult.classList.add('error');
      replaceChildren(importResult, h('p', { text: `${file.name} is not JSON: ${error.message}` }));
      return;
    }
    try {
      const created = await api.post('/api/profiles/import', document_);
      replaceChildren(importResult, h('p', { text: `Imported ${created.length} profile${created.length === 1 ? '' : 's'} from ${file.name}.` }));
      await load();
    } catch (error) {
      importResult.classList.add('error');
      const lines = Object.entries(error.errors ?? {}).map(([k, v]) => h('li', null, h('code', { text: k }), ` ${[].concat(v).join(' ')}`));
      replaceChildren(importResult,
        h('p', { text: `Nothing was imported from ${file.name}: ${error.status === 409 ? error.detail : error.title || error.describe()}` }),
        lines.length ? h('ul', null, lines) : null);
    }
  });

  filter.addEventListener('input', render);

  async function load() {
    try {
      profiles = await api.get('/api/profiles');
      render();
    } catch (error) {
      replaceChildren(empty, h('span', { text: `Profiles cannot be loaded: ${error.describe?.() ?? error.message}` }));
      empty.hidden = false;
    }
  }
  load();
  return null;
}

/** Import a reference localproxy --config file (and its --config-dir files) as one profile (admin). */
function configImport(onCreated) {
  const name = h('input', { id: 'import-config-name', type: 'text', autocomplete: 'off' });
  const config = h('input', { id: 'import-config-file', type: 'file' });
  const dir = h('input', { id: 'import-config-dir', type: 'file', multiple: true });
  const settings = h('input', { id: 'import-config-settingsJson', type: 'file', accept: '.json,application/json' });
  const token = h('input', { id: 'import-config-accessToken', type: 'password', autocomplete: 'new-password' });
  const error = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { id: 'import-config-form', class: 'form', novalidate: true },
    h('div', { class: 'fields' },
      field('New profile name', name, { name: 'name' }),
      field('--config file', config, { name: 'config', hint: 'name = value lines (region, proxy-endpoint, source-listen-port, destination-app, ...).' }),
      field('--config-dir files (optional)', dir, { name: 'configDir', hint: 'SERVICE_ID = ENDPOINT lines.' }),
      field('--settings-json file (optional)', settings, { name: 'settingsJson', hint: 'The reference\'s settings JSON: becomes the profile\'s settings.' }),
      field('Access token (optional)', token, { name: 'accessToken', hint: 'Stored encrypted; wins over the file\'s access-token.' })),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: 'Import' })));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    const body = { name: name.value.trim() };
    if (config.files?.[0]) body.config = await config.files[0].text();
    if (dir.files?.length) {
      body.configDir = {};
      for (const file of dir.files) body.configDir[file.name] = await file.text();
    }
    if (settings.files?.[0]) body.settingsJson = await settings.files[0].text();
    if (token.value) body.accessToken = token.value;
    token.value = '';
    try {
      const request = api.post('/api/profiles/import-config', body);
      delete body.accessToken;
      const created = await request;
      toast(`Profile ${created.name} imported.`);
      // Options of the reference's process (verbose, settings-json, config-dir) were left out: say which.
      for (const warning of created.warnings ?? []) toast(warning, 'warning');
      form.reset();
      onCreated();
    } catch (e) {
      const unplaced = showFieldErrors(form, e.errors);
      if (unplaced.length || !Object.keys(e.errors ?? {}).length) {
        error.replaceChildren(...(unplaced.length ? unplaced : [e.describe?.() ?? e.message]).map((m) => h('p', { text: m })));
        error.hidden = false;
      }
    }
  });

  return h('details', { class: 'card', dataset: { requires: 'admin' } },
    h('summary', { text: 'Import a reference localproxy --config file' }),
    form);
}

// ---- editor ----

function mountEditor(view, id, navigate) {
  const admin = hasRole('admin');
  const input = (name, attrs = {}) => h('input', { id: `profile-${name}`, name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const c = {
    name: input('name'),
    mode: h('select', { id: 'profile-mode', name: 'mode' },
      h('option', { value: 'source', text: 'source (listens on local ports)' }), h('option', { value: 'destination', text: 'destination (connects to local services)' })),
    target: h('select', { id: 'profile-target', name: 'target' },
      h('option', { value: 'relay', text: 'This gateway\'s built-in relay' }), h('option', { value: 'endpoint', text: 'An endpoint' }), h('option', { value: 'region', text: 'AWS IoT Secure Tunneling (region)' })),
    endpoint: input('endpoint', { placeholder: 'wss://relay.example:443' }),
    region: input('region', { placeholder: 'us-east-1' }),
    services: input('services', { placeholder: 'source: SSH=2222 · destination: SSH=127.0.0.1:22' }),
    bindAddress: input('bindAddress', { placeholder: 'default: localhost' }),
    caPath: input('caPath'),
    skipTlsVerify: h('input', { id: 'profile-skipTlsVerify', name: 'skipTlsVerify', type: 'checkbox' }),
    httpsProxy: input('httpsProxy'),
    destinationClientType: h('select', { id: 'profile-destinationClientType', name: 'destinationClientType' },
      h('option', { value: '', text: 'V3 (default)' }), h('option', { value: 'V2', text: 'V2' }), h('option', { value: 'V1', text: 'V1' })),
    settings: h('textarea', { id: 'profile-settings', name: 'settings', rows: 3, spellcheck: 'false' }),
    tags: input('tags', { placeholder: 'lab, ssh' }),
    autostart: h('input', { id: 'profile-autostart', name: 'autostart', type: 'checkbox' }),
    accessToken: input('accessToken', { type: 'password', autocomplete: 'new-password' }),
    clientToken: input('clientToken', { type: 'password', autocomplete: 'new-password' }),
    clearAccessToken: h('input', { id: 'profile-clearAccessToken', name: 'clearAccessToken', type: 'checkbox' }),
    clearClientToken: h('input', { id: 'profile-clearClientToken', name: 'clearClientToken', type: 'checkbox' }),
    clearProxyPassword: h('input', { id: 'profile-clearProxyPassword', name: 'clearProxyPassword', type: 'checkbox' }),
  };
  const check = (control, label, name) => h('div', { class: 'field field-check' },
    h('label', { for: control.id }, control, ` ${label}`), h('div', { class: 'field-error', dataset: { errorFor: name } }));

  const endpointField = field('Endpoint', c.endpoint, { name: 'endpoint' });
  const regionField = field('Region', c.region, { name: 'region' });
  const tokenState = h('p', { id: 'profile-token-state', class: 'muted' });
  const clearAccess = check(c.clearAccessToken, 'Remove the stored access token', 'clearAccessToken');
  const clearClient = check(c.clearClientToken, 'Remove the stored client token', 'clearClientToken');
  // The proxy password is stored encrypted and never shown: the address comes back without it.
  const proxyState = h('p', { id: 'profile-proxy-password-state', class: 'muted', hidden: true,
    text: 'A proxy password is stored (encrypted, not shown). Keep user@host to keep it, or type user:password@host to replace it.' });
  const clearProxy = check(c.clearProxyPassword, 'Remove the stored proxy password', 'clearProxyPassword');
  clearProxy.hidden = true;
  const formError = h('div', { id: 'profile-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'profile-submit', type: 'submit', class: 'primary', dataset: { requires: 'admin' }, text: id ? 'Save' : 'Create profile' });
  const useRelayError = h('div', { class: 'field-error', dataset: { errorFor: 'useBuiltInRelay' } });

  const form = h('form', { id: 'profile-form', class: 'card form', novalidate: true, autocomplete: 'off' },
    h('fieldset', { class: 'fields' }, h('legend', { text: 'Profile' }),
      field('Name', c.name, { name: 'name' }),
      field('Mode', c.mode, { name: 'mode' }),
      h('div', { class: 'field' }, h('label', { for: 'profile-target', text: 'Connects to' }), c.target, useRelayError),
      endpointField, regionField,
      field('Services', c.services, { name: 'services' }),
      field('Bind address', c.bindAddress, { name: 'bindAddress' }),
      field('Tags', c.tags, { name: 'tags', hint: 'Comma-separated labels for filtering.' }),
      check(c.autostart, 'Start a session from this profile when the gateway starts', 'autostart')),
    h('details', { class: 'fields-more' }, h('summary', { text: 'TLS, proxy and settings' }),
      h('div', { class: 'fields' },
        field('CA directory', c.caPath, { name: 'caPath' }),
        check(c.skipTlsVerify, 'Skip TLS verification (development only)', 'skipTlsVerify'),
        field('HTTPS proxy', c.httpsProxy, { name: 'httpsProxy', hint: '[http|https]://[user:password@]host[:port]; the password is stored encrypted.' }),
        proxyState, clearProxy,
        field('Destination client type', c.destinationClientType, { name: 'destinationClientType' }),
        field('Settings (JSON)', c.settings, { name: 'settings', wide: true }))),
    h('fieldset', { class: 'fields', dataset: { requires: 'admin' } }, h('legend', { text: 'Stored tokens (optional, encrypted, never shown)' }),
      tokenState,
      field(id ? 'New access token' : 'Access token', c.accessToken, { name: 'accessToken', hint: 'Usually left empty: tunnel tokens are single-use, give one when starting.' }),
      field(id ? 'New client token' : 'Client token', c.clientToken, { name: 'clientToken' }),
      id ? clearAccess : null, id ? clearClient : null),
    formError,
    h('div', { class: 'actions' }, submit,
      id ? h('a', { href: `#/start?profile=${enc(id)}`, class: 'button', dataset: { requires: 'operator' }, text: 'Start a session from it' }) : null,
      h('a', { href: '#/profiles', class: 'button', text: admin ? 'Cancel' : 'Back' })));

  view.appendChild(h('section', { class: 'page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/profiles', text: 'Profiles' }), ' › ', h('span', { text: id ? 'Profile' : 'New' })),
    h('div', { class: 'page-head' }, h('h1', { id: 'profile-title', text: id ? 'Profile' : 'New profile' })),
    form));

  function applyTarget() {
    endpointField.hidden = c.target.value !== 'endpoint';
    regionField.hidden = c.target.value !== 'region';
  }
  c.target.addEventListener('change', applyTarget);
  applyTarget();

  if (!admin) for (const el of form.querySelectorAll('input, select, textarea')) el.disabled = true;

  function fill(p) {
    setText(view.querySelector('#profile-title'), p.name);
    c.name.value = p.name ?? '';
    c.mode.value = p.mode ?? 'source';
    c.target.value = p.useBuiltInRelay ? 'relay' : p.endpoint ? 'endpoint' : p.region ? 'region' : 'relay';
    c.endpoint.value = p.endpoint ?? '';
    c.region.value = p.region ?? '';
    c.services.value = p.services ?? '';
    c.bindAddress.value = p.bindAddress ?? '';
    c.caPath.value = p.caPath ?? '';
    c.skipTlsVerify.checked = Boolean(p.skipTlsVerify);
    c.httpsProxy.value = p.httpsProxy ?? '';
    c.destinationClientType.value = p.destinationClientType ?? '';
    c.settings.value = p.settings ? JSON.stringify(p.settings) : '';
    c.tags.value = (p.tags ?? []).join(', ');
    c.autostart.checked = Boolean(p.autostart);
    setText(tokenState, `Stored: access token ${p.hasAccessToken ? 'yes' : 'no'}, client token ${p.hasClientToken ? 'yes' : 'no'}. Leave the fields empty to keep them.`);
    clearAccess.hidden = !p.hasAccessToken;
    clearClient.hidden = !p.hasClientToken;
    proxyState.hidden = !p.hasProxyPassword;
    clearProxy.hidden = !p.hasProxyPassword;
    applyTarget();
  }

  if (id) {
    api.get(`/api/profiles/${enc(id)}`).then(fill).catch((error) => {
      formError.replaceChildren(h('p', { text: error.status === 404 ? `No profile has id ${id}.` : error.describe?.() ?? error.message }));
      formError.hidden = false;
    });
  } else {
    setText(tokenState, 'Nothing stored yet.');
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    formError.hidden = true;
    const value = (control) => control.value.trim() || null;
    const body = {
      name: value(c.name),
      mode: c.mode.value,
      useBuiltInRelay: c.target.value === 'relay' ? true : null,
      endpoint: c.target.value === 'endpoint' ? value(c.endpoint) : null,
      region: c.target.value === 'region' ? value(c.region) : null,
      services: value(c.services),
      bindAddress: value(c.bindAddress),
      caPath: value(c.caPath),
      skipTlsVerify: c.skipTlsVerify.checked,
      httpsProxy: value(c.httpsProxy),
      destinationClientType: c.destinationClientType.value || null,
      settings: null,
      tags: c.tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      autostart: c.autostart.checked,
    };
    if (value(c.settings)) {
      try { body.settings = JSON.parse(c.settings.value); } catch (error) {
        showFieldErrors(form, { settings: [`Not valid JSON: ${error.message}`] });
        return;
      }
    }
    if (c.accessToken.value.trim()) body.accessToken = c.accessToken.value.trim();
    if (c.clientToken.value.trim()) body.clientToken = c.clientToken.value.trim();
    if (id && c.clearAccessToken.checked) body.clearAccessToken = true;
    if (id && c.clearClientToken.checked) body.clearClientToken = true;
    if (id && c.clearProxyPassword.checked) body.clearProxyPassword = true;
    c.accessToken.value = '';
    c.clientToken.value = '';

    submit.disabled = true;
    const request = id ? api.put(`/api/profiles/${enc(id)}`, body) : api.post('/api/profiles', body);
    delete body.accessToken;
    delete body.clientToken;
    try {
      const saved = await request;
      toast(id ? `Profile ${saved.name} saved.` : `Profile ${saved.name} created.`);
      navigate('#/profiles');
    } catch (error) {
      const unplaced = showFieldErrors(form, error.errors);
      const messages = unplaced.length ? unplaced : Object.keys(error.errors ?? {}).length ? ['See the marked fields.'] : [error.describe?.() ?? error.message];
      if (error.errors?.accessToken || error.errors?.clientToken) messages.push('Tokens are not kept: enter them again.');
      formError.replaceChildren(...messages.map((m) => h('p', { text: m })));
      formError.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  return null;
}

