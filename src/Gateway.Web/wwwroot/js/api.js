// fetch wrapper for the gateway's REST API (same origin, login cookie).
// - Changes (POST/PUT/PATCH/DELETE) carry X-CSRF-TOKEN; the token lives only in this module's
//   variable, set from the login answer or GET /api/auth/me, and is dropped at logout.
// - A 401 on any call but the login means the login is gone: listeners send the user to #/login.
// - Errors become ApiError: status, title/detail, and `errors` (field -> messages) of a 400/409
//   ProblemDetails, for the forms to show next to their fields.

let csrfToken = null;
const unauthorizedListeners = new Set();

export class ApiError extends Error {
  constructor(status, problem) {
    const errors = problem && typeof problem.errors === 'object' && problem.errors !== null ? problem.errors : {};
    super(problem?.detail || problem?.title || `The gateway answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.title = problem?.title ?? null;
    this.detail = problem?.detail ?? null;
    this.errors = errors;
    this.problem = problem ?? null;
  }

  /** One readable line: the detail, else the title, else every field message. */
  describe() {
    if (this.detail) return this.detail;
    const fields = Object.entries(this.errors).map(([k, v]) => `${k}: ${[].concat(v).join(' ')}`);
    if (fields.length) return fields.join(' ');
    return this.title || this.message;
  }
}

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** The headers a hub connection's HTTP requests need (negotiate is a POST made with the cookie). */
export function csrfHeaders() {
  return csrfToken ? { 'X-CSRF-TOKEN': csrfToken } : {};
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function request(method, path, body, { allow401 = false, signal } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (unsafe.has(method) && csrfToken) headers['X-CSRF-TOKEN'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, { title: 'The gateway cannot be reached', detail: 'The gateway cannot be reached; is it running?' });
  }

  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }

  if (response.ok) return data;
  if (response.status === 401 && !allow401) {
    for (const listener of unauthorizedListeners) listener();
  }

  if (response.status === 403) {
    throw new ApiError(403, data ?? { title: 'Not allowed', detail: 'Your role does not allow this.' });
  }

  throw new ApiError(response.status, data ?? { title: `The gateway answered ${response.status}.`, detail: text.slice(0, 300) || null });
}

export const api = {
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body, options) => request('POST', path, body ?? {}, options),
  put: (path, body, options) => request('PUT', path, body ?? {}, options),
  del: (path, options) => request('DELETE', path, undefined, options),
};

/** Builds a query string from the given values, leaving out empty ones. */
export function query(values) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;
