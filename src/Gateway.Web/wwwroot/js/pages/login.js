// #/login: user name and password; POST /api/auth/login sets the login cookie.

import { h } from '../dom.js';
import { login } from '../auth.js';

export function mount(view, params, query, { navigate, afterLogin }) {
  const user = h('input', { id: 'login-user', name: 'userName', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { id: 'login-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'login-submit', type: 'submit', class: 'primary', text: 'Log in' });

  const form = h('form', { id: 'login-form', class: 'card login-card', novalidate: true },
    h('h1', { text: 'Log in' }),
    h('div', { class: 'field' }, h('label', { for: 'login-user', text: 'User name' }), user, h('div', { class: 'field-error', dataset: { errorFor: 'userName' } })),
    h('div', { class: 'field' }, h('label', { for: 'login-password', text: 'Password' }), password, h('div', { class: 'field-error', dataset: { errorFor: 'password' } })),
    error,
    h('div', { class: 'actions' }, submit),
    h('p', { class: 'muted small', text: 'The first admin\'s password is printed once in the gateway\'s log at its first start (or set with Auth__AdminPassword).' }));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    for (const el of form.querySelectorAll('[data-error-for]')) el.textContent = '';
    const name = user.value.trim();
    const secret = password.value;
    if (!name || !secret) {
      error.textContent = 'Enter your user name and password.';
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      await login(name, secret);
      password.value = '';
      navigate(afterLogin() || '#/sessions');
    } catch (e) {
      password.value = '';
      error.textContent = e.status === 401 ? 'Unknown user name or wrong password.'
        : e.status === 429 ? (e.detail || 'Too many login attempts; try again in a minute.')
        : e.describe?.() ?? e.message;
      error.hidden = false;
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });

  view.appendChild(h('section', { class: 'page page-login' }, form));
  queueMicrotask(() => user.focus());
  return null;
}
