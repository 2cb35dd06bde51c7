/** The half-open time range [from, to) an alert looks at in one run, in epoch milliseconds. */
export interface Window {
  from: number;
  to: number;
}

/** The window isoWindow formatted last: a run's alerts mostly share their window. */
let last: { from: number; to: number; iso: { from: string; to: string } } = { from: NaN, to: NaN, iso: { from: '', to: '' } };

/** Formats a window as ISO strings. */
export function isoWindow(window: Window): { from: string; to: string } {
  if (window.from !== last.from || window.to !== last.to) last = { from: window.from, to: window.to, iso: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() } };
  return { ...last.iso };
}
