import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Problem } from './problems.js';

/** How many folders deep below the alerts folder alert files are read. */
export const MAX_ALERT_DEPTH = 8;
/** How many subfolders of the alerts folder are read at most. */
export const MAX_ALERT_FOLDERS = 1000;

/** One alert file: its path, and its path relative to the alerts folder (`team/x.yaml`). */
export interface AlertFile {
  path: string;
  relative: string;
}

/**
 * Every `.yaml`/`.yml` file in the alerts folder and its subfolders (a link to a folder is followed once), the
 * shallower first, then by relative path. Hidden folders and folders named `state` are skipped, with a warning for
 * each that holds YAML files (`.git` aside); a folder deeper than MAX_ALERT_DEPTH, one beyond MAX_ALERT_FOLDERS, or
 * one that cannot be read is a problem naming it, never skipped silently.
 * Throws when the alerts folder itself cannot be read.
 */
export function alertFiles(dir: string, display: (path: string) => string): { files: AlertFile[]; problems: Problem[]; warnings: Problem[] } {
  const files: (AlertFile & { depth: number })[] = [];
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const visited = new Set<string>([realOf(dir)]);
  let folders = 0;
  const walk = (folder: string, prefix: string, depth: number) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = childPath(folder, entry.name);
      const relative = prefix + entry.name;
      if (/\.ya?ml$/.test(entry.name)) {
        // A directory or a device under a .yaml name is reported when it is read.
        files.push({ path, relative, depth });
        continue;
      }
      if (!isFolder(entry, path)) continue;
      if (entry.name.startsWith('.') || entry.name === 'state') {
        if (entry.name !== '.git' && holdsYaml(path, MAX_ALERT_DEPTH - depth)) {
          const why = entry.name === 'state' ? 'a folder named state' : 'a hidden folder';
          warnings.push({ file: display(path), message: `${why} is not read: the YAML files in it are not alerts (move them to a folder of another name if they are)` });
        }
        continue;
      }
      const problem = (message: string) => problems.push({ file: display(path), message });
      const real = realOf(path);
      if (visited.has(real)) continue;
      visited.add(real);
      if (depth >= MAX_ALERT_DEPTH) problem(`more than ${MAX_ALERT_DEPTH} folders below the alerts folder: its alert files are not read (move them up)`);
      else if (++folders > MAX_ALERT_FOLDERS) problem(`more than ${MAX_ALERT_FOLDERS} subfolders in the alerts folder: its alert files are not read (keep fewer folders)`);
      else {
        try {
          walk(path, `${relative}/`, depth + 1);
        } catch (error) {
          problem(`cannot read this folder of alerts (${(error as NodeJS.ErrnoException).code ?? 'error'}): its alert files are not read`);
        }
      }
    }
  };
  walk(dir, '', 0);
  // The alerts folder's own files first: of two files with one name, the shallower one is the alert.
  files.sort((a, b) => a.depth - b.depth || (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  return { files: files.map(({ path, relative }) => ({ path, relative })), problems, warnings };
}

/**
 * join(folder, name) for a name read from the folder (no separator in it): a folder from the configuration is
 * resolved, so joining is concatenation (path.join normalises every path anew: a thousandth of a second per 200 files).
 */
export function childPath(folder: string, name: string): string {
  if (sep !== '/' || folder.startsWith('.') || folder.includes('/.') || folder.includes('//')) return join(folder, name);
  return folder.endsWith('/') ? folder + name : folder + '/' + name;
}

/**
 * The alert name of a file found by alertFiles (`team/x.yaml` -> `x`): its name without the extension, as
 * path.basename(f, path.extname(f)) gives it (a name that only starts with a dot keeps it), a few times quicker.
 */
export function alertNameOf(relative: string): string {
  const name = relative.slice(relative.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Whether a folder or one of its subfolders (at most `depth` deep, a few thousand entries looked at) holds a YAML file. */
function holdsYaml(folder: string, depth: number): boolean {
  let budget = 5000;
  const look = (at: string, left: number): boolean => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const entry of entries) {
      if (--budget < 0) return false;
      if (/\.ya?ml$/.test(entry.name)) return true;
      if (left > 0 && entry.isDirectory() && look(join(at, entry.name), left - 1)) return true;
    }
    return false;
  };
  return look(folder, Math.max(0, depth));
}

/** Whether a folder entry is a folder, or a symbolic link to one. */
function isFolder(entry: { isDirectory(): boolean; isSymbolicLink(): boolean }, path: string): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The real path of a folder (links resolved), or the path itself when it cannot be resolved. */
function realOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
