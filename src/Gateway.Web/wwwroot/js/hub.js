// Live session data: the SignalR hub /hubs/sessions, with REST polling while the hub is unreachable.
//
// The store keeps every session's latest snapshot (counters merged in from sessionCounters) and,
// per session, the throughput of the last minutes (one sample per second) for the sparklines.
// Pages listen to:
//   'list'    the set of sessions changed (added/removed): re-render
//   'update'  ids whose snapshot or counters changed: patch in place
//   'sample'  a new throughput sample for every session (once a second)
//   'status'  live | connecting | reconnecting | polling
//   'agent'   an agent's new status (agentChanged)
//   'reachability'  true/false: false while neither the hub nor the REST API answers (the shown
//                   states are then only the last known ones)
// and subscribe to one session for its details and log lines.

import { api, csrfHeaders, enc } from './api.js';
import { CLIENT_METHODS, HUB_METHODS, HUB_PATH } from './hub-methods.js';
import { isFinal } from './format.js';

export const HISTORY_SECONDS = 300;
const POLL_MS = 2000;
const RETRY_DELAYS_MS = [2000, 5000, 10000, 20000, 30000];

const sessions = new Map();
const series = new Map();
const listeners = new Map();
const subscriptions = new Map(); // id -> Set of handlers {onDetail, onLogs, onLog, onGone}

let connection = null;
let status = 'stopped';
let running = false;
let generation = 0;
let pollTimer = 0;
let retryTimer = 0;
let retryIndex = 0;
let sampleTimer = 0;
let reachable = true;

function emit(event, payload) {
  const set = listeners.get(event);
  if (!set) return;
  for (const listener of set) {
    try { listener(payload); } catch (error) { console.error(error); }
  }
}

export function on(event, listener) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(listener);
  return () => listeners.get(event)?.delete(listener);
}

export function getStatus() { return status; }
/** False while the gateway cannot be reached (hub reconnecting, or polling and the last poll failed). */
export function isReachable() { return reachable; }
export function allSessions() { return sessions; }
export function getSession(id) { return sessions.get(id); }
export function getSeries(id) { return series.get(id); }

function setReachable(value) {
  if (reachable === value) return;
  reachable = value;
  emit('reachability', value);
}

function setStatus(value) {
  if (status === value) return;
  status = value;
  emit('status', value);
}

// ---- store ----

function upsert(snapshot) {
  const isNew = !sessions.has(snapshot.id);
  sessions.set(snapshot.id, snapshot);
  if (isNew) ensureSeries(snapshot);
  return isNew;
}

function ensureSeries(snapshot) {
  if (series.has(snapshot.id)) return;
  series.set(snapshot.id, {
    t: [], to: [], from: [],
    lastAt: performance.now(), lastTo: snapshot.bytesToTunnel ?? 0, lastFrom: snapshot.bytesFromTunnel ?? 0,
  });
}

// Ids removed lately (at most GONE_LIMIT): a REST answer that arrives after the removal (a stop's
// answer after "Clear ended" took the stopped session away) must not bring the ended session back.
const GONE_LIMIT = 1000;
const gone = new Set();

function remove(id) {
  const existed = sessions.delete(id);
  series.delete(id);
  gone.delete(id);
  gone.add(id);
  if (gone.size > GONE_LIMIT) gone.delete(gone.values().next().value);
  return existed;
}

/** A whole list (GetSessions or GET /api/tunnels): added/removed -> 'list', every other -> 'update'. */
function replaceAll(list) {
  let structural = false;
  const seen = new Set();
  const updated = [];
  for (const snapshot of list) {
    seen.add(snapshot.id);
    if (upsert(snapshot)) structural = true;
    else updated.push(snapshot.id);
  }
  for (const id of [...sessions.keys()]) {
    if (!seen.has(id)) {
      remove(id);
      structural = true;
      notifyGone(id);
    }
  }
  if (structural) emit('list');
  if (updated.length) emit('update', updated);
}

const counterFields = ['state', 'bytesToTunnel', 'bytesFromTunnel', 'activeConnections', 'rttMs', 'receivePaused', 'reconnects'];

function applyCounters(batch) {
  const ids = [];
  for (const counters of batch || []) {
    const current = sessions.get(counters.id);
    if (!current) continue;
    const next = { ...current };
    for (const key of counterFields) if (key in counters) next[key] = counters[key];
    sessions.set(counters.id, next);
    ids.push(counters.id);
  }
  if (ids.length) emit('update', ids);
}

