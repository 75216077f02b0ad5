// Throughput plots with uPlot (canvas; its element styles are set through the CSSOM, which the
// Content-Security-Policy allows). Data: [seconds[], toTunnel bytes/s[], fromTunnel bytes/s[]].

import uPlot from '../lib/uPlot.esm.js';
import { HISTORY_SECONDS } from './hub.js';
import { rate } from './format.js';

function color(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

let palette = null;
function colors() {
  palette ??= {
    to: color('--chart-to', '#2f7fd1'),
    toFill: color('--chart-to-fill', 'rgba(47,127,209,0.18)'),
    from: color('--chart-from', '#d9822b'),
    grid: color('--chart-grid', 'rgba(0,0,0,0.08)'),
    axis: color('--chart-axis', '#5b6675'),
  };
  return palette;
}

// The x window grows with the data from one minute up to HISTORY_SECONDS, so a new session's plot is
// readable at once.
const MIN_WINDOW_SECONDS = 60;
const windowRange = (u, min, max) => {
  const end = Number.isFinite(max) ? max : Date.now() / 1000;
  const first = Number.isFinite(min) ? min : end;
  return [Math.max(end - HISTORY_SECONDS, Math.min(first, end - MIN_WINDOW_SECONDS)), end];
};

const timeLabels = (u, ticks) => {
  const span = u.scales.x.max - u.scales.x.min;
  const options = span <= 180 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' };
  return ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], options));
};

const rateRange = (u, min, max) => [0, Math.max(1, Number.isFinite(max) ? max * 1.1 : 1)];
// The big chart's y axis spans at least 1 KiB/s, so an idle session gets round tick labels.
const chartRateRange = (u, min, max) => [0, Math.max(1024, Number.isFinite(max) ? max * 1.1 : 1024)];

const empty = () => [[], [], []];

/** A tiny two-line plot (to tunnel filled, from tunnel as a line) for a table row. */
export function sparkline(container, data) {
  const c = colors();
  const plot = new uPlot({
    width: 120,
    height: 28,
    pxAlign: false,
    cursor: { show: false },
    select: { show: false },
    legend: { show: false },
    scales: { x: { time: false, range: windowRange }, y: { range: rateRange } },
    axes: [{ show: false }, { show: false }],
    series: [
      {},
      { stroke: c.to, fill: c.toFill, width: 1, points: { show: false } },
      { stroke: c.from, width: 1, points: { show: false } },
    ],
  }, data ?? empty(), container);
  return {
    update(next) { plot.setData(next ?? empty()); },
    destroy() { plot.destroy(); },
  };
}

/** The session page's throughput chart (the live last minutes), as wide as its container. */
export function throughputChart(container, data) {
  return rateChart(container, data, windowRange, timeLabels);
}

// The server's history spans up to 7 days: dates on the axis once it is longer than a day.
const historyLabels = (u, ticks) => {
  const span = u.scales.x.max - u.scales.x.min;
  if (span <= 86400) return timeLabels(u, ticks);
  return ticks.map((t) => new Date(t * 1000).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }));
};

/**
 * The session page's history chart: the server's samples (GET /api/tunnels/{id}/throughput) over
 * the whole range asked for, [from, to] in Unix seconds, whatever part of it has data.
 */
export function historyChart(container, data, span) {
  // Points (uPlot's default: drawn while they are sparse), so a lone first sample is visible.
  return rateChart(container, data, () => span(), historyLabels, { size: 5 });
}

function rateChart(container, data, xRange, labels, points = { show: false }) {
  const c = colors();
  const width = () => Math.max(280, Math.floor(container.clientWidth || 600));
  const plot = new uPlot({
    width: width(),
    height: 220,
    padding: [12, 36, 0, 0],
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: xRange }, y: { range: chartRateRange } },
    axes: [
      { stroke: c.axis, grid: { stroke: c.grid }, values: labels, space: 70 },
      { stroke: c.axis, grid: { stroke: c.grid }, size: 80, values: (u, ticks) => ticks.map((v) => rate(v)) },
    ],
    series: [
      { label: 'time', value: (u, v) => (v === null || v === undefined ? '–' : new Date(v * 1000).toLocaleTimeString()) },
      { label: 'to tunnel', stroke: c.to, fill: c.toFill, width: 1.5, value: (u, v) => rate(v), points: { ...points } },
      { label: 'from tunnel', stroke: c.from, width: 1.5, value: (u, v) => rate(v), points: { ...points } },
    ],
  }, data ?? empty(), container);

  const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
  observer.observe(container);
  return {
    update(next) { plot.setData(next ?? empty()); },
    destroy() { observer.disconnect(); plot.destroy(); },
  };
}

/** The store's series for a session as uPlot data. */
export function seriesData(s) {
  return s ? [s.t, s.to, s.from] : empty();
}
