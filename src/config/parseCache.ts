import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepAgedTemporaries } from '../util/durableFile.js';

/** Bumped when the shape of cached values changes (e.g. another YAML parser). */
const CACHE_FORMAT = 3;

/** A file's signature (mtime, ctime, size), or nothing for a file that does not exist. */
type Signature = [number, number, number] | [];

/** The parsed value of a YAML file (alertcron.yaml, an alert that names a people file), by its signature. */
interface Entry {
  m: number;
  c: number;
  s: number;
  v: unknown;
}

/** A checked, completed alert: valid while its file, the files it read and the configuration it was checked against are unchanged. */
interface AlertEntry {
  m: number;
  c: number;
  s: number;
  /** The other files it read (query, script), with their signatures then. */
  d: [string, ...Signature][];
  /** The completed alert, or null for a disabled one. */
  a: unknown;
}

/** What a cache file holds, as objects by path (for tests and tools; a run reads it line by line). */
export interface ParseCacheContent {
  format: number;
  /** The build of alertcron and the digest of the resolved configuration every alert in it was checked against. */
  basis: string;
  files: Record<string, Entry>;
  alerts: Record<string, AlertEntry>;
}

/** How every cache file of this format begins: a file that does not (an older format, one JSON object) is refused at its first read. */
const HEAD_START = Buffer.from(`{"format":${CACHE_FORMAT},"basis":`);

/**
 * About how many bytes of a cache file one alert takes: 8.9-9.1 MB for the bench's 10,000 completed alerts (a
 * parsed alert file, before its first check, takes about 1 KB). Larger alerts count as more alerts.
 */
export const CACHE_BYTES_PER_ALERT = 900;

/** Bytes read from the cache file at a time: a run never holds the whole file as one string (10 MB at 10,000 alerts). */
const READ_CHUNK = 1 << 20;

/**
 * Bytes of whole lines decoded into one string, above the size of most lines (about 900 bytes). Such a string has at
 * most as many UTF-16 units as bytes, two bytes each once one character is above U+00FF: 64 KB and a header, always
 * below V8's large-object size (131,072 bytes; a larger string gets pages of its own in a large-object space, and one
 * of 1 MB per read brought the next full garbage collection nearer). 64 KB blocks were not: 65,534 bytes of ASCII and
 * one '✓' decode to a string of 131,080 bytes (65,532 units), a large object on node 20.20.
 * A single line longer than this is decoded alone, as large as it is.
 */
export const DECODE_BYTES = 32 * 1024;

/**
 * Reads a cache file: JSON lines, the first `{"format":3,"basis":...}`, then one line per file, `["f",path,m,c,s,value]`
 * (a parsed YAML value) or `["a",path,m,c,s,alert,deps?]` (a completed alert). Each line is parsed on its own, so the
 * text read is garbage as soon as its line is parsed. Throws on a file that is not one.
 * Whole lines are decoded DECODE_BYTES at a time, and each line is a slice of that string: a newline byte is never part
 * of a multi-byte character, and one decoding per 32 KB instead of one per line cuts the CPU of reading the bench's
 * 10,000 alerts (8.9 MB).
 */
function readCacheFile(file: string, onLine: (line: unknown) => void): void {
  const fd = openSync(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(READ_CHUNK);
    let held = 0;
    let first = true;
    for (;;) {
      if (held === buffer.length) {
        // One line longer than the buffer (a large compiled rule): room for it.
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, held);
        buffer = larger;
      }
      const read = readSync(fd, buffer, held, buffer.length - held, null);
      const end = held + read;
      if (first) {
        // Not read whole into a growing buffer before it is refused (a format-2 cache is one line of megabytes).
        if (end < HEAD_START.length || !buffer.subarray(0, HEAD_START.length).equals(HEAD_START)) throw new Error('another format');
        first = false;
      }
      // The end of the last whole line read (0: none); lastIndexOf is given no offset below 0 (that counts from the end).
      const whole = end > 0 ? buffer.lastIndexOf(10, end - 1) + 1 : 0;
      for (let start = 0; start < whole; ) {
        // Whole lines of about DECODE_BYTES (or one longer line) at a time.
        let stop = start + DECODE_BYTES >= whole ? whole : buffer.lastIndexOf(10, start + DECODE_BYTES - 1) + 1;
        if (stop <= start) stop = buffer.indexOf(10, start + DECODE_BYTES) + 1;
        const text = buffer.toString('utf8', start, stop);
        for (let at = 0, nl = text.indexOf('\n'); nl >= 0; at = nl + 1, nl = text.indexOf('\n', at)) onLine(JSON.parse(text.slice(at, nl)));
        start = stop;
      }
      if (read === 0) {
        if (whole < end) throw new Error('the cache file ends inside a line');
        return;
      }
      buffer.copy(buffer, 0, whole, end);
      held = end - whole;
    }
  } finally {
    closeSync(fd);
  }
}

