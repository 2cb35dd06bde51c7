// Issue 29's state rows: a week of receipts (a quiet run with a state holding 200,000 or 1,000,000 receipts of sent
// notices against one holding none), and many keys (one alert with 100,000 keys, firing, against the same alert with
// none). Each alternates its variants run by run (pairedState.ts).
import type { Project } from '../support/project.js';
import { alertName, channelOf, writeAlertcronAlerts } from './alerts.js';
import { writeGrownState, writeReceiptState } from './bigState.js';
import { INCIDENT_NOW, QUIET_NOW, WINDOW_MS } from './data.js';
import { measurePairedStates, type PairedRuns, type VariantResult } from './pairedState.js';

/** A quiet run with receipts in the state and without. */
export interface ReceiptsResult {
  alerts: number;
  /** The run with no receipt first, then one per count measured. */
  variants: (VariantResult & { receipts: number })[];
  checks: string[];
}

/** Measures a quiet run of `alerts` bench alerts over states holding each of `counts` receipts and none. */
export async function measureReceipts(project: Project, alerts: number, counts: readonly number[], how: Omit<PairedRuns, 'primeNow' | 'now'>): Promise<ReceiptsResult> {
  writeAlertcronAlerts(project, alerts);
  const names = Array.from({ length: alerts }, (_, i) => alertName(i));
  const all = [0, ...counts];
  const measured = await measurePairedStates(
    project,
    'receipts',
    all.map((count) => ({ label: `receipts-${count}`, write: (stateDir: string) => writeReceiptState(`${stateDir}/state.json`, names, count, QUIET_NOW - WINDOW_MS, channelOf(10)) })),
    { ...how, primeNow: QUIET_NOW - WINDOW_MS, now: QUIET_NOW, expectDelivered: how.delivered ? 0 : undefined },
  );
  return { alerts, variants: measured.variants.map((v, i) => ({ ...v, receipts: all[i]! })), checks: measured.checks };
}

/** One alert firing in the incident minute, with many keys in its history and with none. */
export interface FiringKeysResult {
  keys: number;
  withKeys: VariantResult;
  withoutKeys: VariantResult;
  checks: string[];
}

/**
 * Measures the incident minute of one alert (bench alert 0: failed logons per user, one notice in that minute) whose
 * state remembers `keys` other keys (seen within the last day, each notified once), against the same alert with none.
 */
export async function measureFiringKeys(project: Project, keys: number, how: Omit<PairedRuns, 'primeNow' | 'now' | 'expectDelivered'>): Promise<FiringKeysResult> {
  writeAlertcronAlerts(project, 1);
  const grown = (count: number) => (stateDir: string) => writeGrownState(`${stateDir}/state.json`, [alertName(0)], count, INCIDENT_NOW - WINDOW_MS, channelOf(0));
  const measured = await measurePairedStates(project, 'firing keys', [{ label: 'keys', write: grown(keys) }, { label: 'no-keys', write: grown(0) }], {
    ...how,
    primeNow: INCIDENT_NOW - WINDOW_MS,
    now: INCIDENT_NOW,
    ...(how.delivered ? { expectDelivered: 1 } : {}),
  });
  const [withKeys, withoutKeys] = measured.variants as [VariantResult, VariantResult];
  return { keys, withKeys, withoutKeys, checks: measured.checks };
}
