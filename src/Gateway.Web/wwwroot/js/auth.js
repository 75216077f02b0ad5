// Who is logged in, and role awareness: elements with data-requires="operator" or "admin" are removed
// for users whose role is lower (roles include the ones before: viewer < operator < admin).

import { api, setCsrfToken } from './api.js';

const ranks = { viewer: 0, operator: 1, admin: 2 };
let user = null;
const listeners = new Set();

export function currentUser() {
  return user;
}

export function onUserChanged(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setUser(value) {
  user = value ? { name: value.name, role: value.role, authMethod: value.authMethod } : null;
  setCsrfToken(value?.csrfToken ?? null);
  for (const listener of listeners) listener(user);
}

/** GET /api/auth/me: the user, or null when not logged in. */
export async function loadUser() {
  try {
    setUser(await api.get('/api/auth/me', { allow401: true }));
  } catch (error) {
    if (error.status === 401) setUser(null);
    else throw error;
  }
  return user;
}

export async function login(userName, password) {
  setUser(await api.post('/api/auth/login', { userName, password }, { allow401: true }));
  return user;
}

export async function logout() {
  try {
    await api.post('/api/auth/logout', undefined, { allow401: true });
  } finally {
    setUser(null);
  }
}

/** POST /api/auth/password: the caller's own password; the answer carries this login's new anti-forgery token. */
export async function changePassword(currentPassword, newPassword) {
  setUser(await api.post('/api/auth/password', { currentPassword, newPassword }));
  return user;
}

/** Forgets the user without calling the server (after a 401). */
export function forgetUser() {
  if (user) setUser(null);
}

export function hasRole(required) {
  if (!user) return false;
  return (ranks[user.role] ?? -1) >= (ranks[required] ?? 99);
}

/** Removes what the current user may not use; call after rendering anything with data-requires. */
export function applyRoles(root) {
  const all = root.matches?.('[data-requires]') ? [root, ...root.querySelectorAll('[data-requires]')] : root.querySelectorAll('[data-requires]');
  for (const el of all) {
    if (!hasRole(el.dataset.requires)) el.remove();
  }
  return root;
}
