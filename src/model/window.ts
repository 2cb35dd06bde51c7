/** The half-open time range [from, to) an alert looks at in one run, in epoch milliseconds. */
export interface Window {
  from: number;
  to: number;
}

/** Formats a window as ISO strings. */
export function isoWindow(window: Window): { from: string; to: string } {
  return { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };
}
