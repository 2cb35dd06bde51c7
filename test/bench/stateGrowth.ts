// The cost of a grown state: the same steady-state run (nothing matching) of a small alert set with a state that
// remembers many keys and with one that remembers none, alternated so both see the same load.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../support/project.js';
import { alertName, channelOf, writeAlertcronAlerts } from './alerts.js';
import { writeGrownState } from './bigState.js';
import { QUIET_NOW, WINDOW_MS } from './data.js';
import { summarise, type Sample, type Summary } from './run.js';

/** What the state-growth measurement found. */
export interface StateGrowthResult {
  alerts: number;
  keys: number;
  /** The state file as an older alertcron left it (one pretty-printed JSON file), in bytes. */
  legacyBytes: number;
  withKeys: Summary;
  withoutKeys: Summary;
  /** The first run on the grown legacy file (it moves the key history into the key file). */
  firstRun: Summary;
  checks: string[];
}

/**
 * Measures `runs` steady-state runs at QUIET_NOW of `alerts` bench alerts with a state of `keys` keys and with an
 * empty one. `run` starts one measured `alertcron run` in the project at the given time.
 */
export async function measureStateGrowth(
  project: Project,
  alerts: number,
  keys: number,
  runs: number,
  run: (now: number, label: string) => Promise<Sample>,
  before: () => Promise<void>,
): Promise<StateGrowthResult> {
  writeAlertcronAlerts(project, alerts);
  const names = Array.from({ length: alerts }, (_, i) => alertName(i));
  const stateDir = join(project.dir, 'state');
  const snapshots = join(project.dir, 'snapshots');
  const checks: string[] = [];
  let legacyBytes = 0;
  const firstRuns: Sample[] = [];
  for (const [label, count] of [['with', keys], ['without', 0]] as const) {
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    legacyBytes = count ? writeGrownState(join(stateDir, 'state.json'), names, count, QUIET_NOW - WINDOW_MS, channelOf(0)) : legacyBytes;
    if (!count) writeGrownState(join(stateDir, 'state.json'), names, 0, QUIET_NOW - WINDOW_MS, channelOf(0));
    // A run one minute earlier takes the grown file as it is (and leaves the parse cache and the store's layout).
    await before();
    const prime = await run(QUIET_NOW - WINDOW_MS, `state-${label}-prime`);
    if (count) firstRuns.push(prime);
    if (prime.code !== 0) checks.push(`state growth (${label} keys): the priming run exited ${prime.code}: ${prime.stderr.slice(0, 300)}`);
    cpSync(stateDir, join(snapshots, label), { recursive: true });
  }
  const series: Record<'with' | 'without', Sample[]> = { with: [], without: [] };
  for (let r = 0; r < runs; r++) {
    for (const label of ['with', 'without'] as const) {
      rmSync(stateDir, { recursive: true, force: true });
      cpSync(join(snapshots, label), stateDir, { recursive: true });
      await before();
      const s = await run(QUIET_NOW, `state-${label}-${r}`);
      if (s.code !== 0) checks.push(`state growth (${label} keys) run ${r}: exit ${s.code}: ${s.stderr.slice(0, 300)}`);
      series[label].push(s);
    }
  }
  if (!checks.length) checks.push(`state growth: alertcron exited 0 in all ${2 * runs + 2} runs (${alerts} alerts, ${keys.toLocaleString('en-US')} keys and none)`);
  return { alerts, keys, legacyBytes, withKeys: summarise(series.with), withoutKeys: summarise(series.without), firstRun: summarise(firstRuns), checks };
}
