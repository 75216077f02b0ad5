// #/start[?profile=id]: start a session from a profile (with a fresh access token) or from an
// inline spec. The API's validation errors appear next to their fields ([data-error-for]).
// Tokens: password inputs, never echoed, cleared right after the request is sent (success or not),
// and never kept in a variable beyond building the request body.

import { h, field, showFieldErrors, clearFieldErrors, setText, replaceChildren } from '../dom.js';
import { api, enc } from '../api.js';
import * as live from '../hub.js';

export function mount(view, params, query, { navigate }) {
  const input = (name, attrs = {}) => h('input', { id: `start-${name}`, name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const secret = (name) => input(name, { type: 'password', autocomplete: 'new-password', 'data-secret': 'true' });

  // From a profile or inline.
  const fromProfile = h('input', { id: 'start-from-profile', type: 'radio', name: 'source', value: 'profile' });
  const fromInline = h('input', { id: 'start-from-inline', type: 'radio', name: 'source', value: 'inline' });
  const profileSelect = h('select', { id: 'start-profileId', name: 'profileId' }, h('option', { value: '', text: 'Loading profiles…' }));
  const profileHint = h('small', { id: 'start-profile-hint', class: 'hint' });

  const controls = {
    name: input('name', { placeholder: 'optional, shown in lists' }),
    mode: h('select', { id: 'start-mode', name: 'mode' },
      h('option', { value: '', text: 'Choose…' }), h('option', { value: 'source', text: 'source (listens on local ports)' }),
      h('option', { value: 'destination', text: 'destination (connects to local services)' })),
    region: input('region', { placeholder: 'us-east-1' }),
    endpoint: input('endpoint', { placeholder: `wss://127.0.0.1:5443 (this gateway's relay)` }),
    accessToken: secret('accessToken'),
    clientToken: secret('clientToken'),
    services: input('services', { placeholder: 'source: SSH=2222 · destination: SSH=127.0.0.1:22' }),
    bindAddress: input('bindAddress', { placeholder: 'default: localhost' }),
    caPath: input('caPath', { placeholder: './data/tls/ca' }),
    skipTlsVerify: h('input', { id: 'start-skipTlsVerify', name: 'skipTlsVerify', type: 'checkbox' }),
    httpsProxy: input('httpsProxy', { placeholder: 'http://proxy:3128' }),
    destinationClientType: h('select', { id: 'start-destinationClientType', name: 'destinationClientType' },
      h('option', { value: '', text: 'V3 (default)' }), h('option', { value: 'V2', text: 'V2' }), h('option', { value: 'V1', text: 'V1' })),
    settings: h('textarea', { id: 'start-settings', name: 'settings', rows: 3, spellcheck: 'false', placeholder: '{"tunneling":{"proxy":{"websocket":{"ping_period_ms":"5000"}}}}' }),
  };

  // Caps (docs/sessions.md, Limits): merged into the settings JSON under tunneling.proxy.limits.
  const LIMITS = [
    ['sessionBandwidthToTunnel', 'session_bytes_per_second_to_tunnel', 'To the tunnel (bytes/s)', 'The whole session; 0 or empty: no cap.'],
    ['sessionBandwidthFromTunnel', 'session_bytes_per_second_from_tunnel', 'From the tunnel (bytes/s)', 'The whole session; 0 or empty: no cap.'],
    ['connectionBandwidth', 'connection_bytes_per_second', 'Per connection (bytes/s)', 'Each local connection toward the tunnel.'],
    ['maxSessionConnections', 'max_session_connections', 'Connections at once', 'Over all services; per service it is tcp.max_active_connections.'],
  ];
  const limitInputs = Object.fromEntries(LIMITS.map(([name]) => [name, input(`limit-${name}`, { type: 'number', min: '0', step: '1', inputmode: 'numeric', name: `settings.${name}`, placeholder: 'no cap' })]));
  const limitsSet = h('fieldset', { id: 'start-limit-fields', class: 'fields' },
    h('legend', { text: 'Limits' }),
    LIMITS.map(([name, , label, hint]) => field(label, limitInputs[name], { name: `settings.${name}`, hint })));

  const formError = h('div', { id: 'start-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'start-submit', type: 'submit', class: 'primary', text: 'Start session' });

  const profileSet = h('fieldset', { id: 'start-profile-fields', class: 'fields' },
    h('legend', { text: 'Profile' }),
    field('Profile', profileSelect, { name: 'profileId' }),
    profileHint);

  const inlineSet = h('fieldset', { id: 'start-inline-fields', class: 'fields' },
    h('legend', { text: 'Spec' }),
    field('Mode', controls.mode, { name: 'mode' }),
    field('Region', controls.region, { name: 'region', hint: 'AWS IoT Secure Tunneling in this region; or give an endpoint.' }),
    field('Endpoint', controls.endpoint, { name: 'endpoint', hint: 'host[:port] or a wss:// URL; exactly one of region and endpoint.' }),
    field('CA directory', controls.caPath, { name: 'caPath', hint: 'Extra trusted CAs; this gateway\'s own is in data/tls/ca.' }),
    h('div', { class: 'field field-check' }, h('label', { for: 'start-skipTlsVerify' }, controls.skipTlsVerify, ' Skip TLS verification (development only)'), h('div', { class: 'field-error', dataset: { errorFor: 'skipTlsVerify' } })),
    field('HTTPS proxy', controls.httpsProxy, { name: 'httpsProxy' }),
    field('Destination client type', controls.destinationClientType, { name: 'destinationClientType' }),
    field('Settings (JSON)', controls.settings, { name: 'settings', wide: true, hint: 'The reference\'s --settings-json format; only the keys given change.' }));

  const commonSet = h('fieldset', { class: 'fields' },
    h('legend', { text: 'This session' }),
    field('Access token', controls.accessToken, { name: 'accessToken', hint: 'Tunnel tokens are single-use: paste a fresh one. It is sent once and never shown again.' }),
    field('Services', controls.services, { name: 'services', hint: 'From a profile: leave empty to keep the profile\'s.' }),
    field('Name', controls.name, { name: 'name' }),
    field('Bind address', controls.bindAddress, { name: 'bindAddress' }),
    field('Client token', controls.clientToken, { name: 'clientToken', hint: 'Optional, 32-128 of [a-zA-Z0-9-]; generated when empty.' }));

  const form = h('form', { id: 'start-form', class: 'card form', novalidate: true, autocomplete: 'off' },
    h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Start from' },
      h('label', { for: 'start-from-profile' }, fromProfile, ' From a profile'),
      h('label', { for: 'start-from-inline' }, fromInline, ' Inline spec')),
    profileSet, inlineSet, limitsSet, commonSet, formError,
    h('div', { class: 'actions' }, submit, h('a', { href: '#/sessions', class: 'button', text: 'Cancel' })));

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Start a session' })),
    h('p', { class: 'muted', text: 'A session is one tunnel end run by this gateway: a source listens on local ports, a destination connects to local services.' }),
    form));

  let profiles = [];
  const wanted = query.get('profile');

  function applyMode() {
    const profile = fromProfile.checked;
    profileSet.hidden = !profile;
    inlineSet.hidden = profile;
    limitsSet.hidden = profile;
    for (const el of [...inlineSet.querySelectorAll('input, select, textarea'), ...limitsSet.querySelectorAll('input')]) el.disabled = profile;
    profileSelect.disabled = !profile;
    describeProfile();
  }

  function describeProfile() {
    const p = profiles.find((x) => x.id === profileSelect.value);
    if (!p) { setText(profileHint, profiles.length ? '' : 'No profiles yet: create one on the Profiles page, or use an inline spec.'); return; }
    const where = p.useBuiltInRelay ? 'this gateway\'s relay' : p.endpoint || p.region;
    setText(profileHint, `${p.mode} · ${where} · services ${p.services || '—'} · ${p.hasAccessToken ? 'stores an access token (a fresh one given here wins)' : 'needs an access token'}`);
  }

  fromProfile.addEventListener('change', applyMode);
  fromInline.addEventListener('change', applyMode);
  profileSelect.addEventListener('change', describeProfile);

  api.get('/api/profiles').then((list) => {
    profiles = list ?? [];
    replaceChildren(profileSelect,
      h('option', { value: '', text: profiles.length ? 'Choose a profile…' : 'No profiles' }),
      profiles.map((p) => h('option', { value: p.id, text: `${p.name} (${p.mode})` })));
    if (wanted && profiles.some((p) => p.id === wanted)) profileSelect.value = wanted;
    applyMode();
  }).catch((error) => {
    profileSelect.replaceChildren(h('option', { value: '', text: 'Profiles cannot be loaded' }));
    applyMode();
    console.warn(error);
  });
  // Inline unless a profile was asked for (#/start?profile=id); never switched behind the user's back.
  if (wanted) fromProfile.checked = true; else fromInline.checked = true;
  applyMode();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    formError.hidden = true;
    const body = {};
    const text = (name) => controls[name].value.trim();
    const set = (name, value) => { if (value !== '' && value !== undefined && value !== null) body[name] = value; };

    if (fromProfile.checked) {
      if (!profileSelect.value) {
        showFieldErrors(form, { profileId: ['Choose a profile.'] });
        return;
      }
      body.profileId = profileSelect.value;
    } else {
      set('mode', controls.mode.value);
      set('region', text('region'));
      set('endpoint', text('endpoint'));
      set('caPath', text('caPath'));
      if (controls.skipTlsVerify.checked) body.skipTlsVerify = true;
      set('httpsProxy', text('httpsProxy'));
      set('destinationClientType', controls.destinationClientType.value);
      if (text('settings')) {
        try {
          body.settings = JSON.parse(text('settings'));
        } catch (error) {
          showFieldErrors(form, { settings: [`Not valid JSON: ${error.message}`] });
          return;
        }
      }
      const limits = {};
      for (const [name, key] of LIMITS) {
        const value = limitInputs[name].value.trim();
        if (value !== '') limits[key] = value;
      }
      if (Object.keys(limits).length) {
        const settings = body.settings ?? {};
        settings.tunneling ??= {};
        settings.tunneling.proxy ??= {};
        settings.tunneling.proxy.limits = { ...(settings.tunneling.proxy.limits ?? {}), ...limits };
        body.settings = settings;
      }
    }
    set('name', text('name'));
    set('services', text('services'));
    set('bindAddress', text('bindAddress'));
    // Tokens go straight from the inputs into the request and the inputs are emptied at once.
    set('accessToken', controls.accessToken.value.trim());
    set('clientToken', controls.clientToken.value.trim());
    controls.accessToken.value = '';
    controls.clientToken.value = '';

    submit.disabled = true;
    const request = api.post('/api/tunnels', body);
    delete body.accessToken;
    delete body.clientToken;
    try {
      const snapshot = await request;
      live.remember(snapshot);
      navigate(`#/sessions/${enc(snapshot.id)}`);
    } catch (error) {
      const unplaced = showFieldErrors(form, error.errors);
      const messages = [...unplaced];
      if (!Object.keys(error.errors ?? {}).length) messages.push(error.describe?.() ?? error.message);
      else messages.unshift('The gateway refused the session; see the marked fields.');
      if (Object.keys(error.errors ?? {}).some((k) => k === 'accessToken' || k === 'clientToken') || error.status === 409 || error.status === 400) {
        messages.push('Tokens are not kept: paste the access token again before retrying.');
      }
      formError.replaceChildren(...messages.map((m) => h('p', { text: m })));
      formError.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  return null;
}
