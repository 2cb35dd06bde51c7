import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bumped when the shape of cached values changes (e.g. another YAML parser). */
const CACHE_FORMAT = 2;

interface Entry {
  m: number;
  c: number;
  s: number;
  v: unknown;
}

/** A file's signature (mtime, ctime, size), or nothing for a file that does not exist. */
type Signature = [number, number, number] | [];

/** A checked, completed alert: valid while its file, the files it reads and the configuration it was checked against are unchanged. */
interface AlertEntry {
  m: number;
  c: number;
  s: number;
  /** The build of alertcron and the digest of the resolved configuration it was checked against. */
  f: string;
  /** The other files it read (query, script), with their signatures then. */
  d: [string, ...Signature][];
  /** The completed alert, or null for a disabled one. */
  a: unknown;
}

function signature(path: string): Signature {
  const stat = statOrUndefined(path);
  return stat ? [stat.mtimeMs, stat.ctimeMs, stat.size] : [];
}

/**
 * Remembers the parsed value of each YAML file, keyed by its mtime, ctime and size, so that a run over
 * unchanged files neither imports the YAML parser nor parses (about 40 ms, plus 0.35 ms per alert); and each
 * alert as checked and completed, so that a run over unchanged alerts does not check them again either. Such an
 * alert's parsed value is not kept (a run that serves every alert so finds nothing to add or forget, and leaves the
 * cache file as it is): when alertcron.yaml as resolved changes, every alert file is read and parsed again once.
 * It lives in the user's own cache folder; ALERTCRON_CACHE=off disables it.
 */
export class ParseCache {
  private used: Record<string, Entry> = {};
  private usedAlerts: Record<string, AlertEntry> = {};
  private changed = false;

  /** What every checked alert depends on: this build of alertcron and the resolved configuration (none until it is known). */
  private basis = '';

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Record<string, Entry>,
    private readonly alerts: Record<string, AlertEntry> = {},
    /** This build of alertcron (empty: no completed alert is kept). */
    private readonly build = '',
  ) {}

  /**
   * Names the configuration the alerts are checked against: a digest of alertcron.yaml as resolved now (its
   * `${ENV}` values and defaults included, its secrets left out), so a changed variable makes every alert checked again.
   */
  useConfig(digest: string): void {
    this.basis = this.build ? JSON.stringify([this.build, digest]) : '';
  }

  /** Opens the cache that belongs to one configuration file; a missing or unreadable cache is simply empty. */
  static open(configFile: string, env: NodeJS.ProcessEnv = process.env): ParseCache {
    if (env.ALERTCRON_CACHE === 'off') return new ParseCache(undefined, {});
    const base = env.XDG_CACHE_HOME || (env.HOME || homedir()) && join(env.HOME || homedir(), '.cache');
    if (!base) return new ParseCache(undefined, {});
    let key: string;
    try {
      key = createHash('sha256').update(realpathSync(configFile)).digest('hex').slice(0, 24);
    } catch {
      return new ParseCache(undefined, {});
    }
    const file = join(base, 'alertcron', `${key}.json`);
    const build = String(statOrUndefined(fileURLToPath(import.meta.url))?.mtimeMs ?? 'unknown');
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: number; files?: Record<string, Entry>; alerts?: Record<string, AlertEntry> };
      return data.format === CACHE_FORMAT && data.files ? new ParseCache(file, data.files, data.alerts ?? {}, build) : new ParseCache(file, {}, {}, build);
    } catch {
      return new ParseCache(file, {}, {}, build);
    }
  }

  /** Whether anything is cached for this file (if not, nothing needs its signature before it is read). */
  knows(path: string): boolean {
    return Object.hasOwn(this.alerts, path) || Object.hasOwn(this.entries, path);
  }

  /** The cached value of a file whose mtime, ctime and size are unchanged, or undefined. */
  get(path: string, stat: Stats): unknown {
    const entry = this.entries[path];
    if (!entry || entry.m !== stat.mtimeMs || entry.c !== stat.ctimeMs || entry.s !== stat.size) return undefined;
    this.used[path] = entry;
    return entry.v;
  }

  /** Stores the parsed value of a file that parsed without errors. */
  set(path: string, stat: Stats, value: unknown): void {
    this.used[path] = { m: stat.mtimeMs, c: stat.ctimeMs, s: stat.size, v: value };
    this.changed = true;
  }

  /**
   * The completed alert of an alert file checked before by the same build against the same resolved configuration,
   * when neither the alert file nor the files it read changed since: `{ alert }` (null: disabled), else undefined.
   */
  getAlert(path: string, stat: Stats): { alert: unknown } | undefined {
    const entry = this.alerts[path];
    if (!this.basis || !entry || entry.f !== this.basis || entry.m !== stat.mtimeMs || entry.c !== stat.ctimeMs || entry.s !== stat.size) return undefined;
    for (const [dep, ...was] of entry.d) if (signature(dep).join() !== was.join()) return undefined;
    this.usedAlerts[path] = entry;
    return { alert: entry.a };
  }

  /**
   * Stores a checked, completed alert (null: disabled) with the other files it read, in place of the file's parsed
   * value: a run served from the completed alert never reads that value, and would rewrite the cache without it.
   * `read`: the stats of those files as the check read them (others are stat()ed now).
   */
  setAlert(path: string, stat: Stats, inputs: readonly string[], alert: unknown, read?: ReadonlyMap<string, Stats>): void {
    if (!this.basis) return;
    delete this.used[path];
    // A file the check read is kept with its signature as read (no second stat(), and no newer signature for older content).
    const depSignature = (dep: string): Signature => {
      const known = read?.get(dep);
      return known ? [known.mtimeMs, known.ctimeMs, known.size] : signature(dep);
    };
    this.usedAlerts[path] = { m: stat.mtimeMs, c: stat.ctimeMs, s: stat.size, f: this.basis, d: inputs.map((dep) => [dep, ...depSignature(dep)]), a: alert };
    this.changed = true;
  }

  /** Writes the cache (atomically, best effort) if anything was added or a file was forgotten. */
  save(): void {
    if (!this.file) return;
    if (!this.changed && Object.keys(this.used).length === Object.keys(this.entries).length && Object.keys(this.usedAlerts).length === Object.keys(this.alerts).length) return;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ format: CACHE_FORMAT, files: this.used, alerts: this.usedAlerts }), { mode: 0o600 });
      renameSync(temp, this.file);
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
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
