import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ExitCode, UserError } from '../util/errors.js';

/** How long a lock may go without being refreshed before another run takes it over. */
const STALE_MS = 30_000;
/** How often a holder refreshes its lock's mtime (proper-lockfile's update). */
const UPDATE_MS = 5_000;

/** Who holds a lock: the process, and what makes its pid meaningful (host, boot, pid namespace). */
interface LockOwner {
  pid: number;
  /** The inode and birth time of the lock directory it took: an owner file left by an earlier lock does not describe this one. */
  lock?: number;
  born?: number;
  host: string;
  boot?: string;
  pidns?: string;
}

/** The lock directory proper-lockfile creates next to the state file. */
function lockDir(file: string): string {
  return `${file}.lock`;
}

/** The owner file, beside the lock directory: inside it, it would make proper-lockfile's rmdir of a stale lock fail. */
function ownerFile(file: string): string {
  return `${file}.lock-owner`;
}

/**
 * Takes the lock, waiting up to `waitMs`. A lock left by a run that was killed is taken over at once when its
 * owner process is provably gone (same host, boot and pid namespace), after two refresh intervals when its run died
 * before it wrote its owner file, otherwise once it has not been refreshed
 * for STALE_MS.
 */
export async function acquireLock(file: string, waitMs: number, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  const lockfile = await import('proper-lockfile');
  const attempt = () =>
    lockfile.lock(file, { realpath: false, lockfilePath: lockDir(file), stale: STALE_MS, update: UPDATE_MS, retries: 0, onCompromised });
  const giveUpAt = Date.now() + waitMs;
  for (;;) {
    // Taking over a dead run's lock happens under a second, short-lived lock, so that two runs that both find
    // the owner gone cannot both remove the lock and both go on.
    let takeover: string | undefined;
    try {
      const release = await attempt().catch(async (error: { code?: string }) => {
        // ENOTEMPTY: a stale lock that proper-lockfile could not rmdir (an older alertcron kept its owner file inside).
        if (error.code !== 'ELOCKED' && error.code !== 'ENOTEMPTY') throw error;
        takeover = enterTakeover(file);
        if (!takeover || !ownerIsGone(file)) return undefined;
        rmSync(lockDir(file), { recursive: true, force: true });
        rmSync(ownerFile(file), { force: true });
        return attempt().catch(() => undefined);
      });
      if (release) {
        const lock = statSync(lockDir(file));
        writeFileSync(ownerFile(file), JSON.stringify({ ...thisProcess(), lock: lock.ino, born: lock.birthtimeMs }));
        return async () => {
          rmSync(ownerFile(file), { force: true });
          await release();
        };
      }
    } finally {
      leaveTakeover(takeover);
    }
    if (Date.now() + LOCK_POLL_MS > giveUpAt) {
      throw new UserError(`another alertcron run holds the lock on ${file}; this run did nothing`, ExitCode.lockHeld);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** A lock directory changed this recently is never judged abandoned by its owner file. */
const FRESH_MS = 2_000;

/** How often a run waiting for the lock looks again. */
const LOCK_POLL_MS = 500;

/** This process as a lock owner. */
function thisProcess(): LockOwner {
  return { pid: process.pid, host: hostname(), boot: readOr('/proc/sys/kernel/random/boot_id'), pidns: linkOr('/proc/self/ns/pid') };
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function linkOr(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
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

/**
 * True when the lock went stale, has had no owner file for two refresh intervals (its run was killed as it took
 * it), or its owner is a process that provably no longer exists: a pid is only
 * checked when the owner ran on this host, since this boot, in this pid namespace (a container sharing the
 * state folder has pids of its own, which mean nothing here).
 */
function ownerIsGone(file: string): boolean {
  let lock: { mtimeMs: number; ctimeMs: number; ino: number; birthtimeMs: number };
  try {
    lock = statSync(lockDir(file));
    if (Date.now() - lock.mtimeMs > STALE_MS) return true;
    // A lock changed a moment ago (just taken, or refreshed by a live owner) may not have its owner file yet.
    if (Date.now() - lock.ctimeMs < FRESH_MS) return false;
  } catch {
    return true;
  }
  // No owner file for this lock (none, or one left by an earlier lock) and not refreshed for two update intervals: its
  // run was killed between proper-lockfile's mkdir and the owner file's write (a live run writes it at once and
  // refreshes the lock every UPDATE_MS). Only an empty lock directory: an older alertcron kept its owner file inside.
  const ownerless = () => {
    try {
      return Date.now() - lock.mtimeMs > 2 * UPDATE_MS && readdirSync(lockDir(file)).length === 0;
    } catch {
      return false;
    }
  };
  let owner: LockOwner;
  try {
    owner = JSON.parse(readFileSync(ownerFile(file), 'utf8')) as LockOwner;
  } catch {
    return ownerless();
  }
  if (owner.lock !== lock.ino) return ownerless();
  const me = thisProcess();
  if (owner.lock !== lock.ino || (owner.born !== undefined && owner.born !== lock.birthtimeMs) || owner.host !== me.host || owner.boot !== me.boot || owner.pidns !== me.pidns) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'ESRCH';
  }
}
