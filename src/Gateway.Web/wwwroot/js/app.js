// The dashboard's shell: hash routes, the navigation, the login gate and the live-updates status.
//   #/login  #/sessions  #/sessions/{id}  #/start[?profile=id]  #/profiles  #/profiles/new
//   #/profiles/{id}  #/open[?cloud=name]  #/clouds  #/clouds/{name}  #/agents  #/relay  #/aws-keys  #/users  #/account  #/history  #/audit
// A page module exports mount(view, params, query) and returns its cleanup function.

import { h, replaceChildren, setText, toast } from './dom.js';
import { onUnauthorized } from './api.js';
import { currentUser, loadUser, logout, forgetUser, hasRole, applyRoles, onUserChanged } from './auth.js';
import * as live from './hub.js';
import * as loginPage from './pages/login.js';
import * as sessionsPage from './pages/sessions.js';
import * as sessionPage from './pages/session.js';
import * as startPage from './pages/start.js';
import * as profilesPage from './pages/profiles.js';
import * as relayPage from './pages/relay.js';
import * as awsKeysPage from './pages/awskeys.js';
import * as historyPage from './pages/history.js';
import * as auditPage from './pages/audit.js';
import * as cloudsPage from './pages/clouds.js';
import * as agentsPage from './pages/agents.js';
import * as cloudTunnelsPage from './pages/cloudtunnels.js';
import * as openPage from './pages/open.js';
import * as usersPage from './pages/users.js';
import * as accountPage from './pages/account.js';

const routes = [
  { pattern: /^\/login$/, page: loginPage, nav: null, anonymous: true, title: 'Log in' },
  { pattern: /^\/sessions$/, page: sessionsPage, nav: 'sessions', title: 'Sessions' },
  { pattern: /^\/sessions\/([^/]+)$/, page: sessionPage, nav: 'sessions', title: 'Session', params: ['id'] },
  { pattern: /^\/start$/, page: startPage, nav: 'start', requires: 'operator', title: 'Start a session' },
  { pattern: /^\/profiles$/, page: profilesPage, nav: 'profiles', title: 'Profiles' },
  { pattern: /^\/profiles\/([^/]+)$/, page: profilesPage, nav: 'profiles', title: 'Profile', params: ['id'] },
  { pattern: /^\/open$/, page: openPage, nav: 'open', requires: 'operator', title: 'Open a tunnel' },
  { pattern: /^\/clouds$/, page: cloudsPage, nav: 'clouds', title: 'Clouds' },
  { pattern: /^\/clouds\/([^/]+)$/, page: cloudTunnelsPage, nav: 'clouds', title: 'Cloud tunnels', params: ['id'] },
  { pattern: /^\/agents$/, page: agentsPage, nav: 'agents', title: 'Agents' },
  { pattern: /^\/relay$/, page: relayPage, nav: 'relay', title: 'Relay' },
  { pattern: /^\/aws-keys$/, page: awsKeysPage, nav: 'aws-keys', requires: 'admin', title: 'AWS keys' },
  { pattern: /^\/history$/, page: historyPage, nav: 'history', title: 'History' },
  { pattern: /^\/audit$/, page: auditPage, nav: 'audit', requires: 'admin', title: 'Audit log' },
  { pattern: /^\/users$/, page: usersPage, nav: 'users', requires: 'admin', title: 'Users and API keys' },
  { pattern: /^\/account$/, page: accountPage, nav: 'account', title: 'Your account' },
];

const navItems = [
  { key: 'sessions', href: '#/sessions', text: 'Sessions' },
  { key: 'start', href: '#/start', text: 'Start a session', requires: 'operator' },
  { key: 'profiles', href: '#/profiles', text: 'Profiles' },
  { key: 'open', href: '#/open', text: 'Open a tunnel', requires: 'operator' },
  { key: 'clouds', href: '#/clouds', text: 'Clouds' },
  { key: 'agents', href: '#/agents', text: 'Agents' },
  { key: 'relay', href: '#/relay', text: 'Relay' },
  { key: 'aws-keys', href: '#/aws-keys', text: 'AWS keys', requires: 'admin' },
  { key: 'history', href: '#/history', text: 'History' },
  { key: 'audit', href: '#/audit', text: 'Audit log', requires: 'admin' },
  { key: 'users', href: '#/users', text: 'Users', requires: 'admin' },
];