/** Parses the text of a cache file into objects by path (for tests and tools). */
export function parseCacheContent(text: string): ParseCacheContent {
  const [head, ...lines] = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown[]);
  const content: ParseCacheContent = { ...(head as unknown as { format: number; basis: string }), files: {}, alerts: {} };
  for (const line of lines) {
    const [kind, path, m, c, s, value, deps] = line as [string, string, number, number, number, unknown, AlertEntry['d'] | undefined];
    if (kind === 'f') content.files[path] = { m, c, s, v: value };
    else content.alerts[path] = { m, c, s, d: deps ?? [], a: value };
  }
  return content;
}

/** The text of a cache file holding `content` (for tests and tools). */
export function cacheContentText(content: ParseCacheContent): string {
  return [headLine(content.basis), ...Object.entries(content.files).map(([path, e]) => fileLine(path, e)), ...Object.entries(content.alerts).map(([path, e]) => alertLine(path, e))].join('');
}

function headLine(basis: string): string {
  return `${JSON.stringify({ format: CACHE_FORMAT, basis })}\n`;
}

function fileLine(path: string, e: Entry): string {
  return `${JSON.stringify(['f', path, e.m, e.c, e.s, e.v])}\n`;
}

function alertLine(path: string, e: AlertEntry): string {
  return `${JSON.stringify(e.d.length ? ['a', path, e.m, e.c, e.s, e.a, e.d] : ['a', path, e.m, e.c, e.s, e.a])}\n`;
}

/**
 * Remembers the parsed value of each YAML file, keyed by its mtime, ctime and size, so that a run over
 * unchanged files neither imports the YAML parser nor parses (about 40 ms, plus 0.35 ms per alert); and each
 * alert as checked and completed, so that a run over unchanged alerts does not check them again either. Such an
 * alert's parsed value is not kept (a run that serves every alert so finds nothing to add or forget, and leaves the
 * cache file as it is): when alertcron.yaml as resolved changes, every alert file is read and parsed again once.
 * It lives in the user's own cache folder, one JSON line per file (read a line at a time); ALERTCRON_CACHE=off disables it.
 */
export class ParseCache {
  private readonly used = new Map<string, Entry>();
  private readonly usedAlerts = new Map<string, AlertEntry>();
  private changed = false;
  /** The signatures of the files completed alerts read, stat()ed once a run (many alerts may share one query file). */
  private readonly signatures = new Map<string, Signature>();

