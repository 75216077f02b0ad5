// #/sessions/{id}: one session, live: state, counters, a throughput chart, services and their
// connections (each resettable), the last log lines, stop.

import { h, replaceChildren, setText, toast, confirmButton } from '../dom.js';
import { api, enc } from '../api.js';
import { applyRoles } from '../auth.js';
import * as live from '../hub.js';
import { throughputChart, historyChart, seriesData } from '../charts.js';
import * as fmt from '../format.js';

const MAX_LOG_LINES = 500;
// The server samples every 5 s; reading it as often keeps the history chart current.
const HISTORY_REFRESH_MS = 5000;
const HISTORY_RANGES = [['15m', 'last 15 minutes', 900], ['1h', 'last hour', 3600], ['6h', 'last 6 hours', 21600], ['24h', 'last 24 hours', 86400], ['7d', 'last 7 days', 604800]];

export function mount(view, { id }) {
  let snapshot = live.getSession(id) ?? null;
  let chart = null;
  let gone = false;

  // ---- skeleton ----
  const title = h('h1', { id: 'session-title', text: snapshot?.name || id });
  const stateBadge = h('span', { id: 'session-state', class: 'badge', dataset: { field: 'state' } });
  const stop = confirmButton('Stop session', 'Really stop?', () => stopSession(), { id: 'stop-session', class: 'danger', dataset: { requires: 'operator' } });
  const reason = h('p', { id: 'session-reason', class: 'reason-line', dataset: { field: 'stateReason' } });
  const notice = h('p', { id: 'session-notice', class: 'notice', hidden: true });

  // A session that ended on a refused token starts again under its id with a new one (given, or
  // rotated on its cloud). The token leaves the input with the request.
  const newToken = h('input', { id: 'session-new-token', type: 'password', autocomplete: 'new-password', 'data-secret': 'true', placeholder: 'a fresh access token for this end' });
  const useToken = h('button', { id: 'session-use-token', type: 'button', class: 'primary small', text: 'Start again with this token' });
  const rotateToken = h('button', { id: 'session-rotate-token', type: 'button', class: 'small', hidden: true, text: 'Rotate on its cloud and start again' });
  const tokenError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const tokenBox = h('div', { id: 'session-token-box', class: 'card', hidden: true, dataset: { requires: 'operator' } },
    h('h2', { text: 'The service refused this session\'s token' }),
    h('div', { class: 'toolbar' }, newToken, useToken, rotateToken), tokenError);
  async function restartWith(body) {
    tokenError.hidden = true;
    useToken.disabled = rotateToken.disabled = true;
    try {
      await api.post(`/api/tunnels/${enc(id)}/token`, body);
      toast('Session started again.');
    } catch (e) {
      setText(tokenError, e.describe?.() ?? e.message);
      tokenError.hidden = false;
    } finally {
      useToken.disabled = rotateToken.disabled = false;
    }
  }
  useToken.addEventListener('click', () => {
    const accessToken = newToken.value;
    newToken.value = '';
    restartWith({ accessToken: accessToken || undefined });
  });
  rotateToken.addEventListener('click', () => restartWith({ rotate: true }));

  const facts = new Map();
  const fact = (key, label) => {
    const dd = h('dd', { dataset: { field: key } });
    facts.set(key, dd);
    return [h('dt', { text: label }), dd];
  };
  const factList = h('dl', { class: 'facts' },
    fact('id', 'Id'), fact('mode', 'Mode'), fact('endpoint', 'Endpoint'), fact('profile', 'Profile'), fact('tunnel', 'Cloud tunnel'),
    fact('createdAt', 'Created'), fact('connectedAt', 'Connected'), fact('endedAt', 'Ended'),
    fact('rtt', 'RTT'), fact('connections', 'Connections'), fact('bytesToTunnel', 'To tunnel'), fact('bytesFromTunnel', 'From tunnel'),
    fact('rate', 'Throughput now'), fact('reconnects', 'Reconnects'), fact('lastError', 'Last error'),
    fact('channelId', 'Channel id'), fact('messageFormat', 'Message format'), fact('handshake', 'Handshake'), fact('close', 'Close'),
    fact('receivePaused', 'Receive'), fact('limits', 'Limits'), fact('throttled', 'Throttled'));

  const chartBox = h('div', { id: 'session-chart', class: 'chart' });
  // ---- throughput history, kept by the gateway (a new tab shows the past too) ----
  const historyRange = h('select', { id: 'throughput-range', 'aria-label': 'History range' },
    HISTORY_RANGES.map(([value, text]) => h('option', { value, text, selected: value === '1h' ? true : null })));
  const historyBox = h('div', { id: 'throughput-history', class: 'chart', dataset: { points: '0' } });
  const historySummary = h('p', { id: 'throughput-history-summary', class: 'muted small', 'aria-live': 'polite' });
  const services = h('div', { id: 'session-services' });
  const log = h('ol', { id: 'session-log', class: 'log', 'aria-live': 'off' });

  view.appendChild(h('section', { class: 'page' },
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/sessions', text: 'Sessions' }), ' › ', h('span', { text: id })),
    h('div', { class: 'page-head' },
      h('div', { class: 'title-row' }, title, stateBadge),
      h('div', { class: 'page-actions' }, stop)),
    reason,
    notice,
    tokenBox,
    h('div', { class: 'grid-2' },
      h('div', { class: 'card' }, h('h2', { text: 'Status' }), factList),
      h('div', { class: 'card chart-card' }, h('h2', { text: 'Throughput (last 5 minutes)' }), chartBox)),
    h('div', { class: 'card chart-card', id: 'throughput-history-card' },
      h('div', { class: 'card-head' }, h('h2', { text: 'Throughput history' }), historyRange),
      historySummary,
      historyBox),
    h('div', { class: 'card' }, h('h2', { text: 'Services and connections' }), services),
    h('div', { class: 'card' }, h('h2', { text: 'Log' }), h('div', { class: 'log-wrap' }, log))));

  // ---- status ----
  function renderStatus() {
    if (!snapshot) return;
    const s = snapshot;
    // While the gateway cannot be reached the state is only the last one known: say so instead.
    const reachable = live.isReachable();
    const state = reachable ? fmt.stateName(s.state) : 'unreachable';
    setText(title, s.name || s.id);
    stateBadge.className = `badge state-${state}`;
    setText(stateBadge, reachable ? state : 'gateway unreachable');
    setText(reason, reachable ? s.stateReason ?? '' : `last known: ${fmt.stateName(s.state)}${s.stateReason ? ` (${s.stateReason})` : ''}`);
    stop.hidden = fmt.isFinal(state) || !reachable;
    tokenBox.hidden = !(reachable && state === 'Failed' && (s.failure === 'HandshakeRejected' || s.failure === 1));
    rotateToken.hidden = !s.tunnel;
    setText(facts.get('id'), s.id);
    setText(facts.get('mode'), fmt.modeName(s.mode));
    setText(facts.get('endpoint'), s.endpoint);
    renderProfile(s.profileId);
    renderTunnel(s.tunnel);
    setText(facts.get('createdAt'), fmt.time(s.createdAt));
    setText(facts.get('connectedAt'), s.connectedAt ? fmt.time(s.connectedAt) : '—');
    setText(facts.get('endedAt'), s.endedAt ? fmt.time(s.endedAt) : '—');
    setText(facts.get('rtt'), fmt.rtt(s.rttMs));
    setText(facts.get('connections'), s.activeConnections ?? 0);
    setText(facts.get('bytesToTunnel'), fmt.bytes(s.bytesToTunnel));
    setText(facts.get('bytesFromTunnel'), fmt.bytes(s.bytesFromTunnel));
    facts.get('bytesToTunnel').dataset.value = String(s.bytesToTunnel ?? 0);
    facts.get('bytesFromTunnel').dataset.value = String(s.bytesFromTunnel ?? 0);
    setText(facts.get('reconnects'), s.reconnects ?? 0);
    setText(facts.get('lastError'), s.lastError || '—');
    setText(facts.get('channelId'), s.channelId || '—');
    setText(facts.get('messageFormat'), s.messageFormat ?? '—');
    setText(facts.get('handshake'), s.handshakeStatus ? `${s.handshakeStatus}${s.handshakeBody ? `: ${s.handshakeBody}` : ''}` : '—');
    setText(facts.get('close'), s.closeCode ? `${s.closeCode}${s.closeReason ? ` ${s.closeReason}` : ''}` : '—');
    setText(facts.get('receivePaused'), s.receivePaused ? 'paused: a local connection reads slower than the tunnel delivers' : 'flowing');
    setText(facts.get('limits'), describeLimits(s.limits));
    setText(facts.get('throttled'), describeThrottled(s));
  }

  // Caps in force (0 = none) and how long traffic waited for them.
  function describeLimits(l) {
    if (!l) return '—';
    const parts = [];
    if (l.bandwidthToTunnel) parts.push(`↑ ${fmt.rate(l.bandwidthToTunnel)}`);
    if (l.bandwidthFromTunnel) parts.push(`↓ ${fmt.rate(l.bandwidthFromTunnel)}`);
    if (l.connectionBandwidth) parts.push(`${fmt.rate(l.connectionBandwidth)} per connection`);
    if (l.maxSessionConnections) parts.push(`${l.maxSessionConnections} connections`);
    parts.push(`${l.maxConnectionsPerService} connections per service`);
    return parts.join(' · ');
  }

  function describeThrottled(s) {
    const ms = (v) => `${Math.round(v ?? 0)} ms`;
    return `↑ ${ms(s.throttledToTunnelMs)} · ↓ ${ms(s.throttledFromTunnelMs)} · connections ${ms(s.throttledConnectionsMs)} · refused ${s.connectionsRefusedByLimit ?? 0}`;
  }

  let tunnelShown;
  function renderTunnel(tunnel) {
    const key = tunnel ? `${tunnel.cloud}/${tunnel.tunnelId}` : '';
    if (tunnelShown === key) return;
    tunnelShown = key;
    const dd = facts.get('tunnel');
    if (!tunnel) { setText(dd, '—'); return; }
    replaceChildren(dd,
      h('a', { href: `#/clouds/${enc(tunnel.cloud)}`, text: `${tunnel.cloud}` }), ' ',
      h('code', { text: tunnel.tunnelId, title: tunnel.tunnelArn ?? '' }),
      h('span', { class: 'sub', text: tunnel.openedHere ? 'opened by this gateway' : 'attached (opened elsewhere)' }));
  }

  let profileShown;
  function renderProfile(profileId) {
    if (profileShown === profileId) return;
    profileShown = profileId;
    const dd = facts.get('profile');
    if (!profileId) { setText(dd, '—'); return; }
    const link = h('a', { href: `#/profiles/${enc(profileId)}`, text: profileId });
    replaceChildren(dd, link);
    api.get(`/api/profiles/${enc(profileId)}`).then((p) => setText(link, p.name)).catch(() => {});
  }

  function renderRate() {
    const s = live.getSeries(id);
    const n = s?.t.length ?? 0;
    setText(facts.get('rate'), n ? `↑ ${fmt.rate(s.to[n - 1])} · ↓ ${fmt.rate(s.from[n - 1])}` : '—');
  }

  // ---- history ----
  let historyTimer = 0;
  let historyChartView = null;
  let historyAlive = true;
  const historySpan = () => {
    const seconds = HISTORY_RANGES.find(([value]) => value === historyRange.value)?.[2] ?? 3600;
    const end = Date.now() / 1000;
    return [end - seconds, end];
  };

  async function loadHistory() {
    clearTimeout(historyTimer);
    try {
      const answer = await api.get(`/api/tunnels/${enc(id)}/throughput?range=${enc(historyRange.value)}`);
      const n = answer.t.length;
      historyBox.dataset.points = String(n);
      historyChartView?.update([answer.t, answer.toTunnel, answer.fromTunnel]);
      if (n === 0) {
        setText(historySummary, 'No samples yet: the gateway samples every session every 5 seconds.');
      } else {
        const peakTo = Math.max(...answer.toTunnel);
        const peakFrom = Math.max(...answer.fromTunnel);
        const every = answer.resolutionSeconds === 60 ? 'minute averages' : `every ${answer.resolutionSeconds} s`;
        setText(historySummary, `${n} sample${n === 1 ? '' : 's'} (${every}) since ${fmt.time(answer.t[0] * 1000)} · peak ↑ ${fmt.rate(peakTo)} ↓ ${fmt.rate(peakFrom)}`);
      }
    } catch (error) {
      if (error.status === 404) { setText(historySummary, 'The gateway keeps no history for this session (it is no longer listed).'); return; }
      setText(historySummary, `The history cannot be loaded: ${error.describe?.() ?? error.message}`);
    }
    if (historyAlive) historyTimer = setTimeout(loadHistory, HISTORY_REFRESH_MS);
  }
  historyRange.addEventListener('change', () => {
    historyChartView?.update([[], [], []]);
    loadHistory();
  });

  // ---- services and connections (keyed: rows and their buttons stay while they exist) ----
  const blocks = new Map();

  function serviceKey(service, index) {
    return `${service.serviceId ?? ''}|${index}`;
  }

  function renderServices() {
    const list = snapshot?.services ?? [];
    if (list.length === 0) {
      for (const block of blocks.values()) block.el.remove();
      blocks.clear();
      if (!services.querySelector('.empty')) {
        replaceChildren(services, h('p', { class: 'empty muted', text: snapshot && fmt.stateName(snapshot.state) === 'Connected' ? 'Waiting for the service ids…' : 'No services yet.' }));
      }
      return;
    }
    services.querySelector('.empty')?.remove();
    const seen = new Set();
    list.forEach((service, index) => {
      const key = serviceKey(service, index);
      seen.add(key);
      let block = blocks.get(key);
      if (!block) {
        block = buildBlock();
        blocks.set(key, block);
        services.appendChild(block.el);
      }
      patchBlock(block, service);
    });
    for (const [key, block] of blocks) {
      if (!seen.has(key)) { block.el.remove(); blocks.delete(key); }
    }
  }

  function buildBlock() {
    const heading = h('h3', { class: 'service-name' });
    const meta = h('p', { class: 'muted service-meta' });
    const tbody = h('tbody');
    const table = h('table', { class: 'table connections-table' },
      h('thead', null, h('tr', null,
        h('th', { text: 'Connection' }), h('th', { text: 'Client address' }), h('th', { class: 'num', text: 'From local' }),
        h('th', { class: 'num', text: 'To local' }), h('th', { class: 'num', text: 'Age' }), h('th', { text: '' }))),
      tbody);
    const none = h('p', { class: 'muted', text: 'No connections.' });
    const el = h('div', { class: 'service' }, heading, meta, h('div', { class: 'table-wrap' }, table), none);
    return { el, heading, meta, tbody, table, none, rows: new Map() };
  }

  function patchBlock(block, service) {
    block.el.dataset.serviceId = service.serviceId ?? '';
    setText(block.heading, service.serviceId || '(unnamed service)');
    const where = service.listenPort ? `listens on ${service.endpoint}` : `connects to ${service.endpoint}`;
    setText(block.meta, `${where} · stream ${service.streamId || '—'}`);
    const connections = service.connections ?? [];
    block.table.hidden = connections.length === 0;
    block.none.hidden = connections.length > 0;
    const seen = new Set();
    for (const c of connections) {
      seen.add(c.key);
      let row = block.rows.get(c.key);
      if (!row) {
        row = buildConnectionRow(c);
        block.rows.set(c.key, row);
        block.tbody.appendChild(row.tr);
        applyRoles(row.tr);
      }
      patchConnection(row, c);
    }
    for (const [key, row] of block.rows) {
      if (!seen.has(key)) { row.tr.remove(); block.rows.delete(key); }
    }
  }

  function buildConnectionRow(c) {
    const cells = {
      key: h('td', { 'data-label': 'Connection', dataset: { field: 'key' } }),
      peer: h('td', { 'data-label': 'Client', dataset: { field: 'localPeer' } }),
      fromLocal: h('td', { class: 'num', 'data-label': 'From local', dataset: { field: 'bytesFromLocal' } }),
      toLocal: h('td', { class: 'num', 'data-label': 'To local', dataset: { field: 'bytesToLocal' } }),
      age: h('td', { class: 'num', 'data-label': 'Age', dataset: { field: 'age' } }),
    };
    const reset = confirmButton('Disconnect', 'Really disconnect?', () => resetConnection(c.key), {
      class: 'small danger', dataset: { resetConnection: c.key, requires: 'operator' },
      title: 'Reset this connection only (the peer gets CONNECTION_RESET)',
    });
    const tr = h('tr', { dataset: { connectionKey: c.key } }, cells.key, cells.peer, cells.fromLocal, cells.toLocal, cells.age, h('td', { class: 'cell-actions' }, reset));
    return { tr, cells, openedAt: c.openedAt };
  }

  function patchConnection(row, c) {
    setText(row.cells.key, c.connecting ? `${c.key} (connecting)` : c.key);
    setText(row.cells.peer, c.localPeer ?? '—');
    setText(row.cells.fromLocal, fmt.bytes(c.bytesFromLocal));
    setText(row.cells.toLocal, fmt.bytes(c.bytesToLocal));
    row.cells.fromLocal.dataset.value = String(c.bytesFromLocal ?? 0);
    row.cells.toLocal.dataset.value = String(c.bytesToLocal ?? 0);
    row.openedAt = c.openedAt;
    setText(row.cells.age, fmt.age(c.openedAt));
  }

  function tickAges() {
    const now = Date.now();
    for (const block of blocks.values()) for (const row of block.rows.values()) setText(row.cells.age, fmt.age(row.openedAt, now));
  }

  async function resetConnection(key) {
    try {
      await api.del(`/api/tunnels/${enc(id)}/connections/${enc(key)}`);
      toast(`Connection ${key} reset.`);
    } catch (error) {
      toast(`Resetting ${key} failed: ${error.describe?.() ?? error.message}`, 'error');
    }
  }

  // ---- log ----
  let lastLine = null;
  function lineElement(line) {
    const level = String(line.level ?? '').toLowerCase();
    return h('li', { class: `log-line level-${level}` },
      h('time', { datetime: line.at, text: fmt.clock(line.at) }), ' ',
      h('span', { class: 'level', text: line.level ?? '' }), ' ',
      h('span', { class: 'message', text: line.message ?? '' }));
  }
  const atBottom = () => log.parentElement.scrollHeight - log.parentElement.scrollTop - log.parentElement.clientHeight < 24;
  const scrollDown = () => { log.parentElement.scrollTop = log.parentElement.scrollHeight; };

  function setLogs(lines) {
    const fragment = document.createDocumentFragment();
    for (const line of lines.slice(-MAX_LOG_LINES)) fragment.appendChild(lineElement(line));
    log.replaceChildren(fragment);
    lastLine = lines.length ? lines[lines.length - 1] : null;
    if (!lines.length) log.appendChild(h('li', { class: 'muted empty-log', text: 'No log lines yet.' }));
    scrollDown();
  }

  function addLog(line) {
    // Subscribing joins first, so the line just before the answer may come twice.
    if (lastLine && lastLine.at === line.at && lastLine.message === line.message) return;
    const stick = atBottom();
    log.querySelector('.empty-log')?.remove();
    log.appendChild(lineElement(line));
    while (log.childElementCount > MAX_LOG_LINES) log.firstElementChild.remove();
    lastLine = line;
    if (stick) scrollDown();
  }

  // ---- actions ----
  async function stopSession() {
    try {
      snapshot = await api.del(`/api/tunnels/${enc(id)}`);
      live.remember(snapshot);
      renderStatus();
      renderServices();
      toast('Session stopped.');
    } catch (error) {
      toast(`Stopping failed: ${error.describe?.() ?? error.message}`, 'error');
    }
  }

  function markGone() {
    gone = true;
    notice.hidden = false;
    notice.textContent = snapshot
      ? 'This session has been removed from the gateway; what is shown is its last state. Its record stays in the history.'
      : `No session has id ${id}. It may have ended and been removed; see the history.`;
    stop.hidden = true;
  }

  // ---- live ----
  const unsubscribe = live.subscribe(id, {
    onDetail(next) {
      if (gone) return;
      snapshot = next;
      renderStatus();
      renderServices();
    },
    onLogs: setLogs,
    onLog: addLog,
    onGone: markGone,
  });

  const offUpdate = live.on('update', (ids) => {
    if (gone || !ids.includes(id)) return;
    const latest = live.getSession(id);
    if (!latest) return;
    // Counters arrive merged into the list's snapshot; services come with details.
    snapshot = { ...latest, services: latest.services?.length ? latest.services : snapshot?.services ?? [] };
    renderStatus();
  });
  const offSample = live.on('sample', () => {
    chart?.update(seriesData(live.getSeries(id)));
    renderRate();
  });
  const offReachability = live.on('reachability', () => renderStatus());
  const ageTimer = setInterval(tickAges, 1000);

  if (snapshot) { renderStatus(); renderServices(); }
  chart = throughputChart(chartBox, seriesData(live.getSeries(id)));
  historyChartView = historyChart(historyBox, [[], [], []], historySpan);
  loadHistory();
  applyRoles(view);

  return () => {
    unsubscribe();
    offUpdate();
    offSample();
    offReachability();
    clearInterval(ageTimer);
    historyAlive = false;
    clearTimeout(historyTimer);
    historyChartView?.destroy();
    chart?.destroy();
  };
}
