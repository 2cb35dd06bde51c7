import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../util/errors.js';
import { emptyState, type StateData } from './types.js';
import { stateShapeProblem } from './checkShape.js';

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
  let compromised: Error | undefined;
  const release = await acquireLock(file, waitMs, (error) => {
    compromised = error;
  });
  const { db, warning } = await readState(file, true);
  const data = db.data;
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

/** The lock directory proper-lockfile creates next to the state file. */
function lockDir(file: string): string {
  return `${file}.lock`;
}

/**
 * Takes the lock, waiting up to `waitMs`. A lock left by a run that was killed is taken over at once
 * when its owner process is gone (same host), otherwise once it has not been refreshed for STALE_MS.
 */
async function acquireLock(file: string, waitMs: number, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  const lockfile = await import('proper-lockfile');
  const attempt = (retries: number) =>
    lockfile.lock(file, {
      realpath: false,
      lockfilePath: lockDir(file),
      stale: STALE_MS,
      update: 5_000,
      retries: { retries, factor: 1, minTimeout: 500, maxTimeout: 500 },
      onCompromised,
    });
  // Taking over a dead run's lock happens under a second, short-lived lock, so that two runs
  // that both find the owner gone cannot both remove the lock and both go on.
  let takeover: string | undefined;
  try {
    let release: () => Promise<void>;
    try {
      release = await attempt(0).catch(async (error: { code?: string }) => {
        if (error.code !== 'ELOCKED') throw error;
        takeover = enterTakeover(file);
        if (takeover && ownerIsGone(file)) {
          rmSync(lockDir(file), { recursive: true, force: true });
          return attempt(0);
        }
        takeover = leaveTakeover(takeover);
        return attempt(Math.max(0, Math.ceil(waitMs / 500)));
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'ELOCKED') {
        throw new UserError(`another alertcron run holds the lock on ${file}; this run did nothing`, ExitCode.lockHeld);
      }
      throw error;
    }
    const owner = join(lockDir(file), 'owner');
    // proper-lockfile watches the lock directory's mtime; put it back after adding the owner file.
    const { atime, mtime } = statSync(lockDir(file));
    writeFileSync(owner, JSON.stringify({ pid: process.pid, host: hostname() }));
    utimesSync(lockDir(file), atime, mtime);
    return async () => {
      rmSync(owner, { force: true });
      await release();
    };
  } finally {
    leaveTakeover(takeover);
  }
}

/** Takes the takeover lock (a directory), clearing one left behind by a crash; undefined if another run holds it. */
function enterTakeover(file: string): string | undefined {
  const dir = `${lockDir(file)}.takeover`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(dir);
      return dir;
    } catch {
      try {
        if (Date.now() - statSync(dir).mtimeMs < 10_000) return undefined;
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* gone meanwhile: try again */
      }
    }
  }
  return undefined;
}

function leaveTakeover(dir: string | undefined): undefined {
  if (dir) rmSync(dir, { recursive: true, force: true });
  return undefined;
}

/** True when the lock's owner is a process of this host that no longer exists, or the lock went stale. */
function ownerIsGone(file: string): boolean {
  try {
    if (Date.now() - statSync(lockDir(file)).mtimeMs > STALE_MS) return true;
    const owner = JSON.parse(readFileSync(join(lockDir(file), 'owner'), 'utf8')) as { pid: number; host: string };
    if (owner.host !== hostname()) return false;
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'ESRCH';
  }
}

/** Reads the state file without the lock and without changing anything, for commands that only look (list, dry runs). */
export async function peekState(file: string): Promise<{ data: StateData; warning?: string }> {
  const { db, warning } = await readState(file, false);
  return { data: db.data, warning };
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
  // Fill in what older state files lack, keeping everything they have.
  db.data = { ...emptyState(), ...(db.data ?? {}), version: 1 };
  return { db, warning: undefined as string | undefined };
}

/** Opens the state under the lock, lets `change` modify it, saves and releases: for commands like silence and ack. */
export async function changeState<T>(file: string, waitMs: number, change: (data: StateData) => T): Promise<T> {
  const store = await openState(file, waitMs);
  try {
    const result = change(store.data);
    await store.save();
    return result;
  } finally {
    await store.release();
  }
}
