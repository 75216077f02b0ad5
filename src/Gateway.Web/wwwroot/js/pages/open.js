// #/open[?cloud=name]: open a tunnel on a cloud and run its source end here, in one call. Lands on the
// live session; when a destination token must be handed to a device by hand it is shown once first.

import { h, field, showFormProblem, clearFieldErrors, replaceChildren } from '../dom.js';
import { api, enc } from '../api.js';
import { secretBox, secretLine, copyBlock } from '../secrets.js';

const SECRET_NOTICE = 'The destination token is shown only now. A device notified through its thing (AWS IoT Device Client, this gateway\'s agents) does not need it; otherwise copy it to the device before you leave this page.';

export function mount(view, _params, query, { navigate }) {
  const input = (name, attrs = {}) => h('input', { id: `opencloud-${name}`, name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const c = {
    cloud: h('select', { id: 'opencloud-cloud', name: 'open.cloud' }, h('option', { value: '', text: 'Loading clouds…' })),
    thingName: input('thingName', { placeholder: 'e.g. pump-17 (optional: the device AWS notifies)' }),
    services: input('services', { placeholder: 'SSH or SSH,WEB' }),
    ports: input('ports', { placeholder: 'SSH=2222 or SSH=2222,WEB=8080' }),
    lifetimeMinutes: input('lifetimeMinutes', { type: 'number', min: '1', max: '720', placeholder: '720' }),
    description: input('description', { placeholder: 'optional' }),
    name: input('name', { placeholder: 'default: thing and services' }),
    bindAddress: input('bindAddress', { placeholder: 'default: localhost' }),
    destination: input('destination', { placeholder: 'optional: SSH=10.0.0.5:22 runs the destination end here too' }),
    closeOnStop: h('input', { id: 'opencloud-closeOnStop', name: 'open.closeOnStop', type: 'checkbox', checked: true }),
  };
  const error = h('div', { id: 'opencloud-error', class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'opencloud-submit', type: 'submit', class: 'primary', text: 'Open and connect' });
  const secret = secretBox('opencloud-secret', SECRET_NOTICE);
  const form = h('form', { id: 'opencloud-form', class: 'form', novalidate: true, autocomplete: 'off' },
    h('fieldset', { class: 'fields' }, h('legend', { text: 'The tunnel' }),
      field('Cloud', c.cloud, { name: 'open.cloud' }),
      field('Thing', c.thingName, { name: 'open.thingName' }),
      field('Services', c.services, { name: 'open.services', hint: 'The tunnel\'s service names, comma-separated.' }),
      field('Lifetime (minutes)', c.lifetimeMinutes, { name: 'open.lifetimeMinutes', hint: '1 to 720; the tunnel closes after it.' }),
      field('Description', c.description, { name: 'open.description' })),
    h('fieldset', { class: 'fields' }, h('legend', { text: 'Here' }),
      field('Local ports', c.ports, { name: 'services', hint: 'Where you connect, e.g. ssh -p 2222 user@127.0.0.1.' }),
      field('Listen address', c.bindAddress, { name: 'bindAddress' }),
      field('Session name', c.name, { name: 'name' }),
      field('Destination end here', c.destination, { name: 'destination.services', hint: 'Leave empty when the device runs the destination.' }),
      h('div', { class: 'field field-check' }, h('label', { for: 'opencloud-closeOnStop' }, c.closeOnStop, ' Close the tunnel when the session stops'),
        h('div', { class: 'field-error', dataset: { errorFor: 'open.closeOnStop' } }))),
    error,
    h('div', { class: 'actions' }, submit));

  view.appendChild(h('section', { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', { text: 'Open a tunnel' })),
    h('p', { class: 'muted', text: 'The gateway opens the tunnel on the cloud, starts its source end here and keeps it running across restarts. No token to copy.' }),
    secret.el, form));

  async function loadClouds() {
    try {
      const clouds = await api.get('/api/clouds');
      replaceChildren(c.cloud, clouds.map((cloud) => h('option', { value: cloud.name, text: `${cloud.name} (${cloud.region})`, selected: cloud.name === query.get('cloud') })));
    } catch (e) {
      replaceChildren(c.cloud, h('option', { value: '', text: 'clouds unavailable' }));
      showFormProblem(form, error, e);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    error.hidden = true;
    secret.clear();
    const value = (control) => control.value.trim() || undefined;
    const services = (c.services.value || '').split(',').map((s) => s.trim()).filter(Boolean);
    const body = {
      name: value(c.name),
      services: value(c.ports),
      bindAddress: value(c.bindAddress),
      open: {
        cloud: c.cloud.value || undefined,
        thingName: value(c.thingName),
        services: services.length ? services : undefined,
        lifetimeMinutes: c.lifetimeMinutes.value ? Number(c.lifetimeMinutes.value) : undefined,
        description: value(c.description),
        closeOnStop: c.closeOnStop.checked,
      },
      destination: value(c.destination) ? { services: value(c.destination) } : undefined,
    };
    submit.disabled = true;
    try {
      const opened = await api.post('/api/tunnels', body);
      const session = `#/sessions/${enc(opened.session.id)}`;
      if (!opened.tunnel.destinationAccessToken) {
        navigate(session);
        return;
      }

      const cloud = c.cloud.selectedOptions[0]?.textContent ?? opened.tunnel.cloud;
      secret.show(`Tunnel ${opened.tunnel.tunnelId} on ${cloud} is open; its source end runs here`,
        secretLine('Destination access token', 'destinationAccessToken', opened.tunnel.destinationAccessToken),
        h('p', { class: 'hint', text: 'On the device (token from the environment, never the command line):' }),
        copyBlock('destination-command', `AWSIOT_TUNNEL_ACCESS_TOKEN='${opened.tunnel.destinationAccessToken}' localproxy -r <region or -e endpoint> -d ${opened.tunnel.services.map((s) => `${s}=127.0.0.1:22`).join(',')}`),
        h('p', null, h('a', { href: session, class: 'button primary', id: 'opencloud-go-session', text: 'Go to the session' })));
    } catch (e) {
      showFormProblem(form, error, e);
    } finally {
      submit.disabled = false;
    }
  });

  loadClouds();
  return () => secret.clear();
}
