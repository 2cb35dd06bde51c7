// The cost of a grown state: the same steady-state run (nothing matching) of a small alert set with a state that
// remembers many keys and with one that remembers none, alternated so both see the same load.
import type { Project } from '../support/project.js';
import { alertName, channelOf, writeAlertcronAlerts } from './alerts.js';
import { writeGrownState } from './bigState.js';
import { QUIET_NOW, WINDOW_MS } from './data.js';
import { measurePairedStates, type PairedRuns } from './pairedState.js';
import type { Summary } from './run.js';
import type { StageSummary } from './stagesReport.js';

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
  /** Where the runs with and without the keys spend their time (`run --json`). */
  stages?: { withKeys?: StageSummary; withoutKeys?: StageSummary };
  checks: string[];
}

/**
 * Measures `runs` steady-state runs at QUIET_NOW of `alerts` bench alerts with a state of `keys` keys and with an
 * empty one.
 */
export async function measureStateGrowth(project: Project, alerts: number, keys: number, how: Omit<PairedRuns, 'primeNow' | 'now'>): Promise<StateGrowthResult> {
  writeAlertcronAlerts(project, alerts);
  const names = Array.from({ length: alerts }, (_, i) => alertName(i));
  const grown = (count: number) => (stateDir: string) => writeGrownState(`${stateDir}/state.json`, names, count, QUIET_NOW - WINDOW_MS, channelOf(0));
  const measured = await measurePairedStates(project, 'state growth', [{ label: 'with', write: grown(keys) }, { label: 'without', write: grown(0) }], { ...how, primeNow: QUIET_NOW - WINDOW_MS, now: QUIET_NOW });
  const [withKeys, withoutKeys] = measured.variants as [(typeof measured.variants)[0], (typeof measured.variants)[0]];
  return {
    alerts,
    keys,
    legacyBytes: withKeys.bytes,
    withKeys: withKeys.runs,
    withoutKeys: withoutKeys.runs,
    firstRun: withKeys.first,
    stages: { withKeys: withKeys.stages, withoutKeys: withoutKeys.stages },
    checks: measured.checks,
  };
}
