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
   * Takes the next token and records it as the newest, atomically but not synced: a token only has to be newer than
   * those of the processes that may still run, and a crash that loses the write (the machine's) ends those as well;
   * the state's own durable write, in the same folder, syncs the folder after it. A token lost that way starts the
   * count again, which key file names allow for (see FileStateStore).
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
