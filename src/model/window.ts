/** The half-open time range [from, to) an alert looks at in one run, in epoch milliseconds. */
export interface Window {
  from: number;
  to: number;
}

/** Formats a window as ISO strings. */
export function isoWindow(window: Window): { from: string; to: string } {
  return { from: isoTime(window.from), to: isoTime(window.to) };
}

/** The last time isoTime formatted, and its text: a run's alerts mostly share their window's ends. */
let lastTime: number | undefined;
let lastText = '';

/** A time in ms as an ISO 8601 text (remembering the last one formatted). */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastText = new Date(ms).toISOString();
    lastTime = ms;
  }
  return lastText;
}