  /** What every checked alert depends on: this build of alertcron and the resolved configuration (none until it is known). */
  private basis = '';

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Map<string, Entry>,
    private readonly alerts: Map<string, AlertEntry> = new Map(),
    /** This build of alertcron (empty: no completed alert is kept). */
    private readonly build = '',
    /** The basis the file's completed alerts were checked against. */
    private readonly fileBasis = '',
  ) {}

  /**
   * Names the configuration the alerts are checked against: a digest of alertcron.yaml as resolved now (its
   * `${ENV}` values and defaults included, its secrets left out), so a changed variable makes every alert checked again.
   */
  useConfig(digest: string): void {
    this.basis = this.build ? JSON.stringify([this.build, digest]) : '';
  }

  /**
   * Opens the cache that belongs to one configuration file; a missing or unreadable cache is simply empty.
   * `beforeRead` is told, before the file is read, about how many alerts it holds (its size / CACHE_BYTES_PER_ALERT).
   */
  static open(configFile: string, env: NodeJS.ProcessEnv = process.env, beforeRead?: (alerts: number) => void): ParseCache {
    if (env.ALERTCRON_CACHE === 'off') return new ParseCache(undefined, new Map());
    const base = env.XDG_CACHE_HOME || homeCache(env.HOME);
    if (!base) return new ParseCache(undefined, new Map());
    let key: string;
    try {
      key = createHash('sha256').update(realpathSync(configFile)).digest('hex').slice(0, 24);
    } catch {
      return new ParseCache(undefined, new Map());
    }
    const file = join(base, 'alertcron', `${key}.json`);
    const build = String(statOrUndefined(fileURLToPath(import.meta.url))?.mtimeMs ?? 'unknown');
    const entries = new Map<string, Entry>();
    const alerts = new Map<string, AlertEntry>();
    let basis: string | undefined;
    const size = statOrUndefined(file)?.size;
    if (size !== undefined) beforeRead?.(Math.ceil(size / CACHE_BYTES_PER_ALERT));
    try {
      readCacheFile(file, (line) => {
        if (basis === undefined) {
          const head = line as { format?: unknown; basis?: unknown } | null;
          if (head?.format !== CACHE_FORMAT || typeof head.basis !== 'string') throw new Error('another format');
          basis = head.basis;
          return;
        }
        const [kind, path, m, c, s, value, deps] = line as [string, string, number, number, number, unknown, AlertEntry['d'] | undefined];
        // A line of another shape (a damaged or hand-edited file) makes the whole cache unused, as a file that is not JSON.
        if (typeof path !== 'string' || typeof m !== 'number' || typeof c !== 'number' || typeof s !== 'number') throw new Error('a damaged line');
        if (kind === 'f') entries.set(path, { m, c, s, v: value });
        else if (kind === 'a' && typeof value === 'object' && (deps === undefined || isDependencyList(deps))) alerts.set(path, { m, c, s, d: deps ?? [], a: value });
        else throw new Error('a damaged line');
      });
    } catch {
      return new ParseCache(file, new Map(), new Map(), build);
    }
    return new ParseCache(file, entries, alerts, build, basis ?? '');
  }

  /** Whether anything is cached for this file (if not, nothing needs its signature before it is read). */
  knows(path: string): boolean {
    return this.alerts.has(path) || this.entries.has(path);
  }

  /** The cached value of a file whose mtime, ctime and size are unchanged, or undefined. */
  get(path: string, stat: Stats): unknown {
    const entry = this.entries.get(path);
    if (!entry || entry.m !== stat.mtimeMs || entry.c !== stat.ctimeMs || entry.s !== stat.size) return undefined;
    this.used.set(path, entry);
    return entry.v;
  }

  /** Stores the parsed value of a file that parsed without errors. */
  set(path: string, stat: Stats, value: unknown): void {
    this.used.set(path, { m: stat.mtimeMs, c: stat.ctimeMs, s: stat.size, v: value });
    this.changed = true;
  }

  /**
   * The completed alert of an alert file checked before by the same build against the same resolved configuration,
   * when neither the alert file nor the files it read changed since: `{ alert }` (null: disabled), else undefined.
   */
  getAlert(path: string, stat: Stats): { alert: unknown } | undefined {
    if (!this.basis || this.fileBasis !== this.basis) return undefined;
    const entry = this.alerts.get(path);
    if (!entry || entry.m !== stat.mtimeMs || entry.c !== stat.ctimeMs || entry.s !== stat.size) return undefined;
    for (const dep of entry.d) if (!sameSignature(this.signatureOf(dep[0]), dep)) return undefined;
    this.usedAlerts.set(path, entry);
    return { alert: entry.a };
  }

  /** A dependency's signature, stat()ed at its first use in this run. */
  private signatureOf(dep: string): Signature {
    let known = this.signatures.get(dep);
    if (known === undefined) this.signatures.set(dep, (known = signature(dep)));
    return known;
  }

  /**
   * Stores a checked, completed alert (null: disabled) with the other files it read, in place of the file's parsed
   * value: a run served from the completed alert never reads that value, and would rewrite the cache without it.
   * `read`: the stats of those files as the check read them (others are stat()ed now).
   */
  setAlert(path: string, stat: Stats, inputs: readonly string[], alert: unknown, read?: ReadonlyMap<string, Stats>): void {
    if (!this.basis) return;
    this.used.delete(path);
    // A file the check read is kept with its signature as read (no second stat(), and no newer signature for older content).
    const depSignature = (dep: string): Signature => {
      const known = read?.get(dep);
      return known ? [known.mtimeMs, known.ctimeMs, known.size] : signature(dep);
    };
    this.usedAlerts.set(path, { m: stat.mtimeMs, c: stat.ctimeMs, s: stat.size, d: inputs.map((dep) => [dep, ...depSignature(dep)]), a: alert });
    this.changed = true;
  }

  /** Writes the cache (atomically, best effort) if anything was added or a file was forgotten. */
  save(): void {
    if (!this.file) return;
    if (!this.changed && this.used.size === this.entries.size && this.usedAlerts.size === this.alerts.size) return;
    // A name of its own, created anew: another process with the same pid (another container sharing the folder) never writes into it.
    const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    let created = false;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
      // Those a run killed while saving left behind (by age only: a pid here may be another container's writer).
      sweepAgedTemporaries(this.file);
      const fd = openSync(temp, 'wx', 0o600);
      created = true;
      try {
        // Written a batch of lines at a time: never the whole cache as one string.
        let batch = headLine(this.usedAlerts.size ? this.basis : '');
        const flush = (force: boolean) => {
          if (batch.length < READ_CHUNK && !force) return;
          writeAll(fd, Buffer.from(batch));
          batch = '';
        };
        for (const [path, e] of this.used) {
          batch += fileLine(path, e);
          flush(false);
        }
        for (const [path, e] of this.usedAlerts) {
          batch += alertLine(path, e);
          flush(false);
        }
        flush(true);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.file);
    } catch {
      // A cache that cannot be written only costs time; a file of that name this run did not create is not removed.
      try {
        if (created) rmSync(temp, { force: true });
      } catch {
        /* nor can its temporary file be removed */
      }
    }
  }
}

