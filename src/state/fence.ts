import { readFileSync } from 'node:fs';
import { replaceFileAtomically } from '../util/durableFile.js';

/**
 * The fencing token of a state file, in a small file beside it: each holder of the lock takes the next number,
 * and a holder whose number is no longer the newest (it stalled past the lock's staleness and another run took
 * over) may not write.
 */
export class FenceFile {
  constructor(private readonly file: string) {}

  /**
   * Takes the next token and records it as the newest, replaced atomically but synced neither the file nor its folder:
   * a token is only compared with those of processes alive since it was taken, and a power loss ends them all. A
   * later synced write in the folder (state.json's, which a quiet run does not make) may keep the rename, never the
   * contents; so after a power loss the token may have gone back many steps, the file may be empty (read as 0) or a
   * `.fence.tmp-*` file may be left. All harmless: key file names never reuse a file that is there (FileStateStore),
   * and the next begin() removes the leftover under the lock (each write of the file sweeps its temporaries first).
   */
  next(): number {
    const token = this.read() + 1;
    replaceFileAtomically(this.file, String(token));
    return token;
  }

  /** Throws when a newer holder has taken a token since `token` was taken. */
  check(token: number): void {
    const newest = this.read();
    if (newest > token) throw new Error(`another run took the state over meanwhile (fencing token ${newest} > ${token}); state not written`);
  }

  private read(): number {
    try {
      const value = Number(readFileSync(this.file, 'utf8').trim());
      return Number.isSafeInteger(value) && value > 0 ? value : 0;
    } catch {
      return 0;
    }
  }
}
