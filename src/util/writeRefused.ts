import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { ExitCode, UserError } from './errors.js';

/** What each refusal of the file system means, in words. */
const REASONS: Record<string, string> = {
  EROFS: 'the file system is mounted read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (permissions, or an immutable file)',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
};

/** The files alertcron writes (each one's lock, temporaries, journal ... start with its path), as declared. */
const written = new Set<string>();

/**
 * Declares the files this process writes (the state file, the audit log, the local file, alertcron.yaml, a prefix
 * such as the migration backups'): writeRefused maps only the refusals of these, their companions and folders.
 */
export function declareWrittenFiles(files: readonly string[]): void {
  for (const file of files) written.add(resolve(file));
}

/** Whether a path is one of the declared files, a file named after one, or a folder one is created in. */
function isWritten(path: string): boolean {
  const full = resolve(path);
  for (const file of written) {
    if (full.startsWith(file)) return true;
    const folder = dirname(file);
    if (folder === full || folder.startsWith(full.endsWith(sep) ? full : `${full}${sep}`)) return true;
  }
  return false;
}

/**
 * The clear error for a file alertcron must write (its state, lock, journal, audit log, local file, a backup,
 * alertcron.yaml on a migration) that the file system refuses: names the path, why, and the fix, with its own exit
 * code. Undefined for any other error, and for a path not declared with declareWrittenFiles.
 */
export function writeRefused(error: unknown): UserError | undefined {
  let e = error as { code?: unknown; path?: unknown; dest?: unknown; syscall?: unknown } | undefined;
  // A folder made with `recursive` under a read-only or forbidden one fails with ENOENT: the folder above says why.
  if (e?.code === 'ENOENT' && e.syscall === 'mkdir' && typeof e.path === 'string') e = refusalAbove(e.path) ?? e;
  const reason = typeof e?.code === 'string' ? REASONS[e.code] : undefined;
  if (!reason || typeof e?.path !== 'string') return undefined;
  const path = typeof e.dest === 'string' && e.code !== 'ENOTDIR' ? e.dest : e.path;
  // A file alertcron only reads (a CA file, a list) is not the state's: its refusal is not this one's to explain.
  if (!isWritten(path)) return undefined;
  const space = e.code === 'ENOSPC' || e.code === 'EDQUOT';
  const fix = space
    ? `free some space on the device of ${dirname(path)}`
    : `make ${dirname(path)} writable by the user that runs alertcron (mounted read-write, with write permission), or point state.file, state.audit_log and state.local_file in alertcron.yaml at a folder that is`;
  // An open may have been for reading: said as such, with the same fix.
  const verb = e.syscall === 'open' || e.syscall === 'read' || e.syscall === 'scandir' ? 'cannot open' : 'cannot write';
  return new UserError(`${verb} ${path}: ${reason} (${e.code}); nothing further was done. Fix: ${fix}`, ExitCode.cannotWrite);
}

/** Why the nearest existing folder above `path` cannot be written in, if it cannot (as an error of the path). */
function refusalAbove(path: string): { code: string; path: string; syscall: string } | undefined {
  let folder = dirname(path);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { code, path, syscall: 'mkdir' } : undefined;
  }
}
