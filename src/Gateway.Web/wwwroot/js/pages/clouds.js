// #/clouds: where the gateway opens tunnels. Everyone sees the list (the built-in relay "local" first);
// operators test a cloud (ListTunnels with maxResults 1: ok, or the reason); admins add, replace and
// delete clouds. A static secret is sent once and never shown: the list says only whether one is stored.

import { h, field, showFormProblem, clearFieldErrors, confirmButton, setText, toast, replaceChildren } from '../dom.js';
import { api, enc } from '../api.js';
import { applyRoles } from '../auth.js';

export function mount(view) {
  const input = (name, attrs = {}) => h('input', { id: `cloud-${name}`, name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const tbody = h('tbody', { id: 'clouds-body' });
  const table = h('table', { id: 'clouds-table', class: 'table' },
    h('thead', null, h('tr', null, ['Name', 'Region', 'Management endpoint', 'Credentials', 'Test', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const empty = h('p', { id: 'clouds-empty', class: 'empty', hidden: true });

  const c = {
    name: input('name', { placeholder: 'e.g. prod' }),
    region: input('region', { placeholder: 'e.g. eu-west-1' }),
    managementEndpoint: input('managementEndpoint', { placeholder: 'default: AWS\'s regional endpoint' }),
    dataEndpoint: input('dataEndpoint', { placeholder: 'default: data.tunneling.iot.<region>.amazonaws.com' }),
    caPath: input('caPath', { placeholder: 'default: the system\'s trust store' }),
    credentialSource: h('select', { id: 'cloud-credentialSource', name: 'credentialSource' },
      h('option', { value: 'chain', text: 'AWS SDK credential chain (environment, files, instance role, ...)' }),
      h('option', { value: 'static', text: 'Static access key' })),
    profileName: input('profileName', { placeholder: 'optional: a profile of ~/.aws/config' }),
    credentialsFile: input('credentialsFile', { placeholder: 'optional: another credentials file (absolute path)' }),
    accessKeyId: input('accessKeyId', { placeholder: 'AKIA…' }),
    secretAccessKey: input('secretAccessKey', { type: 'password', autocomplete: 'new-password', 'data-secret': 'true' }),
    sessionToken: input('sessionToken', { type: 'password', autocomplete: 'new-password', 'data-secret': 'true' }),
    description: input('description', { placeholder: 'optional' }),
  };
  const chainSet = h('div', { id: 'cloud-chain-fields', class: 'fields' },
    field('Profile', c.profileName, { name: 'profileName' }),
    field('Credentials file', c.credentialsFile, { name: 'credentialsFile' }));
  const staticSet = h('div', { id: 'cloud-static-fields', class: 'fields', hidden: true },
    field('Access key id', c.accessKeyId, { name: 'accessKeyId' }),
    field('Secret access key', c.secretAccessKey, { name: 'secretAccessKey', hint: 'Stored encrypted and never shown again; leave empty to keep the stored one.' }),
    field('Session token', c.sessionToken, { name: 'sessionToken', hint: 'Only for temporary credentials.' }));
  c.credentialSource.addEventListener('change', () => {
    chainSet.hidden = c.credentialSource.value !== 'chain';
    staticSet.hidden = c.credentialSource.value !== 'static';
  });
  const error = h('div', { id: 'cloud-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'cloud-submit', type: 'submit', class: 'primary', text: 'Save cloud' });
  const form = h('form', { id: 'cloud-form', class: 'form', novalidate: true, autocomplete: 'off' },
    h('div', { class: 'fields' },
      field('Name', c.name, { name: 'name', hint: 'Saving an existing name replaces that cloud.' }),
      field('Region', c.region, { name: 'region' }),
      field('Management endpoint', c.managementEndpoint, { name: 'managementEndpoint', hint: 'A FIPS or VPC endpoint, or another gateway\'s https://host:5443.' }),
      field('Data endpoint', c.dataEndpoint, { name: 'dataEndpoint', hint: 'Where sessions connect: a wss:// URL or host[:port].' }),
      field('CA directory', c.caPath, { name: 'caPath', hint: 'Extra trusted CA certificates for both endpoints.' }),
      field('Description', c.description, { name: 'description' }),
      field('Credentials', c.credentialSource, { name: 'credentialSource' })),
    chainSet, staticSet, error,
    h('div', { class: 'actions' }, submit));

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Clouds' }),
      h('a', { href: '#/open', class: 'button primary', dataset: { requires: 'operator' }, text: 'Open a tunnel' })),
    h('p', { class: 'muted', text: 'Where tunnels are opened: an AWS account and region, or any endpoint that speaks the AWS IoT Secure Tunneling API. "local" is this gateway\'s own relay.' }),
    h('div', { class: 'table-wrap' }, table), empty,
    h('div', { class: 'card', id: 'cloud-card', dataset: { requires: 'admin' } }, h('h2', { text: 'Add or replace a cloud' }), form)));
  applyRoles(view);

  function row(cloud) {
    const result = h('span', { class: 'test-result', dataset: { testResult: cloud.name } });
    const test = h('button', { type: 'button', class: 'small', dataset: { requires: 'operator', testCloud: cloud.name }, text: 'Test' });
    test.addEventListener('click', async () => {
      test.disabled = true;
      setText(result, 'testing…');
      try {
        const answer = await api.post(`/api/clouds/${enc(cloud.name)}/test`);
        setText(result, answer.ok ? `ok (${Math.round(answer.elapsedMs)} ms)` : answer.reason);
        result.className = answer.ok ? 'test-result ok' : 'test-result failed';
      } catch (e) {
        setText(result, e.describe?.() ?? e.message);
        result.className = 'test-result failed';
      } finally {
        test.disabled = false;
      }
    });
    const tr = h('tr', { dataset: { cloud: cloud.name } },
      h('td', { 'data-label': 'Name' }, h('a', { href: `#/clouds/${enc(cloud.name)}`, text: cloud.name }), cloud.description ? h('span', { class: 'sub', text: cloud.description }) : null),
      h('td', { 'data-label': 'Region', text: cloud.region }),
      h('td', { 'data-label': 'Management endpoint' }, h('code', { text: cloud.managementEndpoint }), h('span', { class: 'sub', text: `data: ${cloud.dataEndpoint}` })),
      h('td', { 'data-label': 'Credentials', dataset: { field: 'credentials' }, text: cloud.credentials }),
      h('td', { 'data-label': 'Test' }, test, ' ', result),
      h('td', { class: 'cell-actions' },
        h('a', { href: `#/clouds/${enc(cloud.name)}`, class: 'button small', text: 'Tunnels' }),
        cloud.builtIn ? null : confirmButton('Delete', 'Really delete?', () => remove(cloud), { class: 'small danger', dataset: { requires: 'admin', deleteCloud: cloud.name } })));
    applyRoles(tr);
    return tr;
  }

  async function remove(cloud) {
    try {
      await api.del(`/api/clouds/${enc(cloud.name)}`);
      toast(`Cloud ${cloud.name} deleted.`);
    } catch (e) {
      toast(`Deleting failed: ${e.describe?.() ?? e.message}`, 'error');
    }
    await load();
  }

  async function load() {
    try {
      const clouds = await api.get('/api/clouds');
      replaceChildren(tbody, clouds.map(row));
      table.hidden = clouds.length === 0;
      empty.hidden = clouds.length > 0;
      setText(empty, 'No clouds.');
    } catch (e) {
      table.hidden = true;
      setText(empty, `The clouds cannot be loaded: ${e.describe?.() ?? e.message}`);
      empty.hidden = false;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    const value = (control) => control.value.trim() || undefined;
    const body = {
      region: value(c.region),
      managementEndpoint: value(c.managementEndpoint),
      dataEndpoint: value(c.dataEndpoint),
      caPath: value(c.caPath),
      description: value(c.description),
      credentialSource: c.credentialSource.value,
    };
    if (c.credentialSource.value === 'static') {
      body.accessKeyId = value(c.accessKeyId);
      body.secretAccessKey = c.secretAccessKey.value || undefined;
      body.sessionToken = c.sessionToken.value || undefined;
    } else {
      body.profileName = value(c.profileName);
      body.credentialsFile = value(c.credentialsFile);
    }

    // The secrets leave the form with the request, whatever its answer.
    c.secretAccessKey.value = '';
    c.sessionToken.value = '';
    submit.disabled = true;
    try {
      const name = c.name.value.trim();
      if (!name) {
        showFormProblem(form, error, { message: 'Give the cloud a name.' }, { name: ['Give the cloud a name.'] });
        return;
      }

      const saved = await api.put(`/api/clouds/${enc(name)}`, body);
      toast(`Cloud ${saved.name} saved.`);
      form.reset();
      chainSet.hidden = false;
      staticSet.hidden = true;
      await load();
    } catch (e) {
      showFormProblem(form, error, e);
    } finally {
      submit.disabled = false;
    }
  });

  load();
  return () => {};
}