function sample() {
  // While polling, a sample follows each poll instead (counters only move every POLL_MS).
  if (status === 'polling' && !pollSampling) return;
  const now = performance.now();
  const t = Date.now() / 1000;
  for (const [id, s] of series) {
    const snapshot = sessions.get(id);
    if (!snapshot) continue;
    const dt = (now - s.lastAt) / 1000;
    if (dt <= 0) continue;
    const to = snapshot.bytesToTunnel ?? 0;
    const from = snapshot.bytesFromTunnel ?? 0;
    s.t.push(t);
    s.to.push(Math.max(0, (to - s.lastTo) / dt));
    s.from.push(Math.max(0, (from - s.lastFrom) / dt));
    if (s.t.length > HISTORY_SECONDS) { s.t.shift(); s.to.shift(); s.from.shift(); }
    s.lastAt = now; s.lastTo = to; s.lastFrom = from;
  }
  emit('sample');
}

// ---- hub ----

async function connectHub(myGeneration) {
  if (!running || myGeneration !== generation) return;
  const signalR = window.signalR;
  if (!signalR) {
    hubDown(myGeneration, 'the SignalR client (lib/signalr.min.js) did not load');
    return;
  }

  setStatus(status === 'polling' ? 'polling' : 'connecting');
  const conn = new signalR.HubConnectionBuilder()
    .withUrl(HUB_PATH, { headers: csrfHeaders() })
    .withAutomaticReconnect()
    .configureLogging(signalR.LogLevel.Warning)
    .build();

  conn.on(CLIENT_METHODS.sessionChanged, (snapshot) => {
    if (!snapshot?.id) return;
    if (upsert(snapshot)) emit('list');
    else emit('update', [snapshot.id]);
  });
  conn.on(CLIENT_METHODS.sessionRemoved, (id) => {
    if (remove(id)) emit('list');
    notifyGone(id);
  });
  conn.on(CLIENT_METHODS.sessionCounters, applyCounters);
  conn.on(CLIENT_METHODS.sessionDetail, (snapshot) => {
    if (!snapshot?.id) return;
    if (upsert(snapshot)) emit('list');
    else emit('update', [snapshot.id]);
    for (const handler of subscriptions.get(snapshot.id) ?? []) handler.onDetail?.(snapshot);
  });
  conn.on(CLIENT_METHODS.sessionLog, (id, line) => {
    for (const handler of subscriptions.get(id) ?? []) handler.onLog?.(line);
  });
  // An agent's status (state, last error, last notification, current session): the agents page patches its row.
  conn.on(CLIENT_METHODS.agentChanged, (agentStatus) => {
    if (agentStatus?.name) emit('agent', agentStatus);
  });
  conn.onreconnecting(() => {
    if (connection !== conn) return;
    setStatus('reconnecting');
    setReachable(false);
  });
  conn.onreconnected(async () => {
    if (connection !== conn) return;
    setStatus('live');
    setReachable(true);
    await resync(conn);
  });
  conn.onclose(() => {
    if (connection === conn) {
      connection = null;
      hubDown(myGeneration, 'the connection closed');
    }
  });

  try {
    await conn.start();
  } catch (error) {
    hubDown(myGeneration, error?.message ?? String(error));
    return;
  }

  if (!running || myGeneration !== generation) {
    conn.stop();
    return;
  }

  connection = conn;
  retryIndex = 0;
  stopPolling();
  setStatus('live');
  setReachable(true);
  await resync(conn);
}

/** After (re)connecting: every session again, and every subscription again. */
async function resync(conn) {
  try {
    replaceAll(await conn.invoke(HUB_METHODS.GetSessions));
  } catch (error) {
    console.warn('GetSessions failed', error);
  }
  for (const id of subscriptions.keys()) hubSubscribe(conn, id);
}

async function hubSubscribe(conn, id) {
  try {
    const detail = await conn.invoke(HUB_METHODS.Subscribe, id);
    for (const handler of subscriptions.get(id) ?? []) {
      if (detail?.session) handler.onDetail?.(detail.session);
      handler.onLogs?.(detail?.logs ?? []);
    }
    if (detail?.session && upsert(detail.session)) emit('list');
  } catch (error) {
    // The hub answers a HubException for an unknown session.
    if (/no session/i.test(error?.message ?? '')) notifyGone(id);
    else console.warn('Subscribe failed', error);
  }
}

