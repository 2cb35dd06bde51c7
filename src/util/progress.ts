// A progress line for long commands on a terminal (a backtest, an import of a large folder, state migrate,
// validate --cluster). It is drawn on stderr only when stderr is a terminal and the command does not print --json:
// cron's mail, a pipe, a file and a tool reading JSON never see it.
import { formatDuration } from './duration.js';
import { cutText, oneLine } from './text.js';

/** How a long loop shows how far it is. */
export interface Progress {
  /** Starts a phase: what is being done, and how many items it has when that is known (the count starts at 0). */
  phase(what: string, total?: number, unit?: string): void;
  /** Sets how many items of the phase are done (and its total, when known): a counter, redrawn at most 10 times a second. */
  update(done: number, total?: number): void;
  /** Erases the line and stops drawing; the output after it is left as it is. */
  end(): void;
}

/** The stream a progress line is drawn on (process.stderr, or a test's recorder). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** Where and how a progress line is drawn; all optional, for the tests. */
export interface ProgressOptions {
  /** The command prints JSON: no progress at all. */
  json?: boolean;
  stream?: ProgressStream;
  env?: NodeJS.ProcessEnv;
  /** The clock, epoch ms. */
  now?: () => number;
  /** Erase the line before anything else is written to process.stdout or process.stderr (default: when drawing on process.stderr). */
  guardOutput?: boolean;
}

/** Least time between two redraws of the line on a terminal, ms (10 a second). */
export const REDRAW_MS = 100;
/** Least time between two plain lines on a dumb terminal (TERM=dumb), which cannot redraw a line, ms. */
export const DUMB_LINE_MS = 5000;
/** Erases the current line: back to its start, clear to its end. */
const ERASE = '\r\u001b[K';

/** A progress that draws nothing: not a terminal, or --json. */
const SILENT: Progress = { phase() {}, update() {}, end() {} };

/**
 * The progress line of a command: on a terminal (stderr a TTY, no --json) a line redrawn in place with \r showing
 * the phase, done/total, the rate and the time left, erased before any other output and at the end; on a dumb
 * terminal (TERM=dumb) a plain line at most every 5 seconds; elsewhere nothing at all.
 */
export function startProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.json || !stream.isTTY) return SILENT;
  const env = options.env ?? process.env;
  return new TerminalProgress(stream, options.now ?? Date.now, env.TERM === 'dumb', options.guardOutput ?? stream === process.stderr);
}

/** The line drawn on a terminal. */
class TerminalProgress implements Progress {
  private what = '';
  private unit = '';
  private total: number | undefined;
  private done = 0;
  private started = 0;
  private nextDraw = 0;
  private drawn = false;
  private ended = false;
  private readonly restore: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private stream: ProgressStream,
    private readonly now: () => number,
    private readonly dumb: boolean,
    guardOutput: boolean,
  ) {
    if (guardOutput) for (const out of [process.stdout, process.stderr]) this.guard(out);
    // A phase waiting on one long request gets no update: its elapsed time is redrawn every second.
    if (!dumb && guardOutput) {
      this.timer = setInterval(() => this.draw(), 1000);
      this.timer.unref();
    }
  }

  phase(what: string, total?: number, unit = ''): void {
    if (this.ended) return;
    this.what = oneLine(what);
    this.unit = unit;
    this.total = total;
    this.done = 0;
    this.started = this.now();
    this.draw();
  }

  update(done: number, total?: number): void {
    this.done = done;
    // A total that becomes known (or changes) is news: drawn at once.
    const news = total !== undefined && total !== this.total;
    if (news) this.total = total;
    if (this.ended || (!news && this.now() < this.nextDraw)) return;
    this.draw();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.erase();
    for (const undo of this.restore) undo();
  }

  /** Draws the line now (a dumb terminal: prints it as a line of its own). */
  private draw(): void {
    if (this.ended || !this.what) return;
    const now = this.now();
    this.nextDraw = now + (this.dumb ? DUMB_LINE_MS : REDRAW_MS);
    const elapsed = now - this.started;
    if (this.dumb) {
      this.stream.write(`${progressText(this.what, this.done, this.total, this.unit, elapsed)}\n`);
      return;
    }
    // One column short of the width: a line that wraps can no longer be redrawn in place.
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`${ERASE}${fittedProgressText(this.what, this.done, this.total, this.unit, elapsed, width)}`);
    this.drawn = true;
  }

  /** Erases the line if it is drawn (the next update draws it again). */
  private erase(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.nextDraw = 0;
    this.stream.write(ERASE);
  }

  /** Makes every write to `out` erase the line first, so that no warning lands in the middle of it. */
  private guard(out: NodeJS.WriteStream): void {
    const original = out.write;
    const writeLine = this.stream === out ? original.bind(out) : undefined;
    if (writeLine) this.stream = { isTTY: out.isTTY, get columns() { return out.columns; }, write: (text: string) => writeLine(text) };
    out.write = ((...args: Parameters<typeof original>) => {
      this.erase();
      return original.apply(out, args);
    }) as typeof original;
    this.restore.push(() => {
      out.write = original;
    });
  }
}

/** The text of the line: `what: done/total unit (p%), rate/s, about T left`, or `what: done unit, Ts` without a total. */
export function progressText(what: string, done: number, total: number | undefined, unit: string, elapsedMs: number): string {
  const items = unit ? ` ${unit}` : '';
  const seconds = elapsedMs / 1000;
  const rate = seconds >= 1 && done > 0 ? done / seconds : undefined;
  const shownRate = rate === undefined ? '' : `, ${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}${items || ' items'}/s`;
  if (total === undefined) return `${what}: ${done ? `${done}${items}, ` : ''}${formatDuration(elapsedMs)}${shownRate}`;
  const percent = total > 0 ? Math.floor((Math.min(done, total) / total) * 100) : 100;
  const left = rate !== undefined && done < total ? `, about ${formatDuration(((total - done) / rate) * 1000)} left` : '';
  return `${what}: ${done}/${total}${items} (${percent}%)${shownRate}${left}`;
}

/** Least room the phase's name keeps when the line is cut to fit: enough to recognise it. */
const MIN_NAME = 16;

/**
 * The progress line cut to `width` columns: a long name (a folder's full path) loses its middle first, so the
 * counts, the percentage and the time left stay in view; only when even that does not fit is the line's end cut.
 */
export function fittedProgressText(what: string, done: number, total: number | undefined, unit: string, elapsedMs: number, width: number): string {
  const text = progressText(what, done, total, unit, elapsedMs);
  if (text.length <= width) return text;
  const room = Math.max(MIN_NAME, width - (text.length - what.length));
  return cutText(progressText(cutMiddle(what, room), done, total, unit, elapsedMs), width);
}

/** Text cut to `max` code units by taking out its middle (marked with …), never between the two halves of a character. */
export function cutMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - 1);
  let head = Math.ceil(room / 2);
  let tail = text.length - (room - head);
  if (head > 0 && isHighSurrogate(text.charCodeAt(head - 1))) head--;
  if (tail < text.length && isLowSurrogate(text.charCodeAt(tail))) tail++;
  return `${text.slice(0, head)}…${text.slice(tail)}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
