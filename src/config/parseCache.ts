import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Bumped when the shape of cached values changes (e.g. another YAML parser). */
const CACHE_FORMAT = 1;

interface Entry {
  m: number;
  c: number;
  s: number;
  v: unknown;
}

/**
 * Remembers the parsed value of each YAML file, keyed by its mtime, ctime and size, so that a run over
 * unchanged files neither imports the YAML parser nor parses (about 40 ms, plus 0.35 ms per alert).
 * It lives in the user's own cache folder; ALERTCRON_CACHE=off disables it.
 */
export class ParseCache {
  private used: Record<string, Entry> = {};
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Record<string, Entry>,
  ) {}

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
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: number; files?: Record<string, Entry> };
      return new ParseCache(file, data.format === CACHE_FORMAT && data.files ? data.files : {});
    } catch {
      return new ParseCache(file, {});
    }
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

  /** Writes the cache (atomically, best effort) if anything was added or a file was forgotten. */
  save(): void {
    if (!this.file) return;
    if (!this.changed && Object.keys(this.used).length === Object.keys(this.entries).length) return;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ format: CACHE_FORMAT, files: this.used }), { mode: 0o600 });
      renameSync(temp, this.file);
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
}

/** Stats a file, or returns undefined when it cannot be read. */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