function hubDown(myGeneration, reason) {
  if (!running || myGeneration !== generation) return;
  console.info(`Live updates unavailable (${reason}); polling the REST API until the hub answers.`);
  // Unknown until a poll answers: the states shown may be stale.
  if (status !== 'polling') setReachable(false);
  setStatus('polling');
  startPolling();
  clearTimeout(retryTimer);
  const delay = RETRY_DELAYS_MS[Math.min(retryIndex++, RETRY_DELAYS_MS.length - 1)];
  retryTimer = setTimeout(() => connectHub(myGeneration), delay);
}

// ---- REST polling (fallback) ----

function startPolling() {
  if (pollTimer) return;
  const tick = async () => {
    if (!running || connection) { pollTimer = 0; return; }
    await pollOnce();
    if (running && !connection) pollTimer = setTimeout(tick, POLL_MS);
    else pollTimer = 0;
  };
  pollTimer = setTimeout(tick, 0);
}

function stopPolling() {
  clearTimeout(pollTimer);
  pollTimer = 0;
}

let pollSampling = false;

async function pollOnce() {
  try {
    replaceAll(await api.get('/api/tunnels'));
    setReachable(true);
    pollSampling = true;
    sample();
    pollSampling = false;
  } catch (error) {
    if (error?.status !== 401) console.warn('Polling sessions failed', error);
    if (error?.status === 0 || error?.status >= 502) setReachable(false);
    return;
  }
  for (const id of subscriptions.keys()) await pollDetail(id);
}

async function pollDetail(id) {
  try {
    const [snapshot, logs] = await Promise.all([api.get(`/api/tunnels/${enc(id)}`), api.get(`/api/tunnels/${enc(id)}/logs`)]);
    if (upsert(snapshot)) emit('list');
    for (const handler of subscriptions.get(id) ?? []) {
      handler.onDetail?.(snapshot);
      handler.onLogs?.(logs ?? []);
    }
  } catch (error) {
    if (error?.status === 404) notifyGone(id);
  }
}

function notifyGone(id) {
  for (const handler of subscriptions.get(id) ?? []) handler.onGone?.();
}

// ---- public ----

/** Starts live updates (after login): a first REST load for a quick paint, then the hub. */
export function start() {
  if (running) return;
  running = true;
  const myGeneration = ++generation;
  retryIndex = 0;
  reachable = true;
  setStatus('connecting');
  api.get('/api/tunnels').then((list) => { if (running && myGeneration === generation && !connection) replaceAll(list); }).catch(() => {});
  sampleTimer = setInterval(sample, 1000);
  connectHub(myGeneration);
}

/** Stops everything and forgets the data (logout). */
export function stop() {
  running = false;
  generation++;
  clearTimeout(retryTimer);
  clearInterval(sampleTimer);
  stopPolling();
  const conn = connection;
  connection = null;
  conn?.stop();
  sessions.clear();
  series.clear();
  setStatus('stopped');
  emit('list');
}

/**
 * Details of one session: handlers.onDetail(snapshot) (≤ 4/s), onLogs(lines) (the recent lines, on
 * subscribe and after a reconnect), onLog(line) (each new line), onGone() (removed/unknown).
 * Returns the unsubscribe function.
 */
export function subscribe(id, handlers) {
  let set = subscriptions.get(id);
  const first = !set;
  if (first) {
    set = new Set();
    subscriptions.set(id, set);
  }
  set.add(handlers);
  if (connection && connection.state === 'Connected') {
    if (first) hubSubscribe(connection, id);
    else {
      const snapshot = sessions.get(id);
      if (snapshot) handlers.onDetail?.(snapshot);
      hubSubscribe(connection, id);
    }
  } else {
    pollDetail(id);
  }

  return () => {
    const current = subscriptions.get(id);
    if (!current) return;
    current.delete(handlers);
    if (current.size === 0) {
      subscriptions.delete(id);
      if (connection && connection.state === 'Connected') connection.invoke(HUB_METHODS.Unsubscribe, id).catch(() => {});
    }
  };
}

/** Drops sessions the REST API removed (DELETE /api/tunnels/ended) at once; the hub says so too. */
export function forget(ids) {
  let removed = false;
  for (const id of ids ?? []) {
    if (remove(id)) removed = true;
    notifyGone(id);
  }
  if (removed) emit('list');
}

/** Takes a snapshot the REST API answered (start, stop) into the store at once. */
export function remember(snapshot) {
  if (!snapshot?.id) return;
  // An ended session already removed stays removed; a new session under the same id is taken.
  if (gone.has(snapshot.id) && isFinal(snapshot.state)) return;
  gone.delete(snapshot.id);
  if (upsert(snapshot)) emit('list');
  else emit('update', [snapshot.id]);
}
