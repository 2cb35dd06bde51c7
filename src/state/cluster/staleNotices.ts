import { targetOf, type PendingDelivery, type StateData } from '../../model/state.js';
import { partitionOf } from '../../model/partition.js';

/** A notice dropped at begin because the run that queued it had its window commit refused, and why. */
export interface StaleNotice {
  item: PendingDelivery;
  why: string;
}

/**
 * Takes out of `data.pending` (as read from the cluster, before this host's local copies are added) the firing
 * notices of held partitions queued by a run whose window commit was refused (a holder paused past its lease, or
 * a `_bulk` whose partition write failed): the window they came from is, or already was, evaluated again by the
 * partition's holder, which queues its own copy. A notice is stale when its window ends after the alert's committed
 * window, or ends with it but was queued at another time than the run that committed that window; it is kept
 * whenever the alert's committed key state records its firing (that run's decision stood: nobody queues it again).
 * Digests (their own window), `test --send` notices, resolved notices, escalation tiers, chat and self-monitoring
 * notices are never taken.
 */
export function dropStaleNotices(data: StateData, held: (p: number) => boolean): StaleNotice[] {
  const dropped: StaleNotice[] = [];
  const kept: PendingDelivery[] = [];
  // The notices of each window queued by the run that committed it (created at its lastRunAt): their own copies.
  const committedCopies = new Set(data.pending.filter((p) => p.window && p.createdAt === data.alerts[p.alert]?.lastRunAt).map(copyKey));
  for (const item of data.pending) {
    const why = staleWhy(data, item, held, committedCopies);
    if (why) dropped.push({ item, why });
    else kept.push(item);
  }
  if (dropped.length) data.pending.splice(0, data.pending.length, ...kept);
  return dropped;
}

/** What makes two notices copies of one another: alert, key, channel and window. */
function copyKey(item: PendingDelivery): string {
  return JSON.stringify([item.alert, item.key, targetOf(item), item.reason, item.window?.from, item.window?.to]);
}

function staleWhy(data: StateData, item: PendingDelivery, held: (p: number) => boolean, committedCopies: ReadonlySet<string>): string | undefined {
  const window = item.window;
  if (!window || item.digest || item.fixedWindow || item.action || /^tier-/.test(item.reason) || !held(partitionOf(item.alert))) return undefined;
  const alert = data.alerts[item.alert];
  const committed = alert?.window;
  if (!committed || typeof window.to !== 'number') return undefined;
  const sameWindow = window.to === committed.to && alert.lastRunAt !== undefined && item.createdAt !== alert.lastRunAt;
  // The run that committed the window queued its own copy of this very notice (the stale run's alert document may
  // still have landed on top of that run's): this one is the stale run's.
  if (sameWindow && committedCopies.has(copyKey(item))) return `queued at ${new Date(item.createdAt).toISOString()} for the window ending ${new Date(window.to).toISOString()}, which another run committed (at ${new Date(alert.lastRunAt!).toISOString()}) with its own copy of this notice`;
  // The run that queued it recorded its firing in the alert's keys: the window's evaluation stands as it decided.
  if (alert.keys?.[item.key]?.lastFired === item.createdAt) return undefined;
  if (window.to > committed.to) return `queued for the window ending ${new Date(window.to).toISOString()}, after the alert's committed window (ending ${new Date(committed.to).toISOString()}): the run that queued it had its window refused, and the window is evaluated again`;
  if (sameWindow) return `queued at ${new Date(item.createdAt).toISOString()} for the window ending ${new Date(window.to).toISOString()}, which another run committed (at ${new Date(alert.lastRunAt!).toISOString()}) with its own notices`;
  return undefined;
}
