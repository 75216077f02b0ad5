// #/users (admin): dashboard users (create, change role, reset password, delete) and the gateway's
// API keys (create, shown once; revoke), through /api/users and /api/keys. The API keeps its rules
// (the last admin stays an admin); what it refuses is shown as its ProblemDetails says.

import { h, field, showFormProblem, clearFieldErrors, confirmButton, setText, replaceChildren, toast } from '../dom.js';
import { api, enc } from '../api.js';
import { currentUser } from '../auth.js';
import { secretBox, secretLine, copyBlock } from '../secrets.js';
import * as fmt from '../format.js';

const ROLES = ['viewer', 'operator', 'admin'];
const ROLE_HINT = 'viewer reads; operator also starts and stops sessions; admin also manages profiles, the relay, keys and users.';
const KEY_NOTICE = 'The API key is shown only now: copy it before you hide this box or leave the page. The gateway keeps only its hash; if it is lost, revoke it and create another.';

const roleOptions = (selected) => ROLES.map((r) => h('option', { value: r, text: r, selected: r === selected ? true : null }));

function problemText(error) {
  return error.describe?.() ?? error.message;
}

export function mount(view) {
  // A refused row action (role, password reset, delete, revoke): the API's answer, until the next action.
  const problem = h('div', { id: 'users-problem', class: 'form-error', role: 'alert', hidden: true });
  const showProblem = (prefix, error) => {
    replaceChildren(problem, h('p', { text: `${prefix}: ${problemText(error)}` }));
    problem.hidden = false;
  };
  const clearProblem = () => { problem.hidden = true; problem.replaceChildren(); };

  const users = usersSection({ showProblem, clearProblem });
  const keys = keysSection({ showProblem, clearProblem });

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Users and API keys' })),
    h('p', { class: 'muted' },
      'Who may log in to the dashboard, and the keys scripts use (header ', h('code', { text: 'X-Api-Key' }),
      '). Changing a user\'s role or password, or deleting them, ends their logins at once; a revoked key stops working at once. ',
      'Your own password: ', h('a', { href: '#/account', text: 'your account' }), '.'),
    problem,
    users.el,
    keys.el));

  users.load();
  keys.load();
  // Leaving the page drops a key shown, if any.
  return () => keys.clear();
}

