// #/account (every role): who you are, and your own password (POST /api/auth/password, which needs
// the current one). Your other logins end; this one goes on.

import { h, field, showFormProblem, clearFieldErrors, showFieldErrors } from '../dom.js';
import { currentUser, changePassword } from '../auth.js';

export function mount(view) {
  const user = currentUser();
  const current = h('input', { id: 'account-currentPassword', name: 'currentPassword', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { id: 'account-newPassword', name: 'newPassword', type: 'password', autocomplete: 'new-password' });
  const again = h('input', { id: 'account-confirmPassword', name: 'confirmPassword', type: 'password', autocomplete: 'new-password' });
  const error = h('div', { id: 'account-error', class: 'form-error', role: 'alert', hidden: true });
  const done = h('p', { id: 'account-done', class: 'notice', role: 'status', hidden: true });
  const submit = h('button', { id: 'account-submit', type: 'submit', class: 'primary', text: 'Change password' });
  const form = h('form', { id: 'account-form', class: 'form', novalidate: true },
    // For password managers: which account the new password belongs to.
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: user?.name ?? '', hidden: true, readonly: true }),
    h('div', { class: 'fields' },
      field('Current password', current, { name: 'currentPassword' }),
      field('New password', next, { name: 'newPassword', hint: 'At least 12 characters.' }),
      field('New password again', again, { name: 'confirmPassword' })),
    error,
    done,
    h('div', { class: 'actions' }, submit));

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Your account' })),
    h('div', { class: 'card' },
      h('dl', { class: 'account-facts' },
        h('dt', { text: 'User' }), h('dd', { id: 'account-name', text: user?.name ?? '' }),
        h('dt', { text: 'Role' }), h('dd', { id: 'account-role', text: user?.role ?? '' })),
      h('p', { class: 'muted small', text: 'Only an admin changes roles (page Users).' })),
    h('div', { class: 'card' },
      h('h2', { text: 'Change your password' }),
      h('p', { class: 'muted', text: 'Your other logins (other browsers, a forgotten tab) end; this one goes on.' }),
      form)));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    done.hidden = true;
    if (next.value !== again.value) {
      showFieldErrors(form, { confirmPassword: ['The two new passwords differ.'] });
      return;
    }
    submit.disabled = true;
    try {
      await changePassword(current.value, next.value);
      current.value = '';
      next.value = '';
      again.value = '';
      done.textContent = 'Your password is changed; your other logins have ended.';
      done.hidden = false;
    } catch (e) {
      current.value = '';
      showFormProblem(form, error, e);
    } finally {
      submit.disabled = false;
    }
  });

  return null;
}
