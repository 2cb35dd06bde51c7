import { mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitCode, UserError } from '../util/errors.js';
import { emptyState, type StateData } from './types.js';

/** The state file, opened under the cross-process lock. */
export interface StateStore {
  data: StateData;
  /** A warning to show, e.g. that a corrupt file was moved aside. */
  warning?: string;
  /** Writes the state atomically if it changed since it was read or last saved. */
  save(): Promise<void>;
  /** Releases the lock. */
  release(): Promise<void>;
}

/** How long a lock may go without being refreshed before another run takes it over. */
const STALE_MS = 30_000;

/** Takes the lock on the state file (waiting up to `waitMs`), then reads it; a second run gets a lockHeld error. */
export async function openState(file: string, waitMs: number): Promise<StateStore> {
  mkdirSync(dirname(file), { recursive: true });
  const lockfile = await import('proper-lockfile');
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      lockfilePath: `${file}.lock`,
      stale: STALE_MS,
      update: 5_000,
      retries: { retries: Math.max(0, Math.ceil(waitMs / 500)), factor: 1, minTimeout: 500, maxTimeout: 500 },
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') {
      throw new UserError(`another alertcron run holds the lock on ${file}; this run did nothing`, ExitCode.lockHeld);
    }
    throw error;
  }
  const { data, warning } = await readState(file);
  const db = await database(file, data);
  let saved = JSON.stringify(data);
  return {
    data,
    warning,
    async save() {
      if (compromised) throw new Error(`the lock on ${file} was lost (${compromised.message}); state not written`);
      const text = JSON.stringify(db.data);
      if (text === saved) return;
      await db.write();
      saved = text;
    },
    async release() {
      if (!compromised) await release().catch(() => undefined);
    },
  };
}

/** Reads the state file without the lock, for commands that only look (list, status). */
export async function peekState(file: string): Promise<StateData> {
  return (await readState(file)).data;
}

async function readState(file: string): Promise<{ data: StateData; warning?: string }> {
  const { Low } = await import('lowdb');
  const { JSONFile } = await import('lowdb/node');
  const db = new Low<StateData>(new JSONFile<StateData>(file), emptyState());
  try {
    await db.read();
  } catch (error) {
    const aside = `${file}.corrupt-${Date.now()}`;
    renameSync(file, aside);
    return { data: emptyState(), warning: `state file ${file} was unreadable (${(error as Error).message}); moved it to ${aside} and started afresh` };
  }
  const data = db.data;
  if (!data || data.version !== 1 || typeof data.alerts !== 'object' || !Array.isArray(data.pending)) {
    return { data: { ...emptyState(), ...(data ?? {}), alerts: data?.alerts ?? {}, pending: data?.pending ?? [] } };
  }
  return { data };
}

async function database(file: string, data: StateData) {
  const { Low } = await import('lowdb');
  const { JSONFile } = await import('lowdb/node');
  return new Low<StateData>(new JSONFile<StateData>(file), data);
}
