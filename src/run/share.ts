import type { LoadedAlerts } from '../config/loadAlerts.js';
import type { AuditEntry } from '../model/audit.js';
import { holdsAlert, partitionOf, type LeaseRecord, type Ownership } from '../model/partition.js';
import { shownHolder } from '../state/cluster/lease.js';
import { hostOfHolder } from '../state/cluster/partitionLeases.js';
import type { RunReport } from './report.js';

/**
 * This host's share of the loaded alerts: those whose partition its transaction holds (all of them without an
 * ownership: the file backend, a dry run, one host alone). The alerts, the disabled and the invalid alike, so that
 * the digests and pruning of the others are left to the hosts holding them. `problems` (alerts that failed to load)
 * are kept whole on purpose: they are per deployment (the same folder on every host), so every host reports every
 * invalid alert in its own run's output and log, where its operator looks.
 */
export function heldShare(loaded: LoadedAlerts, ownership: Ownership | undefined): LoadedAlerts {
  if (!ownership) return loaded;
  const held = (name: string) => holdsAlert(ownership, name);
  return { ...loaded, alerts: loaded.alerts.filter((a) => held(a.name)), disabled: loaded.disabled.filter(held), invalid: loaded.invalid.filter(held) };
}

/** What run --json says of the leases a run held, took over and could not take (undefined without partitions). */
export function partitionsReport(ownership: Ownership | undefined): RunReport['partitions'] {
  if (!ownership) return undefined;
  return {
    held: [...ownership.partitions].sort((a, b) => a - b),
    coordinator: ownership.coordinator,
    took: ownership.took.map((t) => ({ lease: t.lease, from: t.from })),
    skipped: [...(ownership.skipped ?? [])],
  };
}

/** The audit lines of the leases this run took over from a host whose time had run out (one `lease_takeover` each). */
export function takeoverAudit(ownership: Ownership | undefined): AuditEntry[] {
  return (ownership?.took ?? []).map((t) => ({ event: 'lease_takeover', lease: t.lease, from: t.from, host: ownership!.host }));
}

/**
 * The `--only` alerts this host does not hold: another host evaluates them (a warning names them, their partitions
 * and, from `leases`, the host holding each or that held it last, so that a user running one alert by hand knows
 * where it ran).
 */
export function notHeldWarning(only: readonly string[] | undefined, ownership: Ownership | undefined, leases: readonly LeaseRecord[] = []): string | undefined {
  const elsewhere = (only ?? []).filter((name) => !holdsAlert(ownership, name));
  if (!elsewhere.length) return undefined;
  const holders = elsewhere.flatMap((name) => {
    const lease = leases.find((l) => l.name === String(partitionOf(name)));
    return lease ? [`${name} ${lease.released ? 'last held by' : 'held by'} ${shownHolder(hostOfHolder(lease.holder))}`] : [];
  });
  const named = elsewhere.map((name) => `${name} (partition ${partitionOf(name)})`).join(', ');
  const where = holders.length ? `${holders.join(', ')}; alertcron status shows the hosts` : 'alertcron status shows which';
  return `not evaluated here: ${named} ${elsewhere.length === 1 ? 'belongs' : 'belong'} to a partition this host does not hold this minute; the host holding it runs it (${where})`;
}

/**
 * Why a partial run (`run --only`, `test --send`) of a host that is not a live cron host evaluated nothing: it does not join
 * the hosts sharing the alerts (only a full run's heartbeat does), so it holds no partition.
 */
export function partialRunWarning(fullRun: boolean, ownership: Ownership | undefined): string | undefined {
  if (fullRun || !ownership || ownership.partitions.size || ownership.coordinator) return undefined;
  return `this host holds no partition: a run of chosen alerts (run --only, test --send) does not join the hosts sharing the alerts (only a full run, as cron's, writes the heartbeat that makes a host live), so it evaluates only alerts its live host already owns; run it on the host holding the alert (alertcron status shows which)`;
}
