import { closeSync, fchmodSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let temporaries = 0;

/** How old another process's temporary file must be before it is taken for one a killed write left behind. */
const STALE_TEMPORARY_MS = 60_000;

/**
 * Writes a file so that a crash or power loss leaves either the old or the new content, never a mix or nothing:
 * a temporary file beside it, synced, renamed over it, and its folder synced so that the rename itself survives.
 * A new file gets `mode` (0o600 unless said: state files hold tokens and people's data); a file replaced keeps its
 * own mode (`exactMode`: a new file gets `mode` whatever the umask). Temporary files of this file that a killed
 * write left behind are removed first.
 */
export function writeFileDurably(file: string, data: string | Uint8Array, options: { mode?: number; exactMode?: boolean } = {}): void {
  replaceFile(file, data, options, true);
}

/**
 * Replaces a file atomically (a temporary file beside it renamed over it: readers see the old or the new content),
 * without syncing either: for what only processes running at the same time rely on, which a crash ends as well.
 */
export function replaceFileAtomically(file: string, data: string | Uint8Array, options: { mode?: number } = {}): void {
  replaceFile(file, data, options, false);
}

function replaceFile(file: string, data: string | Uint8Array, options: { mode?: number; exactMode?: boolean }, sync: boolean): void {
  sweepTemporaries(file);
  const temporary = `${file}.tmp-${process.pid}-${++temporaries}`;
  const kept = modeOf(file);
  try {
    const fd = openSync(temporary, 'w', kept ?? options.mode ?? 0o600);
    try {
      // The umask may have taken bits off the mode the replaced file had.
      if (kept !== undefined) chmodQuietly(fd, kept);
      else if (options.exactMode && options.mode !== undefined) chmodQuietly(fd, options.mode);
      writeFileSync(fd, data);
      if (sync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  if (sync) syncFolder(dirname(file));
}

/** The permission bits of a file, or undefined when it does not exist (or cannot be looked at). */
function modeOf(file: string): number | undefined {
  try {
    return statSync(file).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Sets a file's mode where the file system allows it (Windows and some network file systems do not). */
function chmodQuietly(fd: number, mode: number): void {
  try {
    fchmodSync(fd, mode);
  } catch {
    // The mode the file was opened with stays.
  }
}

/**
 * Removes the temporary files of `file` (`<file>.tmp-<pid>-<n>`) that a write killed between open and rename left
 * behind: those of a process that no longer runs, and any older than a minute (a pid may have been reused).
 */
export function sweepTemporaries(file: string, now = Date.now()): void {
  removeLeftovers(file, '.tmp-', /^(\d+)-\d+$/, (pid, path) => (pid !== process.pid && !processRuns(pid)) || now - statSync(path).mtimeMs > STALE_TEMPORARY_MS);
}

/**
 * Removes the temporary files of `file` named `<file>.<pid>.<hex>.tmp` older than a minute, whatever their pid: for a
 * folder other containers may share, where a pid that does not run here may be another machine's writer.
 */
export function sweepAgedTemporaries(file: string, now = Date.now()): void {
  removeLeftovers(file, '.', /^(\d+)\.[0-9a-f]+\.tmp$/, (_pid, path) => now - statSync(path).mtimeMs > STALE_TEMPORARY_MS);
}

/** Removes the files beside `file` named `<file><sep><rest>` whose rest matches `rest` (its group 1 a pid) and which `stale` names. */
function removeLeftovers(file: string, sep: string, rest: RegExp, stale: (pid: number, path: string) => boolean): void {
  const prefix = `${basename(file)}${sep}`;
  let names: string[];
  try {
    names = readdirSync(dirname(file)).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const match = rest.exec(name.slice(prefix.length));
    if (!match) continue;
    const path = join(dirname(file), name);
    try {
      if (stale(Number(match[1]), path)) rmSync(path, { force: true });
    } catch {
      // Gone already, or not ours to remove: the next write tries again.
    }
  }
}

/** Whether a process with this id runs (EPERM: it does, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/** Appends to a file (created with `mode` if absent, 0o666 less the umask unless said) and syncs it, and its folder when the file is new. */
export function appendFileDurably(file: string, data: string, options: { mode?: number } = {}): void {
  let created = true;
  let fd: number;
  try {
    fd = openSync(file, 'ax', options.mode ?? 0o666);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    created = false;
    fd = openSync(file, 'a');
  }
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created) syncFolder(dirname(file));
}

/** Syncs a folder, so that the names created, renamed or removed in it survive a crash (a no-op where folders cannot be synced). */
export function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Windows and some network file systems cannot open or sync a folder: the rename is as durable as they make it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
