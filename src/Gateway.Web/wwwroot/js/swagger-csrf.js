// Loaded into Swagger UI (/swagger) by the gateway, so that "Try it out" works with the dashboard's
// login cookie: a change (POST/PUT/PATCH/DELETE) made with the cookie needs the X-CSRF-TOKEN header.
// Swagger UI sends its requests with window.fetch; this wraps it to add the header to same-origin
// changes, with the token GET /api/auth/me gives. A call authorised with an API key (Authorize
// button) needs no token and is left alone. The token stays in this closure only.
(() => {
  'use strict';
  const HEADER = 'X-CSRF-TOKEN';
  const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
  const originalFetch = window.fetch.bind(window);
  let token = null;

  async function loadToken() {
    token = null;
    try {
      const response = await originalFetch('/api/auth/me', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      if (response.ok) token = (await response.json()).csrfToken ?? null;
    } catch {
      token = null;
    }
    return token;
  }

  function needsToken(request) {
    if (!unsafe.has(request.method.toUpperCase())) return false;
    if (new URL(request.url, location.href).origin !== location.origin) return false;
    return !request.headers.has('X-Api-Key') && !request.headers.has(HEADER);
  }

  window.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!needsToken(request)) return originalFetch(request);
    const retry = request.clone();
    if (!token) await loadToken();
    if (token) request.headers.set(HEADER, token);
    const response = await originalFetch(request);
    // A token from before a new login (the login endpoint tried out here, say): fetch it again once.
    if (response.status === 400 && token !== null && (await loadTokenIfStale(response))) {
      retry.headers.set(HEADER, token);
      return originalFetch(retry);
    }
    return response;
  };

  async function loadTokenIfStale(response) {
    let problem = null;
    try { problem = await response.clone().json(); } catch { return false; }
    if (!/anti-forgery/i.test(problem?.title ?? '')) return false;
    return (await loadToken()) !== null;
  }
})();