function usersSection({ showProblem, clearProblem }) {
  const name = h('input', { id: 'newuser-userName', name: 'userName', type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'newuser-password', name: 'password', type: 'password', autocomplete: 'new-password' });
  const role = h('select', { id: 'newuser-role', name: 'role' }, roleOptions('viewer'));
  const error = h('div', { id: 'newuser-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'newuser-submit', type: 'submit', class: 'primary', text: 'Create user' });
  const form = h('form', { id: 'newuser-form', class: 'form', novalidate: true, autocomplete: 'off' },
    h('div', { class: 'fields' },
      field('User name', name, { name: 'userName', hint: 'Letters, digits, ".", "_", "-" or "@".' }),
      field('Password', password, { name: 'password', hint: 'At least 12 characters; tell it to the user another way.' }),
      field('Role', role, { name: 'role', hint: ROLE_HINT })),
    error,
    h('div', { class: 'actions' }, submit));

  const tbody = h('tbody', { id: 'users-body' });
  const table = h('table', { id: 'users-table', class: 'table' },
    h('thead', null, h('tr', null, ['User', 'Role', 'Created', 'Password', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const status = h('p', { id: 'users-status', class: 'muted', hidden: true });

  const el = h('div', { class: 'card', id: 'users-card' },
    h('h2', { text: 'Dashboard users' }),
    h('div', { class: 'table-wrap' }, table),
    status,
    h('h3', { text: 'Create a user' }),
    form);

  function row(u) {
    const me = currentUser()?.name === u.userName;
    const roleSelect = h('select', { 'aria-label': `Role of ${u.userName}`, dataset: { roleUser: u.userName } }, roleOptions(u.role));
    roleSelect.addEventListener('change', async () => {
      clearProblem();
      roleSelect.disabled = true;
      try {
        await api.put(`/api/users/${enc(u.userName)}`, { role: roleSelect.value });
        toast(`${u.userName} is now ${roleSelect.value}.`);
        // Demoting oneself ends one's own login: the app then asks to log in again.
        await load();
      } catch (e) {
        roleSelect.value = u.role;
        showProblem(`Changing the role of ${u.userName} failed`, e);
      } finally {
        roleSelect.disabled = false;
      }
    });

    const resetInput = h('input', { type: 'password', autocomplete: 'new-password', 'aria-label': `New password for ${u.userName}`, placeholder: 'new password', dataset: { resetPassword: u.userName } });
    const resetForm = h('form', { class: 'inline-form', hidden: true, novalidate: true, dataset: { resetForm: u.userName } },
      resetInput,
      h('button', { type: 'submit', class: 'small primary', dataset: { resetSubmit: u.userName }, text: 'Set password' }),
      h('button', { type: 'button', class: 'small', text: 'Cancel', on: { click: () => { resetInput.value = ''; resetForm.hidden = true; } } }));
    resetForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearProblem();
      try {
        await api.put(`/api/users/${enc(u.userName)}`, { password: resetInput.value });
        resetInput.value = '';
        resetForm.hidden = true;
        toast(`The password of ${u.userName} is reset; their logins have ended.`);
      } catch (e) {
        showProblem(`Resetting the password of ${u.userName} failed`, e);
      }
    });

    return h('tr', { dataset: { userName: u.userName } },
      h('td', { 'data-label': 'User' }, h('strong', { text: u.userName }), me ? h('span', { class: 'sub', text: ' (you)' }) : null),
      h('td', { 'data-label': 'Role', dataset: { field: 'role' } }, roleSelect),
      h('td', { 'data-label': 'Created' }, fmt.time(u.createdAt), u.createdBy ? h('span', { class: 'sub', text: ` by ${u.createdBy}` }) : null),
      h('td', { 'data-label': 'Password' },
        h('button', { type: 'button', class: 'small', dataset: { resetUser: u.userName }, text: 'Reset password…',
          on: { click: () => { resetForm.hidden = false; resetInput.focus(); } } }),
        resetForm),
      h('td', { class: 'cell-actions' },
        confirmButton('Delete', 'Really delete?', () => remove(u), { class: 'small danger', dataset: { deleteUser: u.userName } })));
  }

  async function remove(u) {
    clearProblem();
    try {
      await api.del(`/api/users/${enc(u.userName)}`);
      toast(`User ${u.userName} deleted.`);
    } catch (e) {
      showProblem(`Deleting ${u.userName} failed`, e);
    }
    await load();
  }

  async function load() {
    try {
      const list = await api.get('/api/users');
      tbody.replaceChildren(...list.map(row));
      table.hidden = false;
      status.hidden = true;
    } catch (e) {
      table.hidden = true;
      setText(status, `The users cannot be loaded: ${problemText(e)}`);
      status.hidden = false;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    submit.disabled = true;
    try {
      const created = await api.post('/api/users', { userName: name.value.trim(), password: password.value, role: role.value });
      toast(`User ${created.userName} (${created.role}) created.`);
      name.value = '';
      password.value = '';
      await load();
    } catch (e) {
      showFormProblem(form, error, e);
    } finally {
      submit.disabled = false;
    }
  });

  return { el, load };
}

function keysSection({ showProblem, clearProblem }) {
  const secret = secretBox('apikey-secret', KEY_NOTICE);
  const name = h('input', { id: 'apikey-name', name: 'name', type: 'text', autocomplete: 'off', placeholder: 'e.g. ci-pipeline' });
  const role = h('select', { id: 'apikey-role', name: 'role' }, roleOptions('viewer'));
  const expires = h('input', { id: 'apikey-expiresInDays', name: 'expiresInDays', type: 'number', min: '1', max: '3650', inputmode: 'numeric', placeholder: 'never' });
  const error = h('div', { id: 'apikey-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'apikey-submit', type: 'submit', class: 'primary', text: 'Create key' });
  const form = h('form', { id: 'apikey-form', class: 'form', novalidate: true, autocomplete: 'off' },
    h('div', { class: 'fields' },
      field('Name', name, { name: 'name', hint: 'What the key is for; unique among active keys.' }),
      field('Role', role, { name: 'role', hint: ROLE_HINT }),
      field('Expires after (days)', expires, { name: 'expiresInDays', hint: '1 to 3650; empty: never.' })),
    error,
    h('div', { class: 'actions' }, submit));

  const tbody = h('tbody', { id: 'apikeys-body' });
  const table = h('table', { id: 'apikeys-table', class: 'table' },
    h('thead', null, h('tr', null, ['Id', 'Name', 'Role', 'Created', 'Expires', 'Last used', 'Revoked', ''].map((t) => h('th', { scope: 'col', text: t })))),
    tbody);
  const empty = h('p', { id: 'apikeys-empty', class: 'empty', hidden: true, text: 'No API keys yet.' });

  const el = h('div', { class: 'card', id: 'apikeys-card' },
    h('h2', { text: 'API keys' }),
    h('h3', { text: 'Create a key' }),
    form,
    secret.el,
    h('div', { class: 'table-wrap' }, table),
    empty);

  function row(k) {
    return h('tr', { dataset: { keyId: k.id }, class: k.revokedAt ? 'revoked' : null },
      h('td', { 'data-label': 'Id' }, h('code', { text: k.id })),
      h('td', { 'data-label': 'Name', dataset: { field: 'name' }, text: k.name }),
      h('td', { 'data-label': 'Role', dataset: { field: 'role' }, text: k.role }),
      h('td', { 'data-label': 'Created' }, fmt.time(k.createdAt), k.createdBy ? h('span', { class: 'sub', text: ` by ${k.createdBy}` }) : null),
      h('td', { 'data-label': 'Expires', text: k.expiresAt ? fmt.time(k.expiresAt) : 'never' }),
      h('td', { 'data-label': 'Last used', text: k.lastUsedAt ? fmt.time(k.lastUsedAt) : 'never' }),
      h('td', { 'data-label': 'Revoked', dataset: { field: 'revoked' }, text: k.revokedAt ? fmt.time(k.revokedAt) : '—' }),
      h('td', { class: 'cell-actions' }, k.revokedAt ? null
        : confirmButton('Revoke', 'Really revoke?', () => revoke(k), { class: 'small danger', dataset: { revokeApikey: k.id } })));
  }

  async function revoke(k) {
    clearProblem();
    try {
      await api.del(`/api/keys/${enc(k.id)}`);
      toast(`Key ${k.name} revoked.`);
    } catch (e) {
      showProblem(`Revoking ${k.name} failed`, e);
    }
    await load();
  }

  async function load() {
    try {
      const list = await api.get('/api/keys');
      list.sort((a, b) => (a.revokedAt ? 1 : 0) - (b.revokedAt ? 1 : 0) || String(b.createdAt).localeCompare(String(a.createdAt)));
      tbody.replaceChildren(...list.map(row));
      table.hidden = list.length === 0;
      empty.hidden = list.length > 0;
      setText(empty, 'No API keys yet.');
    } catch (e) {
      table.hidden = true;
      setText(empty, `The keys cannot be loaded: ${problemText(e)}`);
      empty.hidden = false;
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    secret.clear();
    submit.disabled = true;
    const days = expires.value.trim();
    try {
      const created = await api.post('/api/keys', { name: name.value.trim(), role: role.value, expiresInDays: days === '' ? null : Number(days) });
      secret.show(`Key ${created.name} (${created.role})${created.expiresAt ? `, expires ${fmt.time(created.expiresAt)}` : ''}`,
        secretLine('API key', 'key', created.key),
        h('p', { class: 'hint', text: 'Send it in the X-Api-Key header, for example:' }),
        copyBlock('curl', `curl -H 'X-Api-Key: ${created.key}' ${location.origin}/api/tunnels`));
      name.value = '';
      expires.value = '';
      await load();
    } catch (e) {
      showFormProblem(form, error, e);
    } finally {
      submit.disabled = false;
    }
  });

  return { el, load, clear: () => secret.clear() };
}