/** Writes all of `bytes`: a write may take fewer without an error (a full disk, a quota), and a cut cache is no cache. */
function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) {
    const written = writeSync(fd, bytes, at, bytes.length - at);
    if (written <= 0) throw new Error('the cache file takes no more bytes');
    at += written;
  }
}

/** Whether a cached alert's dependency list is one: each a path and the signature it had. */
function isDependencyList(deps: unknown): deps is AlertEntry['d'] {
  return Array.isArray(deps) && deps.every((dep) => Array.isArray(dep) && typeof dep[0] === 'string' && dep.slice(1).every((n) => typeof n === 'number'));
}

/**
 * Whether a dependency's signature now is the one kept with it (`[path, ...signature]`): compared number by number, not
 * as text (turning three doubles into a string per alert and dependency cost more than the stat they came from).
 */
function sameSignature(now: Signature, kept: AlertEntry['d'][number]): boolean {
  if (kept.length !== now.length + 1) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== kept[i + 1]) return false;
  return true;
}

/** A file's signature now (mtime, ctime, size), or nothing for a file that does not exist. */
function signature(path: string): Signature {
  const stat = statOrUndefined(path);
  return stat ? [stat.mtimeMs, stat.ctimeMs, stat.size] : [];
}

/** Stats a file, or returns undefined when it cannot be read. */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    // A missing file is common (a dependency removed): no exception for it.
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** ~/.cache of HOME, else of the passwd entry's home; undefined when there is none (a uid without one: no cache). */
function homeCache(home: string | undefined): string | undefined {
  try {
    home ||= homedir();
  } catch {
    return undefined;
  }
  return home ? join(home, '.cache') : undefined;
}
