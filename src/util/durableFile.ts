import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

let temporaries = 0;

/**
 * Writes a file so that a crash or power loss leaves either the old or the new content, never a mix or nothing:
 * a temporary file beside it, synced, renamed over it, and its folder synced so that the rename itself survives.
 */
export function writeFileDurably(file: string, data: string | Uint8Array, options: { mode?: number } = {}): void {
  const temporary = `${file}.tmp-${process.pid}-${++temporaries}`;
  try {
    const fd = openSync(temporary, 'w', options.mode ?? 0o666);
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(dirname(file));
}

/** Appends to a file (created if absent) and syncs it, and its folder when the file is new. */
export function appendFileDurably(file: string, data: string): void {
  const fd = openSync(file, 'a');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncFolder(dirname(file));
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
