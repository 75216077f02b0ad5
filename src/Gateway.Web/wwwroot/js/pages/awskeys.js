// #/aws-keys (admin): access keys for the relay's AWS management API (aws iotsecuretunneling ...
// --endpoint-url <this gateway>). Each key acts as a gateway user, whose role decides what it may do.
// A new key's secret is shown once, in the #awskey-secret box, until it is hidden or the page is left.

import { h, field, showFieldErrors, showFormProblem, clearFieldErrors, confirmButton, setText, toast, replaceChildren } from '../dom.js';
import { api, enc } from '../api.js';
import { secretBox, secretLine, copyBlock } from '../secrets.js';
import * as fmt from '../format.js';

const SECRET_NOTICE = 'The secret access key is shown only now: copy it before you hide this box or leave the page. The gateway cannot show it again; if it is lost, revoke the key and create another.';

export function mount(view) {
  const tbody = h('tbody', { id: 'awskeys-body' });
  const table = h('table', { id: 'awskeys-table', class: 'table' },
    h('thead', null, h('tr', null,
      ['Access key id', 'Name', 'User', 'Role', 'Created', 'Last used', 'Revoked', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const empty = h('p', { id: 'awskeys-empty', class: 'empty', hidden: true, text: 'No AWS access keys yet.' });
  const secret = secretBox('awskey-secret', SECRET_NOTICE);

  const name = h('input', { id: 'awskey-name', name: 'name', type: 'text', autocomplete: 'off', placeholder: 'e.g. ci pipeline' });
  const user = h('select', { id: 'awskey-userName', name: 'userName' });
  const error = h('div', { id: 'awskey-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'awskey-submit', type: 'submit', class: 'primary', text: 'Create key' });
  const form = h('form', { id: 'awskey-form', class: 'form', novalidate: true, autocomplete: 'off' },
    h('div', { class: 'fields' },
      field('Name', name, { name: 'name', hint: 'What the key is for.' }),
      field('Acts as user', user, { name: 'userName', hint: 'The key may do what this user\'s role allows: viewer describes and lists; operator and admin also open, close, rotate and tag.' })),
    error,
    h('div', { class: 'actions' }, submit));

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'AWS access keys' })),
    h('p', { class: 'muted' },
      'Keys for AWS tools (the AWS CLI, the SDKs) driving this gateway\'s relay through its AWS IoT Secure Tunneling API: ',
      h('code', { text: `aws iotsecuretunneling list-tunnels --endpoint-url ${location.origin}` }),
      '. Requests are signed with the key (SigV4); a revoked key stops working at once.'),
    h('div', { class: 'card', id: 'awskey-card' }, h('h2', { text: 'Create a key' }), form),
    secret.el,
    h('div', { class: 'table-wrap' }, table),
    empty));

  function row(k) {
    return h('tr', { dataset: { keyId: k.accessKeyId }, class: k.revokedAt ? 'revoked' : null },
      h('td', { 'data-label': 'Access key id' }, h('code', { text: k.accessKeyId })),
      h('td', { 'data-label': 'Name', text: k.name }),
      h('td', { 'data-label': 'User', dataset: { field: 'user' }, text: k.userName }),
      h('td', { 'data-label': 'Role', text: k.role }),
      h('td', { 'data-label': 'Created' }, fmt.time(k.createdAt), k.createdBy ? h('span', { class: 'sub', text: `by ${k.createdBy}` }) : null),
      h('td', { 'data-label': 'Last used', dataset: { field: 'lastUsed' }, text: k.lastUsedAt ? fmt.time(k.lastUsedAt) : 'never' }),
      h('td', { 'data-label': 'Revoked', dataset: { field: 'revoked' }, text: k.revokedAt ? fmt.time(k.revokedAt) : '—' }),
      h('td', { class: 'cell-actions' }, k.revokedAt ? null
        : confirmButton('Revoke', 'Really revoke?', () => revoke(k), { class: 'small danger', dataset: { revokeKey: k.accessKeyId } })));
  }

  async function revoke(k) {
    try {
      await api.del(`/api/aws-keys/${enc(k.accessKeyId)}`);
      toast(`Key ${k.accessKeyId} revoked.`);
    } catch (e) {
      toast(`Revoking failed: ${e.describe?.() ?? e.message}`, 'error');
    }
    await load();
  }

  async function load() {
    try {
      const keys = await api.get('/api/aws-keys');
      // Newest first, revoked ones after the working ones.
      keys.sort((a, b) => (a.revokedAt ? 1 : 0) - (b.revokedAt ? 1 : 0) || String(b.createdAt).localeCompare(String(a.createdAt)));
      tbody.replaceChildren(...keys.map(row));
      table.hidden = keys.length === 0;
      empty.hidden = keys.length > 0;
      setText(empty, 'No AWS access keys yet.');
    } catch (e) {
      table.hidden = true;
      setText(empty, `The keys cannot be loaded: ${e.describe?.() ?? e.message}`);
      empty.hidden = false;
    }
  }

  async function loadUsers() {
    try {
      const users = await api.get('/api/users');
      replaceChildren(user, users.map((u) => h('option', { value: u.userName, text: `${u.userName} (${u.role})` })));
    } catch (e) {
      showFieldErrors(form, { userName: [`The users cannot be loaded: ${e.describe?.() ?? e.message}`] });
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    secret.clear();
    submit.disabled = true;
    try {
      const created = await api.post('/api/aws-keys', { name: name.value.trim(), userName: user.value });
      secret.show(`Key ${created.name} for ${created.userName} (${created.role})`,
        secretLine('Access key id', 'accessKeyId', created.accessKeyId),
        secretLine('Secret access key', 'secretAccessKey', created.secretAccessKey),
        h('p', { class: 'hint', text: 'As environment variables for the AWS CLI and SDKs:' }),
        copyBlock('env', `AWS_ACCESS_KEY_ID=${created.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${created.secretAccessKey}`));
      name.value = '';
      await load();
    } catch (e) {
      showFormProblem(form, error, e);
    } finally {
      submit.disabled = false;
    }
  });

  loadUsers();
  load();
  // Leaving the page drops the secret shown, if any.
  return () => secret.clear();
}
