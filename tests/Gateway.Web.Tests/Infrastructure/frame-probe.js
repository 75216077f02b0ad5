// Installed by the load test as a Playwright init script, before the dashboard's own scripts: times
// the main-thread work the page does for live updates without depending on the dashboard's code.
//   counters  each WebSocket message carrying a SignalR `sessionCounters` batch: the page's handler,
//             then the style/layout it left dirty (forced here, measured separately)
//   timers    setTimeout/setInterval callbacks (the dashboard's once-a-second sparkline sample is one)
//   rafs      the page's requestAnimationFrame callbacks (a page that patches the DOM once per frame)
//   frames    intervals between animation frames seen by an independent rAF loop (jank shows here)
//   longTasks tasks over 50 ms (PerformanceObserver 'longtask')
// __frameProbe.start() clears and starts recording; __frameProbe.stop() answers a summary.
(() => {
  if (window.__frameProbe) return;
  const now = () => performance.now();
  const layoutMs = () => { const t = now(); document.documentElement.getBoundingClientRect(); return now() - t; };
  const probe = { recording: false, counters: [], timers: [], rafs: [], frames: [], longTasks: [] };
  window.__frameProbe = probe;

  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    configurable: true,
    enumerable: onmessage.enumerable,
    get() { return onmessage.get.call(this); },
    set(handler) {
      if (typeof handler !== 'function') { onmessage.set.call(this, handler); return; }
      onmessage.set.call(this, function (event) {
        const counters = probe.recording && typeof event.data === 'string' && event.data.includes('"target":"sessionCounters"');
        const start = now();
        try {
          return handler.call(this, event);
        } finally {
          if (counters) {
            const handlerMs = now() - start;
            probe.counters.push({ at: start, handlerMs, layoutMs: layoutMs(), rows: (event.data.match(/"id":/g) || []).length, bytes: event.data.length });
          }
        }
      });
    },
  });

  const wrapTimer = (name) => {
    const original = window[name].bind(window);
    window[name] = (callback, delay, ...args) => {
      if (typeof callback !== 'function') return original(callback, delay, ...args);
      return original((...a) => {
        const start = now();
        try {
          callback(...a);
        } finally {
          if (probe.recording) {
            const ms = now() - start;
            probe.timers.push({ at: start, ms, layoutMs: layoutMs(), delay: delay ?? 0 });
          }
        }
      }, delay, ...args);
    };
  };
  wrapTimer('setTimeout');
  wrapTimer('setInterval');

  const raf = window.requestAnimationFrame.bind(window);
  // Callbacks are told apart by their function's name (e.g. the sessions page's `flush` and `render`)
  // or, for an arrow function, the start of its source.
  const tagOf = (callback) => callback.name || String(callback).replace(/\s+/g, ' ').slice(0, 48);
  window.requestAnimationFrame = (callback) => raf((ts) => {
    const start = now();
    try {
      callback(ts);
    } finally {
      if (probe.recording) {
        const ms = now() - start;
        probe.rafs.push({ at: start, frame: ts, ms, layoutMs: layoutMs(), tag: tagOf(callback) });
      }
    }
  });

  try {
    new PerformanceObserver((list) => {
      if (!probe.recording) return;
      for (const entry of list.getEntries()) probe.longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  } catch {
    // No long-task timing in this browser: frames still show jank.
  }

  let last = 0;
  const loop = (ts) => {
    if (!probe.recording) return;
    if (last) probe.frames.push(ts - last);
    last = ts;
    raf(loop);
  };

  const stats = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
    const sum = sorted.reduce((s, v) => s + v, 0);
    return { count: sorted.length, mean: sorted.length ? sum / sorted.length : 0, p50: at(0.5), p95: at(0.95), max: sorted.length ? sorted[sorted.length - 1] : 0 };
  };

  probe.start = () => {
    probe.counters = []; probe.timers = []; probe.rafs = []; probe.frames = []; probe.longTasks = [];
    probe.recording = true;
    last = 0;
    raf(loop);
  };

  probe.stop = () => {
    probe.recording = false;
    // One update round: the counters handler and its layout, plus the page's rAF work in the next
    // frame (a page that defers its DOM patches to requestAnimationFrame does them there).
    const rafByFrame = new Map();
    for (const r of probe.rafs) rafByFrame.set(r.frame, (rafByFrame.get(r.frame) ?? 0) + r.ms + r.layoutMs);
    const frames = [...probe.rafs].sort((a, b) => a.at - b.at);
    // Where the page names its per-frame patch `flush`, a round is the handler plus that callback
    // only; otherwise plus all of the next frame's rAF work (an upper bound).
    const hasFlush = frames.some((r) => r.tag === 'flush');
    const rounds = probe.counters.map((c) => {
      const next = frames.find((r) => r.at > c.at && (!hasFlush || r.tag === 'flush'));
      const after = next && next.at - c.at < 50 ? (hasFlush ? next.ms + next.layoutMs : rafByFrame.get(next.frame)) : 0;
      return c.handlerMs + c.layoutMs + after;
    });
    const byTag = {};
    for (const r of probe.rafs) (byTag[r.tag] ??= []).push(r.ms + r.layoutMs);
    const rafByTagMs = Object.fromEntries(Object.entries(byTag).map(([tag, values]) => [tag, stats(values)]));
    const timers = probe.timers.map((t) => t.ms + t.layoutMs);
    return {
      counterMessages: probe.counters.length,
      rowsPerBatch: stats(probe.counters.map((c) => c.rows)),
      batchBytes: stats(probe.counters.map((c) => c.bytes)),
      handlerMs: stats(probe.counters.map((c) => c.handlerMs)),
      handlerLayoutMs: stats(probe.counters.map((c) => c.layoutMs)),
      roundMs: stats(rounds),
      roundIncludes: hasFlush ? 'handler + layout + the next flush callback (+ its layout)' : 'handler + layout + all rAF work of the next frame',
      rafByTagMs,
      rafPerFrameMs: stats([...rafByFrame.values()]),
      timerMs: stats(timers),
      slowestTimerDelays: probe.timers.filter((t) => t.ms + t.layoutMs > 2).map((t) => t.delay).slice(0, 20),
      frameIntervalMs: stats(probe.frames),
      framesOver20Ms: probe.frames.filter((f) => f > 20).length,
      longTasksMs: stats(probe.longTasks),
      dashboardStats: window.__dashboardStats ?? null,
    };
  };
})();
