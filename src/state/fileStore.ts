import { mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { emptyState, type StateData } from '../model/state.js';
import { ExitCode, UserError } from '../util/errors.js';
import { acquireLock } from './fileLock.js';
import { DeliveryJournal } from './journal.js';
import { FenceFile } from './fence.js';
import { migrateState } from './migrate.js';
import { stateShapeProblem } from './checkShape.js';
import type { StateStore, StateTransaction } from './store.js';

/** The state as one JSON file (lowdb, written to a temporary file and renamed) under a cross-process lock. */
export class FileStateStore implements StateStore {
  constructor(
    private readonly file: string,
    private readonly lockWaitMs: number,
  ) {}

  /** Takes the lock, then reads the file (moving an unreadable one aside); the fencing token is persisted in the file. */
  async begin(): Promise<StateTransaction> {
    mkdirSync(dirname(this.file), { recursive: true });
    let compromised: Error | undefined;
    const release = await acquireLock(this.file, this.lockWaitMs, (error) => {
      compromised = error;
    });
    try {
      const { db, warning } = await readState(this.file, true);
      const journal = new DeliveryJournal(`${this.file}.journal`);
      // Deliveries a killed run had journalled are applied first, and written, before anything else happens.
      if (journal.replay(db.data)) await db.write();
      journal.clear();
      const fence = new FenceFile(`${this.file}.fence`);
      const fencingToken = fence.next();
      const file = this.file;
      let saved = JSON.stringify(db.data);
      let writes = 0;
      return {
        data: db.data,
        warning,
        fencingToken,
        async commit() {
          if (compromised) throw new Error(`the lock on ${file} was lost (${compromised.message}); state not written`);
          fence.check(fencingToken);
          const text = JSON.stringify(db.data);
          if (text === saved) return;
          await db.write();
          writes++;
          saved = text;
          journal.clear();
        },
        journal(entry) {
          journal.append(entry);
          writes++;
        },
        stats: () => ({ requests: 0, writes }),
        async release() {
          if (!compromised) await release().catch(() => undefined);
        },
      };
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
  }

  /** Reads the file without the lock; a corrupt file is reported, not moved. */
  async peek(): Promise<{ data: StateData; warning?: string }> {
    const { db, warning } = await readState(this.file, false);
    new DeliveryJournal(`${this.file}.journal`).replay(db.data);
    return { data: db.data, warning };
  }
}

/** Reads the state file into a lowdb instance whose data is complete (defaults filled in, or fresh when unreadable). */
async function readState(file: string, moveCorruptAside: boolean) {
  const { Low } = await import('lowdb');
  const { JSONFile } = await import('lowdb/node');
  const db = new Low<StateData>(new JSONFile<StateData>(file), emptyState());
  let unusable: { what: string; why: string } | undefined;
  try {
    await db.read();
    // Valid JSON of the wrong shape (an array, `alerts` that is a list ...) is as unusable as broken JSON.
    const wrong = stateShapeProblem(db.data);
    if (wrong) unusable = { what: "is not alertcron's state", why: wrong };
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      throw new UserError(`cannot read the state file ${file}: ${(error as Error).message}`, ExitCode.internal);
    }
    unusable = { what: 'is not valid JSON', why: error.message };
  }
  if (unusable !== undefined) {
    db.data = emptyState();
    if (!moveCorruptAside) return { db, warning: `state file ${file} ${unusable.what} (${unusable.why}); a run will move it aside` };
    const aside = `${file}.corrupt-${Date.now()}`;
    renameSync(file, aside);
    return { db, warning: `state file ${file} was unreadable (${unusable.what}: ${unusable.why}); moved it to ${aside} and started afresh` };
  }
  db.data = migrateState(db.data);
  return { db, warning: undefined as string | undefined };
}
