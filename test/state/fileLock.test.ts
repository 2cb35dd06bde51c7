// The state file's lock (src/state/fileLock.ts): a run killed between taking the lock directory and writing its owner
// file (about 2 ms, seen in the chaos test: the host's runs then exited 5 for 30 s) leaves a lock that the next run
// takes once it has gone unrefreshed for two refresh intervals; a lock just taken, or held by a live run, is respected.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireLock } from '../../src/state/fileLock.js';
import { ExitCode } from '../../src/util/errors.js';

/** A state file's path in a fresh folder, with its lock directory left as a killed run leaves it (no owner file), `ageMs` unrefreshed. */
async function orphanedLock(ageMs: number): Promise<{ file: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-lock-'));
  const file = join(dir, 'state.json');
  mkdirSync(`${file}.lock`);
  const then = (Date.now() - ageMs) / 1000;
  utimesSync(`${file}.lock`, then, then);
  // Setting the mtime changes the ctime, which a run reads as "just changed" for 2 s: let that pass, as it has for a real one.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const heldByAnother = (error: unknown) => (error as { exitCode?: number }).exitCode === ExitCode.lockHeld;

test('a lock left without its owner file and unrefreshed for 11 s is taken at once (not after the 30 s of staleness)', async () => {
  const { file, cleanup } = await orphanedLock(11_000);
  try {
    const release = await acquireLock(file, 1_000, () => undefined);
    await release();
  } finally {
    cleanup();
  }
});

test('a lock without its owner file refreshed 3 s ago is respected: its run may still be writing the owner file or refreshing', async () => {
  const { file, cleanup } = await orphanedLock(3_000);
  try {
    await assert.rejects(acquireLock(file, 1_000, () => undefined), heldByAnother);
  } finally {
    cleanup();
  }
});

test('an owner file of an earlier lock does not describe a lock left unrefreshed without its own: that lock is taken too', async () => {
  const { file, cleanup } = await orphanedLock(11_000);
  try {
    writeFileSync(`${file}.lock-owner`, JSON.stringify({ pid: process.pid, lock: -1 }));
    const release = await acquireLock(file, 1_000, () => undefined);
    await release();
  } finally {
    cleanup();
  }
});

test('a lock held by a live run is never taken, however long a second run waits for it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertcron-lock-'));
  const file = join(dir, 'state.json');
  try {
    const release = await acquireLock(file, 1_000, () => undefined);
    try {
      await assert.rejects(acquireLock(file, 1_500, () => undefined), heldByAnother);
    } finally {
      await release();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
