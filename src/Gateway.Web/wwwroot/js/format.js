// Formatting of numbers, sizes, rates and times for display.

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  let n = Number(value);
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit++; }
  return unit === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ${units[unit]}`;
}

export function rate(bytesPerSecond) {
  if (bytesPerSecond === null || bytesPerSecond === undefined) return '–';
  return `${bytes(Math.round(bytesPerSecond))}/s`;
}

export function rtt(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 0.1) return '< 0.1 ms';
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** "5 s", "3 min", "2 h 5 min", "3 d 4 h" since the given time. */
export function age(since, now = Date.now()) {
  if (!since) return '–';
  const seconds = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function time(value) {
  if (!value) return '–';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString();
}

export function clock(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleTimeString();
}

const states = ['Connecting', 'Connected', 'Reconnecting', 'Closed', 'Failed', 'Stopped'];
const modes = ['Source', 'Destination'];

/** Enum values arrive as strings (JsonStringEnumConverter); numbers are mapped too, defensively. */
export function stateName(value) {
  return typeof value === 'number' ? states[value] ?? String(value) : value ?? '';
}

export function modeName(value) {
  return typeof value === 'number' ? modes[value] ?? String(value) : value ?? '';
}

export function isFinal(state) {
  const name = stateName(state);
  return name === 'Closed' || name === 'Failed' || name === 'Stopped';
}

export function shortId(id) {
  return id && id.length > 12 ? `${id.slice(0, 8)}…` : id ?? '';
}