const view = document.getElementById('view');
let cleanup = null;
let afterLogin = '#/sessions';

function parseHash() {
  const raw = decodeURI(location.hash.replace(/^#/, '')) || '/sessions';
  const [path, search = ''] = raw.split('?');
  return { path: path || '/sessions', query: new URLSearchParams(search) };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function renderNav(active) {
  const nav = document.getElementById('nav');
  const user = currentUser();
  nav.hidden = !user;
  if (!user) { nav.replaceChildren(); return; }
  replaceChildren(nav, navItems.map((item) => h('a', {
    href: item.href,
    class: item.key === active ? 'active' : null,
    'aria-current': item.key === active ? 'page' : null,
    dataset: { nav: item.key, requires: item.requires },
    text: item.text,
  })));
  applyRoles(nav);
}

function renderUser() {
  const user = currentUser();
  document.getElementById('user').hidden = !user;
  setText(document.getElementById('user-name'), user?.name ?? '');
  setText(document.getElementById('user-role'), user?.role ?? '');
}

const statusText = {
  live: 'Live',
  connecting: 'Connecting live updates…',
  reconnecting: 'Live updates reconnecting…',
  polling: 'Live updates unavailable, retrying (refreshing every 2 s)',
  stopped: '',
};

function renderStatus(value) {
  const el = document.getElementById('live-status');
  el.hidden = value === 'stopped' || !currentUser();
  el.dataset.status = value;
  setText(el, statusText[value] ?? value);
}

function route() {
  const { path, query } = parseHash();
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  const user = currentUser();

  if (!match) { navigate('#/sessions'); return; }
  const { r, m } = match;
  if (!r.anonymous && !user) {
    afterLogin = `#${path}${query.toString() ? `?${query}` : ''}`;
    navigate('#/login');
    return;
  }
  if (r.page === loginPage && user) { navigate('#/sessions'); return; }

  if (cleanup) {
    try { cleanup(); } catch (error) { console.error(error); }
    cleanup = null;
  }
  renderNav(r.nav);
  document.title = `${r.title} · TunnelGateway`;
  view.replaceChildren();
  view.dataset.page = r.nav ?? 'login';

  if (r.requires && !hasRole(r.requires)) {
    view.appendChild(h('section', { class: 'page' },
      h('h1', { text: r.title }),
      h('p', { class: 'notice', text: `This page needs the ${r.requires} role; you are ${user.role}.` })));
    return;
  }

  const params = {};
  (r.params ?? []).forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]); });
  try {
    cleanup = r.page.mount(view, params, query, { navigate, afterLogin: () => afterLogin }) ?? null;
  } catch (error) {
    console.error(error);
    view.appendChild(h('p', { class: 'notice error', text: `This page failed: ${error.message}` }));
  }
  applyRoles(view);
}

onUserChanged((user) => {
  renderUser();
  if (user) live.start();
  else live.stop();
  renderStatus(live.getStatus());
});

live.on('status', renderStatus);

onUnauthorized(() => {
  if (!currentUser()) return;
  forgetUser();
  toast('Your login has expired; please log in again.', 'error');
  const { path } = parseHash();
  if (path !== '/login') afterLogin = location.hash || '#/sessions';
  navigate('#/login');
});

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await logout();
  } catch (error) {
    console.warn(error);
  }
  afterLogin = '#/sessions';
  navigate('#/login');
});

window.addEventListener('hashchange', route);

(async () => {
  try {
    await loadUser();
  } catch (error) {
    replaceChildren(view, h('p', { class: 'notice error', text: `The gateway cannot be reached: ${error.message}` }));
    return;
  }
  route();
})();
