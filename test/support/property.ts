// Generated-input (property-based) tests: one place that sets how many cases run, which seed
// they start from, and where the seed of a failure is recorded so that it can be replayed.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { inCi } from './ci.js';
import { REPO_ROOT } from './project.js';

/** The file that collects the seed and path of every failed property, one JSON line each. */
export const PROPERTY_FAILURES = join(REPO_ROOT, 'test', 'property-failures.log');

/**
 * The seed CI uses (CI=true), so that a landing is never decided by a draw: new seeds are explored by every
 * developer's `npm test`, and each failure they find is fixed and named with its seed in the commit.
 */
const CI_SEED = 20261206;

/** The seed of this test process: `ALERTCRON_PROPERTY_SEED` replays one, CI uses CI_SEED, otherwise a new one each run. */
export const PROPERTY_SEED =
  process.env.ALERTCRON_PROPERTY_SEED !== undefined ? Number(process.env.ALERTCRON_PROPERTY_SEED) : inCi() ? CI_SEED : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;

/**
 * Checks a property with a modest number of cases (`ALERTCRON_PROPERTY_RUNS` scales it) from the
 * process's seed; a failure is appended to test/property-failures.log with its seed and path, and
 * the error names the command that replays it.
 */
export async function checkProperty<Ts>(name: string, property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>, numRuns = 50): Promise<void> {
  const scale = Number(process.env.ALERTCRON_PROPERTY_RUNS_SCALE ?? '1');
  const runs = Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
  const details = await fc.check(property as fc.IAsyncPropertyWithHooks<Ts>, { numRuns: runs, seed: PROPERTY_SEED, endOnFailure: false });
  if (!details.failed) return;
  const record = { at: new Date().toISOString(), property: name, seed: details.seed, path: details.counterexamplePath, counterexample: safeJson(details.counterexample) };
  try {
    mkdirSync(join(REPO_ROOT, 'test'), { recursive: true });
    appendFileSync(PROPERTY_FAILURES, JSON.stringify(record) + '\n');
  } catch {
    // the record is a convenience; the failure below is what counts
  }
  const reason = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `property "${name}" failed after ${details.numRuns} case(s): ${reason}\n` +
      `counterexample: ${record.counterexample}\n` +
      `replay: ALERTCRON_PROPERTY_SEED=${details.seed} npm test -- <this file> (path ${details.counterexamplePath ?? '-'}; recorded in test/property-failures.log)`,
  );
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))?.slice(0, 4000) ?? String(value);
  } catch {
    return String(value).slice(0, 4000);
  }
}

export { fc };
