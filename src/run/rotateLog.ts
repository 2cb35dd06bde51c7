import { renameSync, rmSync, statSync } from 'node:fs';

/**
 * Rotates a log before `incoming` more bytes are appended, if that would take it past `maxBytes`:
 * `log` becomes `log.1`, `log.1` becomes `log.2` ... and `log.<keep>` is overwritten (with keep 0 the log is removed).
 * Callers hold the state lock, so no other run appends or rotates meanwhile.
 */
export function rotateIfFull(file: string, incoming: number, maxBytes: number, keep: number): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  if (size === 0 || size + incoming <= maxBytes) return;
  if (keep === 0) {
    rmSync(file, { force: true });
    return;
  }
  for (let i = keep - 1; i >= 1; i--) {
    try {
      renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    } catch {
      /* no such generation yet */
    }
  }
  renameSync(file, `${file}.1`);
}
